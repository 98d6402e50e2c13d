"""State of the run history page (``/runs`` and ``/graphs/[graph_id]/runs``)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.paths import compare_path
from app.services import run_history
from app.services.run_history import ALL_STATUSES, RunRow

COMPARED = 2  # how many ticked runs Compare needs


class RunsState(rx.State):
    """The list of runs, of every graph or of one, filtered by status; two ticked to compare."""

    scope_graph_id: str = ""  # "" = every graph
    status_filter: str = ALL_STATUSES
    rows: list[RunRow] = []
    selected: list[str] = []  # ticked run ids, in the order they were ticked
    series: list[dict[str, Any]] = []  # the graph's finished runs over time (one graph only)
    loaded: bool = False
    error: str = ""

    @rx.var
    def has_rows(self) -> bool:
        return len(self.rows) > 0

    @rx.var
    def scope_name(self) -> str:
        """The graph's name when the list is of one graph ("" for every graph)."""
        return self.rows[0].graph_name if self.scope_graph_id and self.rows else ""

    @rx.var
    def can_compare(self) -> bool:
        return len(self.selected) == COMPARED

    @rx.var
    def compare_hint(self) -> str:
        """What Compare needs next ("" when exactly two runs are ticked)."""
        ticked = len(self.selected)
        if ticked == COMPARED:
            return ""
        if ticked < COMPARED:
            return "Tick two runs to compare them." if ticked == 0 else "Tick one more run."
        return f"{ticked} runs ticked: compare two at a time."

    @rx.var
    def show_series(self) -> bool:
        return bool(self.scope_graph_id) and len(self.series) > 0

    def _refresh(self) -> None:
        try:
            self.rows = run_history.list_runs(self.scope_graph_id or None, self.status_filter)
            self.error = ""
        except OrchestrallError as exc:
            self.rows, self.error = [], f"Could not list the runs: {exc.message}"
        shown = {row.id for row in self.rows}
        self.selected = [run_id for run_id in self.selected if run_id in shown]
        self.loaded = True

    @rx.event
    def load_runs(self):
        """On page load: every graph's runs, or those of the URL's ``graph_id`` and their chart."""
        self.scope_graph_id = self.router.page.params.get("graph_id", "") or ""
        self.status_filter = ALL_STATUSES
        self.selected = []
        self._refresh()
        has_runs = self.scope_graph_id and self.rows
        self.series = run_history.run_series(self.scope_graph_id) if has_runs else []

    @rx.event
    def set_status_filter(self, status: str):
        self.status_filter = status
        self._refresh()

    @rx.event
    def toggle_selected(self, run_id: str, ticked: bool):
        """Tick or untick a run for comparison."""
        rest = [other for other in self.selected if other != run_id]
        self.selected = [*rest, run_id] if ticked else rest

    @rx.event
    def compare(self):
        """Open the two ticked runs side by side: the older as A, the newer as B."""
        if len(self.selected) != COMPARED:
            return None
        order = {row.id: i for i, row in enumerate(self.rows)}  # newest first
        newer, older = sorted(self.selected, key=lambda run_id: order.get(run_id, 0))
        return rx.redirect(compare_path(older, newer))
