"""The runtime: compile specs (cached), start runs, stream and store their events, resume, cancel.

One ``Runtime`` per process and event loop. Compiled graphs are cached by the
spec's semantic hash and backend and reused by every run. Limits and
cancellation are enforced here the same way for every backend (see
``RunControl``); events are stored in order, token deltas coalesced per node.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from agent_runtime.backends import get_backend
from agent_runtime.compiler import check_capabilities, lower
from agent_runtime.errors import (
    LimitExceededError,
    OrchestrallError,
    RunCancelledError,
    RunError,
    RunStateError,
)
from agent_runtime.events import (
    InterruptEvent,
    RunCancelledEvent,
    RunFailedEvent,
    RunFinishedEvent,
    RunStartedEvent,
    TokenEvent,
)
from agent_runtime.execution import BackendServices, RunControl, RunRequest, StoreThreadState
from agent_runtime.memory import ChromaMemory, Memory
from agent_runtime.runtime._checkpoints import checkpoint_target, open_checkpointer
from agent_runtime.runtime._inputs import check_input
from agent_runtime.runtime._options import run_options, with_run_options
from agent_runtime.settings import Settings
from agent_runtime.spec import parse_spec, spec_hash
from agent_runtime.store import RunRecord, Store

logger = logging.getLogger("agent_runtime.runtime")

TOKEN_FLUSH_CHARS = 400

#: ``await listener(event, stored_seq)`` for every event a run yields, as it happens.
#: ``stored_seq`` is the event's seq; for a token delta (seq 0), the seq of the stored
#: (coalesced) token event it becomes part of. Executors publish live events with it.
EventListener = Callable[[Any, int], Awaitable[None]]


class Runtime:
    """Compiles and runs graphs for one process (and one event loop).

    ``listener`` (optional) hears every event of every run as it happens: executors
    use it to publish live events (see ``EventListener``).
    """

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        secrets: Mapping[str, str] | None = None,
        memory: Memory | None = None,
        checkpoint_url: str | None = None,
        listener: EventListener | None = None,
    ) -> None:
        self.settings, self.store = settings, store
        self.listener = listener
        self.secrets: Mapping[str, str] = secrets if secrets is not None else {}  # read on use
        self._checkpoint = checkpoint_target(
            checkpoint_url or settings.resolved_database_url(), settings.data_dir
        )
        # Chroma (embedded or ORCHESTRALL_CHROMA_URL) unless given; it opens on first use.
        self._own_memory = ChromaMemory(settings, secrets=self.secrets) if memory is None else None
        self.services = BackendServices(
            memory=memory or self._own_memory,
            checkpointer=self._checkpointer,
            thread_state=StoreThreadState(store),
        )
        self._cache: dict[str, Any] = {}
        self._active: dict[str, RunControl] = {}
        self._stepping: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Timeout]] = {}
        self._stack = contextlib.AsyncExitStack()
        self._saver: Any = None
        self._saver_lock = asyncio.Lock()

    # -- compile ------------------------------------------------------------

    def prepare(self, spec: Mapping[str, Any], backend: str = "langgraph") -> Any:
        """The executable for ``spec`` on ``backend``: from the cache, or validated and compiled."""
        key = f"{backend}|{spec_hash(dict(spec), include_layout=False)}"
        executable = self._cache.get(key)
        if executable is None:
            engine = get_backend(backend)
            graph = lower(parse_spec(spec), settings=self.settings, secrets=self.secrets)
            check_capabilities(graph, backend, engine.capabilities)
            executable = engine.compile(graph, self.services)
            self._cache[key] = executable
        return executable

    async def _checkpointer(self) -> Any:
        async with self._saver_lock:
            if self._saver is None:
                self._saver = await open_checkpointer(*self._checkpoint, self._stack)
            return self._saver

    async def aclose(self) -> None:
        """Close what compiled graphs hold (model clients), the checkpointer's connections
        and the memory this runtime opened."""
        executables, self._cache = list(self._cache.values()), {}
        for executable in executables:
            close = getattr(executable, "aclose", None)
            if close is not None:
                with contextlib.suppress(Exception):  # closing must not hide the run's outcome
                    await close()
        await self._stack.aclose()
        self._saver = None
        if self._own_memory is not None:
            await self._own_memory.aclose()  # the embedded store's lock goes with it

    # -- runs ---------------------------------------------------------------

    def start(
        self,
        graph_id: str,
        input: Mapping[str, Any],
        *,
        thread_id: str | None = None,
        backend: str = "langgraph",
        version: int | None = None,
        model: Mapping[str, Any] | None = None,
    ) -> RunRecord:
        """Check everything and create a queued run; raises before anything runs if it cannot.

        ``model`` (a model spec without an id) runs every model call on that model
        instead of the spec's own; the run keeps it in its ``options``.
        """
        graph = self.store.get_graph(graph_id)
        version = version or graph.current_version
        options = run_options(model=model)
        spec = with_run_options(self.store.get_spec(graph_id, version), options)
        executable = self.prepare(spec, backend)
        checked = check_input(executable.graph.input_fields, input)
        if thread_id:
            busy = [
                r
                for r in self.store.list_runs(graph_id=graph_id, limit=1000)
                if r.thread_id == thread_id
                and r.status.value in ("queued", "running", "interrupted")
            ]
            if busy:
                raise RunStateError(
                    f"Thread {thread_id!r} already has run {busy[0].id} {busy[0].status.value}; "
                    "finish, answer or cancel it first.",
                    code="thread_busy",
                )
        return self.store.create_run(
            graph_id,
            checked,
            backend=backend,
            thread_id=thread_id,
            graph_version=version,
            options=options,
        )

    def cancel(self, run_id: str) -> RunRecord:
        """Stop a run now: the step in progress (a model call, say) is abandoned.

        A queued run, or one waiting for a person, is cancelled at once; a running
        one ends with ``run_cancelled`` as soon as its event loop gets to it (this
        may be called from another thread).
        """
        control = self._active.get(run_id)
        if control is not None:
            control.cancel()
            stepping = self._stepping.get(run_id)
            if stepping is not None:
                stepping[0].call_soon_threadsafe(self._interrupt, run_id)
            return self.store.get_run(run_id)
        run = self.store.get_run(run_id)
        if run.status.is_terminal:
            raise RunStateError(f"Run {run_id} already ended ({run.status.value}).")
        self.store.append_run_event(run_id, "run_cancelled", None, RunCancelledEvent().payload())
        return self.store.finish_run(run_id, "cancelled", totals=run.totals)

    async def execute(
        self, run_id: str, *, resume: Mapping[str, Any] | None = None, stream_tokens: bool = True
    ) -> AsyncIterator[Any]:
        """Run (or resume) a stored run, yielding every event; the run row ends up final."""
        run = self.store.get_run(run_id)
        expected = "interrupted" if resume is not None else "queued"
        if run.status.value != expected:
            doing = "resume" if resume is not None else "start"
            raise RunStateError(f"Cannot {doing} run {run_id}: it is {run.status.value}.")
        spec = with_run_options(self.store.get_spec(run.graph_id, run.graph_version), run.options)
        executable = self.prepare(spec, run.backend)
        limits = executable.graph.limits
        totals = run.totals
        control = RunControl(
            limits=limits,
            steps=totals.steps,
            prompt_tokens=totals.prompt_tokens,
            completion_tokens=totals.completion_tokens,
            cost=totals.cost,
            started=time.monotonic() - totals.latency_ms / 1000,
        )
        request = RunRequest(
            run_id=run_id,
            thread_id=run.thread_id,
            graph_id=run.graph_id,
            input=None if resume is not None else dict(run.input or {}),
            resume=dict(resume) if resume is not None else None,
            stream_tokens=stream_tokens,
        )
        self._active[run_id] = control
        writer = _EventLog(self.store, run_id, run.last_seq, self.listener)
        ticker = asyncio.create_task(writer.tick())
        try:
            self.store.update_run_status(run_id, "running")
            if resume is None:
                event = RunStartedEvent(
                    backend=run.backend, thread_id=run.thread_id, input=dict(run.input or {})
                )
                yield await writer.write(event)
            remaining = max(0.001, limits.timeout_seconds - totals.latency_ms / 1000)
            async for event in self._drive(executable, request, control, writer, remaining):
                yield event
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            self._active.pop(run_id, None)
            await self._settle_abandoned(run_id, control, writer)

    async def _settle_abandoned(self, run_id: str, control: RunControl, writer: _EventLog) -> None:
        """If the consumer stopped listening mid-run, record the run as cancelled; lose nothing."""
        if self.store.get_run(run_id).status.value != "running":
            return
        await writer.write(RunCancelledEvent(totals=control.totals()))
        self.store.finish_run(run_id, "cancelled", totals=control.totals())

    async def _drive(
        self,
        executable: Any,
        request: RunRequest,
        control: RunControl,
        writer: _EventLog,
        remaining: float,
    ) -> AsyncIterator[Any]:
        run_id = request.run_id
        deadline = asyncio.get_running_loop().time() + remaining
        stream = executable.stream(request, control)
        final: Any = None
        waiting = False
        try:
            while True:  # consumed to the end: the last checkpoint is saved
                # Only the backend's work is timed (and interrupted by cancel), never the
                # caller's handling of an event: a slow consumer must not be cancelled.
                try:
                    event = await self._next_event(run_id, stream, control, deadline)
                except StopAsyncIteration:
                    break
                if isinstance(event, RunFinishedEvent):
                    final = event
                    continue
                waiting = waiting or isinstance(event, InterruptEvent)
                yield await writer.write(event)
            if waiting:
                await writer.flush()
                self.store.update_run_status(run_id, "interrupted", control.totals())
                return
        except TimeoutError:
            failure: OrchestrallError = (
                RunCancelledError("The run was cancelled.")
                if control.cancelled
                else LimitExceededError(
                    f"The run took longer than its limit of {control.limits.timeout_seconds:g} s.",
                    limit="timeout",
                )
            )
        except OrchestrallError as exc:
            failure = exc
        except Exception as exc:  # a bug, not the user's input: log it, tell them plainly
            logger.exception("run %s failed unexpectedly", run_id)
            failure = RunError(f"Unexpected error ({type(exc).__name__}).", code="internal_error")
        else:
            output = final.output if final is not None else ""
            totals = control.totals()
            yield await writer.write(RunFinishedEvent(output=output, totals=totals))
            self.store.finish_run(run_id, "succeeded", output=output, totals=totals)
            return
        finally:
            await stream.aclose()
        async for event in self._fail(run_id, failure, control, writer):
            yield event

    async def _next_event(
        self, run_id: str, stream: AsyncIterator[Any], control: RunControl, deadline: float
    ) -> Any:
        """The backend's next event before ``deadline``; ``cancel`` interrupts the wait."""
        async with asyncio.timeout_at(deadline) as timeout:
            self._stepping[run_id] = (asyncio.get_running_loop(), timeout)
            try:
                if control.cancelled:  # checked after registering, so no cancel slips through
                    raise RunCancelledError("The run was cancelled.")
                return await anext(stream)
            finally:
                self._stepping.pop(run_id, None)

    def _interrupt(self, run_id: str) -> None:
        """On the run's loop: end the step in progress now (it surfaces as a TimeoutError)."""
        stepping = self._stepping.get(run_id)
        if stepping is not None:
            stepping[1].reschedule(-1)

    async def _fail(
        self, run_id: str, failure: OrchestrallError, control: RunControl, writer: _EventLog
    ) -> AsyncIterator[Any]:
        totals = control.totals()
        node_id = getattr(failure, "node_id", None)
        if isinstance(failure, RunCancelledError):
            yield await writer.write(RunCancelledEvent(node_id=node_id, totals=totals))
            self.store.finish_run(run_id, "cancelled", totals=totals)
            return
        event = RunFailedEvent(
            node_id=node_id,
            code=failure.code,
            message=failure.message,
            limit=getattr(failure, "limit", None),
            totals=totals,
        )
        yield await writer.write(event)
        error = {"code": failure.code, "message": failure.message, "node_id": node_id}
        if event.limit:
            error["limit"] = event.limit
        self.store.finish_run(run_id, "failed", error=error, totals=totals)


