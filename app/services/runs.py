"""Running graphs from the UI: one executor per process, and what a run looks like so far.

    run_id = start_run(graph_id, "hello")          # checks, stores a queued run, submits it
    async for event in get_executor().subscribe(run_id):
        view.apply(event)                          # RunView: answer, trace rows, human step, error
    answer(run_id, approved=True)                  # or answer(run_id, answer="…")
    cancel(run_id)

The executor (in-process, or Celery when a broker is configured) is made lazily from
``get_settings()`` and the pages' store; states keep only plain values (``TraceRow``).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

from agent_runtime.errors import ConfigurationError, OrchestrallError, SpecValidationError
from agent_runtime.events import event_from_record
from agent_runtime.executors import executor_for
from agent_runtime.runtime import Runtime
from agent_runtime.secrets import EnvSecrets, SecretStore, StoredSecrets, load_secret_key
from agent_runtime.settings import get_settings
from app.services.graphs import get_store

__all__ = [
    "PREVIEW_CHARS",
    "RunView",
    "TraceRow",
    "answer",
    "cancel",
    "close_executor",
    "get_executor",
    "replay",
    "start_run",
]

PREVIEW_CHARS = 160

_lock = threading.Lock()
_executor: Any = None  # a RunExecutor
_runtime: Any = None  # a Runtime: creates (checks and stores) runs; the executor runs them


def _secrets(settings: Any, store: Any) -> Any:
    try:
        return StoredSecrets(SecretStore(store, load_secret_key(settings)))
    except ConfigurationError:
        return EnvSecrets()


def _parts() -> tuple[Any, Any]:
    global _executor, _runtime
    with _lock:
        if _executor is None or _runtime is None:
            settings, store = get_settings(), get_store()
            secrets = _secrets(settings, store)
            _executor = executor_for(settings, store, secrets=secrets)
            _runtime = Runtime(settings=settings, store=store, secrets=secrets)
        return _executor, _runtime


def get_executor() -> Any:
    """This process's ``RunExecutor`` (made on first use from the settings and the store)."""
    return _parts()[0]


def close_executor() -> None:
    """Close the executor (runs it executes are cancelled); the next use makes a new one."""
    global _executor, _runtime
    with _lock:
        executor, _executor, _runtime = _executor, None, None
    if executor is not None:
        executor.close()


def start_run(graph_id: str, message: str, thread_id: str | None = None) -> str:
    """Check the graph and the message, store a queued run and submit it; its id.

    A graph that cannot run raises ``OrchestrallError`` saying why in plain words.
    """
    executor, runtime = _parts()
    try:
        run = runtime.start(graph_id, {"message": message}, thread_id=thread_id)
    except SpecValidationError as exc:
        first = exc.problems[0]
        where = f" ({first.node_id})" if first.node_id else ""
        raise OrchestrallError(
            f"This graph can't run yet: it has {len(exc.problems)} problem(s). "
            f"First{where}: {first.message}",
            code=exc.code,
        ) from exc
    executor.submit(run.id)
    return run.id


def answer(run_id: str, *, approved: bool | None = None, text: str | None = None) -> None:
    """Resume a run waiting for a person: approve/reject, or answer with ``text``."""
    resume: dict[str, Any] = {"approved": approved} if approved is not None else {"answer": text}
    get_executor().submit(run_id, resume)


def cancel(run_id: str) -> None:
    """Ask the run to stop; it ends with ``run_cancelled``."""
    get_executor().cancel(run_id)


def replay(run_id: str) -> RunView:
    """The run as its stored events tell it so far (follow on from ``last_seq``)."""
    view = RunView()
    for row in get_store().list_run_events(run_id, limit=10_000):
        view.apply(event_from_record(row.run_id, row.seq, row.type, row.node_id, row.payload))
    return view


# ------------------------------------------------------------ the view ---


@dataclasses.dataclass
class TraceRow:
    """One node's step in a run, as the trace timeline shows it."""

    node_id: str
    kind: str = ""
    label: str = ""
    status: str = "running"  # running | done | failed | waiting
    duration_ms: int = 0
    tokens: int = 0
    preview: str = ""
    tool_calls: int = 0


@dataclasses.dataclass
class RunView:
    """What a run looks like so far, built from its events (``apply``); pure data."""

    thread_id: str = ""
    answer: str = ""
    trace: list[TraceRow] = dataclasses.field(default_factory=list)
    running_id: str = ""
    status: str = "running"  # running | waiting | succeeded | failed | cancelled
    waiting_mode: str = ""
    waiting_prompt: str = ""
    waiting_proposal: str = ""
    error: str = ""
    error_detail: str = ""
    last_seq: int = 0
    _started: dict[str, float] = dataclasses.field(default_factory=dict)
    _streamed: bool = False  # the answer so far is streamed tokens, not a final output

    def _row(self, node_id: str | None) -> TraceRow | None:
        for row in reversed(self.trace):
            if row.node_id == node_id:
                return row
        return None

    def apply(self, event: Any) -> None:
        self.last_seq = max(self.last_seq, event.seq)
        kind = event.type
        if self.status == "waiting" and kind not in ("interrupt", "run_cancelled"):
            self.resumed()
        row = self._row(event.node_id)
        if kind == "run_started":
            self.thread_id = event.thread_id
        elif kind == "node_started":
            self.trace.append(TraceRow(event.node_id or "", event.kind, event.label))
            self._started[event.node_id or ""] = time.monotonic()
            self.running_id = event.node_id or ""
            self.status = "running"
        elif kind == "token":
            if not self._streamed:
                self.answer, self._streamed = "", True
            self.answer += event.delta
        elif kind == "tool_called" and row is not None:
            row.tool_calls += 1
        elif kind == "node_finished" and row is not None:
            row.status = "done"
            started = self._started.pop(row.node_id, None)
            ms = event.latency_ms or ((time.monotonic() - started) * 1000 if started else 0)
            row.duration_ms = round(ms)
            row.tokens = event.prompt_tokens + event.completion_tokens
            row.preview = _preview(event.output)
            self.running_id = ""
        elif kind == "interrupt":
            self.status, self.running_id = "waiting", ""
            self.waiting_mode, self.waiting_prompt = event.mode, event.prompt
            self.waiting_proposal = event.proposal
            if row is not None:
                row.status = "waiting"
        elif kind == "run_finished":
            self.status, self.running_id = "succeeded", ""
            self.answer, self._streamed = event.output, False
        elif kind == "run_failed":
            self.status, self.running_id = "failed", ""
            self.error = _plain_failure(event.code)
            self.error_detail = f"{event.code}: {event.message}"
            for failed in self.trace:
                if failed.status == "running":
                    failed.status = "failed"
        elif kind == "run_cancelled":
            self.status, self.running_id = "cancelled", ""
            self.waiting_mode = self.waiting_prompt = self.waiting_proposal = ""
            for stopped in self.trace:
                if stopped.status in ("running", "waiting"):
                    stopped.status = "failed"

    def resumed(self) -> None:
        """The person answered: the waiting step is done, the run goes on."""
        for row in self.trace:
            if row.status == "waiting":
                row.status = "done"
        self.status = "running"
        self.waiting_mode = self.waiting_prompt = self.waiting_proposal = ""

    @property
    def ended(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")


_FAILURES = {
    "limit_exceeded": "The run hit one of the graph's limits (steps, time or tokens).",
    "model_unavailable": "The model could not be reached or gave an unusable answer.",
    "worker_lost": "The worker running this graph stopped before it finished.",
}


def _plain_failure(code: str) -> str:
    return _FAILURES.get(code, "The run failed.")


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
