"""State of the run history page (``/runs`` and ``/graphs/[graph_id]/runs``)."""

from __future__ import annotations

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.services import run_history
from app.services.run_history import ALL_STATUSES, RunRow


class RunsState(rx.State):
    """The list of runs, of every graph or of one, filtered by status."""

    scope_graph_id: str = ""  # "" = every graph
    status_filter: str = ALL_STATUSES
    rows: list[RunRow] = []
    loaded: bool = False
    error: str = ""

    @rx.var
    def has_rows(self) -> bool:
        return len(self.rows) > 0

    @rx.var
    def scope_name(self) -> str:
        """The graph's name when the list is of one graph ("" for every graph)."""
        return self.rows[0].graph_name if self.scope_graph_id and self.rows else ""

    def _refresh(self) -> None:
        try:
            self.rows = run_history.list_runs(self.scope_graph_id or None, self.status_filter)
            self.error = ""
        except OrchestrallError as exc:
            self.rows, self.error = [], f"Could not list the runs: {exc.message}"
        self.loaded = True

    @rx.event
    def load_runs(self):
        """On page load: every graph's runs, or those of the URL's ``graph_id``."""
        self.scope_graph_id = self.router.page.params.get("graph_id", "") or ""
        self.status_filter = ALL_STATUSES
        self._refresh()

    @rx.event
    def set_status_filter(self, status: str):
        self.status_filter = status
        self._refresh()
