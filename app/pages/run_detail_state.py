"""State of one run's page (``/runs/[run_id]``): the run as stored, followed while it runs."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.paths import run_path
from app.services import run_history, runs
from app.services.run_history import RunDetail, RunRow
from app.services.runs import RunView, TraceRow

LIVE_FLUSH_SECONDS = 0.1
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
    waiting_mode: str = ""  # "" | approval | input: the run waits for a person
    waiting_prompt: str = ""
    waiting_proposal: str = ""
    answer_input: str = ""
    answer_error: str = ""

    def _show(self, detail: RunDetail) -> None:
        self.shown_id, self.row = detail.row.id, detail.row
        self.thread_id = detail.thread_id
        self.input_text, self.output_text = detail.input, detail.output
        self.error, self.error_detail = detail.error, detail.error_detail
        self.steps, self.trace, self.chart = detail.steps, detail.trace, detail.chart
        self.canvas, self.ended = detail.canvas, detail.ended
        self.waiting_mode, self.waiting_prompt = detail.waiting_mode, detail.waiting_prompt
        self.waiting_proposal = detail.waiting_proposal
        self.load_error = ""

    def _show_live(self, view: RunView) -> None:
        """What the run's live events say before they are all stored."""
        self.trace = [row.copy() for row in view.trace]
        self.output_text = view.answer or self.output_text
        self.steps = max(self.steps, view.steps)

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
        if detail.ended or detail.waiting_mode:
            return
        await self._follow(run_id)

    async def _follow(self, run_id: str) -> None:
        """Show the run's steps as they come, then the run as stored once it ends or waits."""
        view = await asyncio.to_thread(runs.replay, run_id)
        last_flush = 0.0
        async for event in runs.get_executor().subscribe(run_id, view.last_seq):
            view.apply(event)
            now = time.monotonic()
            if event.type != "token" and now - last_flush >= LIVE_FLUSH_SECONDS:
                async with self:
                    if self.shown_id != run_id:
                        return
                    self._show_live(view)
                last_flush = now
        detail = await asyncio.to_thread(run_history.run_detail, run_id)
        async with self:
            if self.shown_id == run_id:
                self._show(detail)

    @rx.event
    def set_answer_input(self, value: str):
        self.answer_input = value

    async def _answer(self, *, approved: bool | None = None, text: str | None = None) -> None:
        async with self:
            run_id = self.shown_id
            if not run_id or not self.waiting_mode:
                return
            self.answer_input, self.answer_error = "", ""
        try:
            await asyncio.to_thread(runs.answer, run_id, approved=approved, text=text)
        except OrchestrallError as exc:
            async with self:
                self.answer_error = f"The answer could not be sent: {exc.message}"
            return
        async with self:
            self.waiting_mode = self.waiting_prompt = self.waiting_proposal = ""
            self.row = dataclasses.replace(self.row, status="running")
            self.ended = False
        await self._follow(run_id)

    @rx.event(background=True)
    async def approve(self):
        """Approve the proposal the run waits on; the run goes on."""
        await self._answer(approved=True)

    @rx.event(background=True)
    async def reject(self):
        """Reject the proposal the run waits on."""
        await self._answer(approved=False)

    @rx.event(background=True)
    async def send_answer(self):
        """Answer the question the run waits on with the text typed."""
        async with self:
            text = self.answer_input.strip()
        if text:
            await self._answer(text=text)

    @rx.event(background=True)
    async def run_again(self):
        """Start a new run with the same input, engine and model, and open its page."""
        async with self:
            run_id = self.shown_id
            if not run_id or self.starting:
                return
            self.starting, self.rerun_error = True, ""
        try:
            new_id = await asyncio.to_thread(runs.run_again, run_id)
        except OrchestrallError as exc:
            async with self:
                self.starting, self.rerun_error = False, exc.message
            return
        async with self:
            self.starting = False
        return rx.redirect(run_path(new_id))
