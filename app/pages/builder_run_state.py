"""State of the builder's Run tab: send input to the graph, watch the run, answer it.

A thin controller: ``app/services/runs.py`` starts, resumes and cancels runs and
turns their events into a ``RunView``; ``_follow`` is a background event that
subscribes to the run and copies the view into the state at most every
``FLUSH_SECONDS`` (token deltas would otherwise flood the browser). On page load
the panel finds the graph's run that is still going (after a reload or an app
restart) and shows it again.
"""

from __future__ import annotations

import asyncio
import time

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.pages.builder_state import BuilderState
from app.services import run_models, runs
from app.services.run_models import AS_SAVED, ModelChoice
from app.services.runs import InputFieldView, RunView, TraceRow

FLUSH_SECONDS = 0.05
CANCEL_WAIT_STEPS = 100  # a waiting run's cancel is stored at once; wait up to ~5 s for it
CHAT_FIELDS = ["message"]

# (client token, run id) pairs a task of this process follows now: a reload must not
# start a second follower, and after a restart there is none (so one starts again).
_following: set[tuple[str, str]] = set()


def _parse_inputs(
    fields: list[InputFieldView], values: dict[str, str]
) -> tuple[dict[str, object], str]:
    """The run input from the form's text values, or an error naming the field."""
    given: dict[str, object] = {}
    for field in fields:
        raw = values.get(field.name, "").strip()
        if field.type == "boolean":
            given[field.name] = raw == "true"
        elif not raw:
            continue  # the runtime says which required field is missing
        elif field.type == "number":
            try:
                number = float(raw)
            except ValueError:
                return {}, f"'{field.name}' must be a number (you typed {raw!r})."
            given[field.name] = int(number) if number.is_integer() and "." not in raw else number
        else:
            given[field.name] = raw
    return given, ""