class _EventLog:
    """A run's event log: seqs assigned here (one writer per run), rows written in batches.

    Events are yielded at once, stamped with their seq; they are stored in one
    transaction per batch: at an interrupt, at the run's end, and otherwise when
    the oldest unstored event is ``FLUSH_INTERVAL`` seconds old. Token deltas are
    streamed one by one and stored coalesced per node. The ``listener`` hears every
    event as it is yielded (a final event or an interrupt once it is stored); its
    failures are logged, never the run's.
    """

    FLUSH_INTERVAL = 0.25
    _FLUSH_AT = frozenset({"interrupt", "run_finished", "run_failed", "run_cancelled"})

    def __init__(
        self, store: Store, run_id: str, last_seq: int, listener: EventListener | None = None
    ) -> None:
        self.store, self.run_id, self.seq = store, run_id, last_seq
        self._listener = listener
        self._pending: list[Any] = []
        self._tokens: list[str] = []
        self._token_node: str | None = None
        self._since: float | None = None
        self._lock = asyncio.Lock()

    def _stamp(self, event: Any) -> Any:
        self.seq += 1
        stamped = event.model_copy(update={"run_id": self.run_id, "seq": self.seq})
        self._pending.append(stamped)
        if self._since is None:
            self._since = time.monotonic()
        return stamped

    def _close_tokens(self) -> None:
        if self._tokens:
            text, self._tokens = "".join(self._tokens), []
            self._stamp(TokenEvent(node_id=self._token_node, delta=text))

    async def flush(self, *, tokens: bool = True) -> None:
        """Store everything pending (and the token buffer, unless told not to) in one go.

        Batches are written one at a time, in seq order.
        """
        async with self._lock:
            if tokens:
                self._close_tokens()
            if self._pending:
                rows = [(e.type, e.node_id, e.payload()) for e in self._pending]
                self._pending, self._since = [], None
                await asyncio.to_thread(self.store.append_run_events, self.run_id, rows)

    async def tick(self) -> None:
        """While a run is active: store what waited ``FLUSH_INTERVAL`` even if no event follows

        (a node inside a long model call has its ``node_started`` stored in time).
        """
        while True:
            await asyncio.sleep(self.FLUSH_INTERVAL)
            if self._due():
                await self.flush(tokens=False)

    def _due(self) -> bool:
        return self._since is not None and time.monotonic() - self._since >= self.FLUSH_INTERVAL

    async def _tell(self, event: Any, stored_seq: int) -> None:
        if self._listener is not None:
            try:
                await self._listener(event, stored_seq)
            except Exception:  # live listeners are best effort; the run goes on
                logger.exception("event listener failed on run %s", self.run_id)

    async def write(self, event: Any) -> Any:
        """Stamp ``event`` (tokens: buffer them) and return it; store at batch boundaries."""
        if isinstance(event, TokenEvent):
            if self._token_node != event.node_id:
                self._close_tokens()
            self._token_node = event.node_id
            stored_seq = self.seq + 1  # the buffered deltas are stored as the next event
            self._tokens.append(event.delta)
            if sum(map(len, self._tokens)) >= TOKEN_FLUSH_CHARS:
                self._close_tokens()
            live = event.model_copy(update={"run_id": self.run_id})
            await self._tell(live, stored_seq)
            if self._due():
                await self.flush()
            return live
        self._close_tokens()
        stamped = self._stamp(event)
        if event.type in self._FLUSH_AT:
            await self.flush()
            await self._tell(stamped, stamped.seq)
            return stamped
        await self._tell(stamped, stamped.seq)
        if self._due():
            await self.flush()
        return stamped
