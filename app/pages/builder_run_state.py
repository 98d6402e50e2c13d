"""State of the builder's Run tab: send a message to the graph, watch the run, answer it.

A thin controller: ``app/services/runs.py`` starts, resumes and cancels runs and
turns their events into a ``RunView``; ``_follow`` is a background event that
subscribes to the run and copies the view into the state at most every
``FLUSH_SECONDS`` (token deltas would otherwise flood the browser).
"""

from __future__ import annotations

import asyncio
import time

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.services import runs
from app.services.runs import RunView, TraceRow

FLUSH_SECONDS = 0.05
CANCEL_WAIT_STEPS = 100  # a waiting run's cancel is stored at once; wait up to ~5 s for it


class BuilderRunState(rx.State):
    """The run panel of the builder page."""

    message: str = ""
    continue_thread: bool = False
    running: bool = False
    run_id: str = ""
    thread_id: str = ""
    status: str = ""  # "" | running | waiting | succeeded | failed | cancelled
    answer_text: str = ""
    trace: list[TraceRow] = []
    running_id: str = ""  # the node executing now, highlighted on the canvas
    waiting_mode: str = ""  # "" | approval | input
    waiting_prompt: str = ""
    waiting_proposal: str = ""
    answer_input: str = ""
    error: str = ""
    error_detail: str = ""

    @rx.var
    def waiting(self) -> bool:
        return self.waiting_mode != ""

    def _show(self, view: RunView) -> None:
        self.thread_id = view.thread_id or self.thread_id
        self.status = view.status
        self.answer_text = view.answer
        self.trace = [TraceRow(**vars(row)) for row in view.trace]
        self.running_id = view.running_id
        self.waiting_mode = view.waiting_mode
        self.waiting_prompt = view.waiting_prompt
        self.waiting_proposal = view.waiting_proposal
        self.error, self.error_detail = view.error, view.error_detail
        self.running = not view.ended and view.status != "waiting"

    # ------------------------------------------------------------ inputs ---

    @rx.event
    def set_message(self, value: str):
        self.message = value

    @rx.event
    def set_continue_thread(self, value: bool):
        self.continue_thread = value

    @rx.event
    def set_answer_input(self, value: str):
        self.answer_input = value

    @rx.event
    def new_conversation(self):
        """Forget the thread: the next run starts a new conversation."""
        self.thread_id = ""
        self.continue_thread = False
        self.run_id, self.status, self.answer_text, self.trace = "", "", "", []
        self.error = self.error_detail = ""

    # -------------------------------------------------------------- runs ---

    @rx.event(background=True)
    async def start_run(self, graph_id: str):
        """Start a run of ``graph_id`` with the message typed, and follow it to its end."""
        async with self:
            message = self.message.strip()
            if self.running or self.waiting_mode:
                return
            if not message:
                self.error, self.error_detail = "Type a message to send to the graph.", ""
                return
            thread = self.thread_id if self.continue_thread and self.thread_id else None
            self.running, self.status = True, "running"
            self.answer_text, self.trace, self.running_id = "", [], ""
            self.error = self.error_detail = ""
        try:
            run_id = await asyncio.to_thread(runs.start_run, graph_id, message, thread)
        except OrchestrallError as exc:
            async with self:
                self.running, self.status = False, "failed"
                self.error, self.error_detail = exc.message, f"{exc.code}: {exc.message}"
            return
        async with self:
            self.run_id = run_id
        await self._follow(run_id, RunView())

    async def _follow(self, run_id: str, view: RunView) -> None:
        """Apply the run's events after ``view.last_seq`` to ``view``, showing it as it goes.

        The view stays local to this task (never in the state, where Reflex would wrap it).
        """
        pending, last_flush = False, 0.0
        async for event in runs.get_executor().subscribe(run_id, view.last_seq):
            view.apply(event)
            pending = True
            now = time.monotonic()
            if event.type != "token" or now - last_flush >= FLUSH_SECONDS:
                async with self:
                    if self.run_id != run_id:
                        return  # a new conversation replaced this run
                    self._show(view)
                pending, last_flush = False, now
        if pending or not view.ended:
            async with self:
                if self.run_id == run_id:
                    self._show(view)

    @rx.event(background=True)
    async def cancel_run(self):
        """Stop the run; a waiting run is cancelled at once."""
        async with self:
            run_id, was_waiting = self.run_id, self.waiting_mode != ""
        if not run_id:
            return
        try:
            await asyncio.to_thread(runs.cancel, run_id)
        except OrchestrallError as exc:
            async with self:
                self.error, self.error_detail = "The run could not be cancelled.", str(exc)
            return
        if was_waiting:  # nothing follows a waiting run: read its final event when stored
            view = await asyncio.to_thread(runs.replay, run_id)
            for _ in range(CANCEL_WAIT_STEPS):
                if view.ended:
                    break
                await asyncio.sleep(FLUSH_SECONDS)
                view = await asyncio.to_thread(runs.replay, run_id)
            async with self:
                if self.run_id == run_id:
                    self._show(view)

    async def _resume(self, *, approved: bool | None = None, text: str | None = None) -> None:
        async with self:
            run_id = self.run_id
            if not run_id or not self.waiting_mode:
                return
            self.answer_input = ""
        view = await asyncio.to_thread(runs.replay, run_id)
        view.resumed()
        async with self:
            self._show(view)
        try:
            await asyncio.to_thread(runs.answer, run_id, approved=approved, text=text)
        except OrchestrallError as exc:
            async with self:
                self.error, self.error_detail = "The answer could not be sent.", str(exc)
            return
        await self._follow(run_id, view)

    @rx.event(background=True)
    async def approve(self):
        await self._resume(approved=True)

    @rx.event(background=True)
    async def reject(self):
        await self._resume(approved=False)

    @rx.event(background=True)
    async def send_answer(self):
        async with self:
            text = self.answer_input.strip()
        if text:
            await self._resume(text=text)