class BuilderRunState(rx.State):
    """The run panel of the builder page."""

    panel_graph: str = ""  # the graph this panel shows (``graph_id`` is the route's var)
    message: str = ""
    fields: list[InputFieldView] = []
    field_values: dict[str, str] = {}
    backends: list[str] = list(runs.BACKEND_NAMES)
    backend: str = "langgraph"
    models: list[ModelChoice] = []
    model_choice: str = AS_SAVED
    model_name: str = ""
    continue_thread: bool = False
    running: bool = False
    run_id: str = ""
    thread_id: str = ""
    status: str = ""  # "" | running | waiting | succeeded | failed | cancelled
    steps: int = 0
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

    @rx.var
    def structured(self) -> bool:
        """The input node declares fields: show a form instead of the chat box."""
        return [f.name for f in self.fields] not in ([], CHAT_FIELDS)

    @rx.var
    def needs_model_name(self) -> bool:
        return any(m.value == self.model_choice and m.needs_name for m in self.models)

    def _show(self, view: RunView) -> None:
        """Copy the view into the state; only vars that changed are set (and sent)."""
        values = {
            "thread_id": view.thread_id or self.thread_id,
            "status": view.status,
            "steps": view.steps,
            "answer_text": view.answer,
            "running_id": view.running_id,
            "waiting_mode": view.waiting_mode,
            "waiting_prompt": view.waiting_prompt,
            "waiting_proposal": view.waiting_proposal,
            "error": view.error,
            "error_detail": view.error_detail,
            "running": not view.ended and view.status != "waiting",
        }
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)
        if len(self.trace) != len(view.trace) or any(
            shown != row for shown, row in zip(self.trace, view.trace, strict=True)
        ):
            self.trace = [row.copy() for row in view.trace]

    def _clear_run(self) -> None:
        self.run_id, self.status, self.answer_text, self.trace = "", "", "", []
        self.running, self.steps, self.running_id = False, 0, ""
        self.waiting_mode = self.waiting_prompt = self.waiting_proposal = ""
        self.error = self.error_detail = ""

    # ------------------------------------------------------------ inputs ---

    @rx.event
    def set_message(self, value: str):
        self.message = value

    @rx.event
    def set_field(self, name: str, value: str | bool):
        if isinstance(value, bool):
            value = "true" if value else "false"
        self.field_values[name] = value

    @rx.event
    def set_backend(self, value: str):
        self.backend = value

    @rx.event
    def set_model_choice(self, value: str):
        self.model_choice = value
        chosen = next((m for m in self.models if m.value == value), None)
        self.model_name = chosen.default_name if chosen else ""

    @rx.event
    def set_model_name(self, value: str):
        self.model_name = value

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
        self._clear_run()

    @rx.event
    def refresh_form(self):
        """The Run tab opened: read the input fields and model choices again."""
        if not self.panel_graph:
            return
        self.fields = runs.input_fields(self.panel_graph)
        self.models = run_models.model_choices()
        if not any(m.value == self.model_choice for m in self.models):
            self.model_choice, self.model_name = AS_SAVED, ""

    # -------------------------------------------------------------- runs ---

    @rx.event(background=True)
    async def load_panel(self):
        """On page load: this graph's form, and its run still going (if any) shown again."""
        async with self:
            # ``graph_id`` is the dynamic route var Reflex adds for ``/graphs/[graph_id]``.
            graph_id = str(self.graph_id or "")
            if graph_id != self.panel_graph:
                self.panel_graph, self.message, self.field_values = graph_id, "", {}
                self.thread_id, self.continue_thread = "", False
                self._clear_run()
            token = self.router.session.client_token
        if not graph_id:
            return
        fields, models, active = await asyncio.to_thread(_panel_data, graph_id)
        async with self:
            self.fields, self.models = fields, models
        if active is None:
            return
        view = await asyncio.to_thread(runs.replay, active)
        async with self:
            self.run_id = active
            self._show(view)
            (await self.get_state(BuilderState)).side_tab = "run"
        if (token, active) not in _following and not view.ended and view.status != "waiting":
            await self._follow(active, view, token)

    @rx.event(background=True)
    async def start_run(self, graph_id: str):
        """Start a run of ``graph_id`` with the input typed, and follow it to its end."""
        async with self:
            if self.running or self.waiting_mode:
                return
            self.panel_graph = graph_id
            fields, values = self.fields, dict(self.field_values)
            choice, name, backend = self.model_choice, self.model_name, self.backend
            message = self.message.strip()
            thread = self.thread_id if self.continue_thread and self.thread_id else None
            token = self.router.session.client_token
            if self.structured:
                given, problem = _parse_inputs(fields, values)
            else:
                given, problem = (
                    {"message": message},
                    "" if message else ("Type a message to send to the graph."),
                )
            if problem:
                self.error, self.error_detail = problem, ""
                return
            self._clear_run()
            self.running, self.status = True, "running"
        try:
            model = await asyncio.to_thread(run_models.run_model, choice, name)
            run_id = await asyncio.to_thread(
                runs.start_run, graph_id, given, thread, backend=backend, model=model
            )
        except OrchestrallError as exc:
            async with self:
                self.running, self.status = False, "failed"
                self.error, self.error_detail = exc.message, f"{exc.code}: {exc.message}"
            return
        async with self:
            self.run_id = run_id
        await self._follow(run_id, RunView(), token)

    async def _follow(self, run_id: str, view: RunView, token: str) -> None:
        """Apply the run's events after ``view.last_seq`` to ``view``, showing it as it goes.

        The view stays local to this task (never in the state, where Reflex would wrap it).
        """
        _following.add((token, run_id))
        try:
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
        finally:
            _following.discard((token, run_id))

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
            token = self.router.session.client_token
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
        await self._follow(run_id, view, token)

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


def _panel_data(graph_id: str) -> tuple[list[InputFieldView], list[ModelChoice], str | None]:
    return runs.input_fields(graph_id), run_models.model_choices(), runs.active_run(graph_id)
