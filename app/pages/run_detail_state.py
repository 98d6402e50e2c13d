"""State of one run's page (``/runs/[run_id]``): the run as stored, followed while it runs."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.paths import run_path
from app.services import run_history, runs
from app.services.run_history import RunDetail, RunRow
from app.services.runs import TraceRow

EMPTY_GRAPH: dict[str, list[dict[str, Any]]] = {"nodes": [], "edges": []}
EMPTY_ROW = RunRow("", "", "", 0, "", "", "", 0, "", "", "")


class RunDetailState(rx.State):
    """One run: status, totals, input, output or error, trace, chart and the version it ran."""

    shown_id: str = ""
    row: RunRow = EMPTY_ROW
    thread_id: str = ""
    input_text: str = ""
    output_text: str = ""
    error: str = ""
    error_detail: str = ""
    steps: int = 0
    trace: list[TraceRow] = []
    chart: list[dict[str, Any]] = []
    canvas: dict[str, list[dict[str, Any]]] = EMPTY_GRAPH
    ended: bool = True
    load_error: str = ""
    rerun_error: str = ""
    starting: bool = False

    def _show(self, detail: RunDetail) -> None:
        self.shown_id, self.row = detail.row.id, detail.row
        self.thread_id = detail.thread_id
        self.input_text, self.output_text = detail.input, detail.output
        self.error, self.error_detail = detail.error, detail.error_detail
        self.steps, self.trace, self.chart = detail.steps, detail.trace, detail.chart
        self.canvas, self.ended = detail.canvas, detail.ended
        self.load_error = ""

    @rx.event
    def load_run(self):
        """On page load: show the URL's run."""
        return RunDetailState.show_run(self.router.page.params.get("run_id", "") or "")

    @rx.event(background=True)
    async def show_run(self, run_id: str):
        """Show the run ``run_id``; while it has not ended, follow it and show it again."""
        async with self:
            self.rerun_error, self.starting = "", False
        try:
            detail = await asyncio.to_thread(run_history.run_detail, run_id)
        except OrchestrallError as exc:
            async with self:
                self.shown_id, self.row, self.trace, self.chart = "", EMPTY_ROW, [], []
                self.canvas = EMPTY_GRAPH
                self.load_error = (
                    "This run does not exist; it may have been deleted with its graph."
                    if exc.code == "not_found"
                    else f"Could not open the run: {exc.message}"
                )
            return
        async with self:
            self._show(detail)
        if detail.ended:
            return
        async for _event in runs.get_executor().subscribe(run_id, 0):
            pass  # ends when the run ends or waits for a person
        detail = await asyncio.to_thread(run_history.run_detail, run_id)
        async with self:
            if self.shown_id == run_id:
                self._show(detail)

    @rx.event(background=True)
    async def run_again(self):
        """Start a new run of the same graph with the same input and open its page."""
        async with self:
            graph_id, message = self.row.graph_id, self.input_text
            if not graph_id or self.starting:
                return
            self.starting, self.rerun_error = True, ""
        try:
            new_id = await asyncio.to_thread(runs.start_run, graph_id, message)
        except OrchestrallError as exc:
            async with self:
                self.starting, self.rerun_error = False, exc.message
            return
        async with self:
            self.starting = False
        return rx.redirect(run_path(new_id))
