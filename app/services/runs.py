"""Running graphs from the UI: one executor per process, and what a run looks like so far.

    fields = input_fields(graph_id)               # what the run form asks for
    run_id = start_run(graph_id, {"message": "hello"}, backend="langgraph", model=None)
    async for event in get_executor().subscribe(run_id):
        view.apply(event)                          # RunView: answer, trace rows, human step, error
    answer(run_id, approved=True)                  # or answer(run_id, text="…")
    cancel(run_id)
    active_run(graph_id)                           # a run still going, to show again after reload

The executor (in-process, or Celery when a broker is configured) is made lazily from
``get_settings()`` and the pages' store; states keep only plain values (``TraceRow``).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from typing import Any

from agent_runtime.backends import BACKEND_NAMES
from agent_runtime.errors import ConfigurationError, OrchestrallError, SpecValidationError
from agent_runtime.events import event_from_record
from agent_runtime.executors import executor_for
from agent_runtime.runtime import Runtime
from agent_runtime.secrets import EnvSecrets, SecretStore, StoredSecrets, load_secret_key
from agent_runtime.settings import get_settings
from agent_runtime.spec import parse_spec
from agent_runtime.store import RunRecord
from app.services.graphs import get_store
from app.services.run_view import PREVIEW_CHARS, RunView, TraceRow

__all__ = [
    "ACTIVE_STATUSES",
    "BACKEND_NAMES",
    "PREVIEW_CHARS",
    "InputFieldView",
    "RunView",
    "TraceRow",
    "active_run",
    "answer",
    "cancel",
    "close_executor",
    "get_executor",
    "input_fields",
    "replay",
    "run_again",
    "start_run",
    "start_run_at",
]

ACTIVE_STATUSES = ("queued", "running", "interrupted")

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


def start_run(
    graph_id: str,
    input: Mapping[str, Any] | str,
    thread_id: str | None = None,
    *,
    backend: str = "langgraph",
    model: Mapping[str, Any] | None = None,
) -> str:
    """Check the graph and the input, store a queued run and submit it; its id.

    ``input`` is the run's fields, or a chat message for the ``message`` field;
    ``model`` (see ``app.services.run_models``) replaces the graph's models for
    this run. A graph that cannot run raises ``OrchestrallError`` saying why.
    """
    executor, runtime = _parts()
    given = {"message": input} if isinstance(input, str) else dict(input)
    try:
        run = runtime.start(graph_id, given, thread_id=thread_id, backend=backend, model=model)
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


def start_run_at(
    graph_id: str,
    input: Mapping[str, Any],
    thread_id: str | None = None,
    *,
    backend: str = "langgraph",
    version: int | None = None,
) -> RunRecord:
    """Like ``start_run``, at a chosen spec ``version`` (None: the current one); the stored
    run.

    The runtime's own errors pass through unchanged (``SpecValidationError`` with every
    problem, ``NotFoundError`` for an unknown version, ``RunError`` ``bad_input``), so an
    API can answer each with its code.
    """
    executor, runtime = _parts()
    run = runtime.start(graph_id, input, thread_id=thread_id, backend=backend, version=version)
    executor.submit(run.id)
    return run


def run_again(run_id: str) -> str:
    """A new run of the same graph (its current version) with the run's input, engine and
    model; its id."""
    record = get_store().get_run(run_id)
    model = dict((record.options or {}).get("model") or {})
    model.pop("id", None)
    return start_run(
        record.graph_id, record.input or {}, backend=record.backend, model=model or None
    )


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


def active_run(graph_id: str) -> str | None:
    """The newest run of ``graph_id`` that has not ended (queued, running or waiting)."""
    for run in get_store().list_runs(graph_id=graph_id, limit=20):
        if run.status.value in ACTIVE_STATUSES:
            return run.id
    return None


@dataclasses.dataclass(frozen=True)
class InputFieldView:
    """One field the run form asks for (from the input node of the graph's current version)."""

    name: str
    type: str  # text | number | boolean
    description: str
    required: bool


def input_fields(graph_id: str) -> list[InputFieldView]:
    """The input fields of the graph's current version (``[]`` when it cannot be read)."""
    store = get_store()
    try:
        graph = store.get_graph(graph_id)
        spec = parse_spec(store.get_spec(graph_id, graph.current_version))
    except OrchestrallError:
        return []
    for node in spec.nodes:
        if node.kind == "input":
            return [
                InputFieldView(f.name, f.type, f.description or "", f.required) for f in node.fields
            ]
    return []
