"""``RunEngine``: where runs execute — one daemon thread, one long-lived loop, one ``Runtime``.

The in-process executor and every Celery worker process use one engine each.
Its thread-safe doors (``submit``, ``cancel``, ``cancel_if_running``, ``close``)
hand work to the loop, where a semaphore bounds how many runs execute at once.
The loop also touches the heartbeat of every run it executes and reaps stale
runs (their executor died) now and then. Live events go to an ``EventSink``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from agent_runtime.errors import NotFoundError, RunStateError
from agent_runtime.executors._lifecycle import (
    cancel_unowned,
    fail_lost_run,
    fail_unfinished,
    reap_stale_runs,
)
from agent_runtime.executors._options import ExecutorOptions
from agent_runtime.runtime import Runtime
from agent_runtime.settings import Settings
from agent_runtime.store import RunRecord, RunStatus, Store

__all__ = ["EngineHooks", "EventSink", "RunEngine"]

logger = logging.getLogger("agent_runtime.executors")

# Published once the execution has returned, so whoever sees them also finds the run
# row final (or waiting), e.g. to resume it at once.
_HELD = frozenset({"run_finished", "run_failed", "run_cancelled", "interrupt"})


class EventSink(Protocol):
    """Where live events go. ``publish`` must not raise (live delivery is best effort)."""

    async def begin(self, run_id: str) -> None: ...

    async def publish(self, event: Any, stored_seq: int) -> None: ...

    async def end(self, run_id: str) -> None: ...

    async def aclose(self) -> None: ...


class EngineHooks:
    """Extra checks around an execution (the Celery worker claims runs and honours cancels)."""

    async def may_start(self, run: RunRecord) -> bool:
        """False when the run must not execute here (someone else owns it)."""
        return True

    async def started(self, run_id: str, engine: RunEngine) -> None:
        """The run is executing (``Runtime.cancel`` reaches it from now on)."""


class RunEngine:
    """Executes runs on its own loop thread; everything public is thread-safe.

    A run this engine owns is ``waiting`` (for a slot), ``checking`` (its status, or a
    dead worker's heartbeat), ``starting`` (not yet known to the runtime) or
    ``running``; only the last two are executing here: they get heartbeats and the
    reaper leaves them alone. A cancel reaches a run in every state: a waiting one is
    ended in the store at once, the others as soon as they would execute.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        options: ExecutorOptions,
        sink: EventSink,
        secrets: Mapping[str, str] | None = None,
        max_concurrent: int | None = None,
        hooks: EngineHooks | None = None,
        name: str = "orchestrall-runs",
    ) -> None:
        self.store, self.options, self._sink = store, options, sink
        self._hooks = hooks or EngineHooks()
        self._owned: dict[str, str] = {}  # run id -> state (loop thread only)
        self._cancel_asked: set[str] = set()
        self._held: dict[str, list[tuple[Any, int]]] = {}
        self._inflight: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()
        limit = max_concurrent or options.max_concurrent_runs
        try:
            self.call(self._setup(settings, secrets, limit))
        except BaseException:
            self._closed = True
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()
            raise

    # -- thread-safe doors ----------------------------------------------------

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float | None = None) -> Any:
        """Run ``coro`` on the engine's loop and wait for its result (not from that loop)."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run ``coro`` on the engine's loop in the background until ``close``."""
        self._loop.call_soon_threadsafe(self._adopt, coro)

    def _adopt(self, coro: Coroutine[Any, Any, Any]) -> None:
        self._chores.append(asyncio.create_task(coro))

    def submit(
        self, run_id: str, resume: Mapping[str, Any] | None = None
    ) -> concurrent.futures.Future[str]:
        """Execute the run when a slot is free; the future gives its status afterwards."""
        if self._closed:
            raise RuntimeError("The executor is closed.")
        answer = dict(resume) if resume is not None else None
        return asyncio.run_coroutine_threadsafe(self._run(run_id, answer), self._loop)

    def cancel(self, run_id: str) -> concurrent.futures.Future[None]:
        """Cancel the run: stop it if it is ours, else end it in the store if it waits."""
        return asyncio.run_coroutine_threadsafe(self._cancel(run_id, owner=True), self._loop)

    def cancel_if_running(self, run_id: str) -> None:
        """Stop the run if this engine executes it; otherwise do nothing."""
        asyncio.run_coroutine_threadsafe(self._cancel(run_id, owner=False), self._loop)

    def close(self, timeout: float = 10.0) -> None:
        """Cancel what runs here, close the runtime and stop the loop thread."""
        if self._closed:
            return
        self._closed = True
        try:
            self.call(self._shutdown(timeout), timeout + 5)
        except Exception:
            logger.exception("the run engine did not shut down cleanly")
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
            if not self._thread.is_alive():
                self._loop.close()

    @property
    def owned(self) -> frozenset[str]:
        """Ids of the runs this engine holds (waiting, starting or running)."""
        return frozenset(self._owned)

    # -- on the loop ----------------------------------------------------------

    async def _setup(
        self, settings: Settings, secrets: Mapping[str, str] | None, limit: int
    ) -> None:
        self.runtime = Runtime(
            settings=settings, store=self.store, secrets=secrets, listener=self._listen
        )
        self._slots = asyncio.Semaphore(limit)
        self._chores = [
            asyncio.create_task(self._every(self.options.heartbeat_interval, self._heartbeat)),
            asyncio.create_task(self._every(self.options.reap_interval, self._reap, first=0)),
        ]

    async def _every(
        self, interval: float, chore: Callable[[], Awaitable[None]], first: float | None = None
    ) -> None:
        await asyncio.sleep(interval if first is None else first)
        while True:
            try:
                await chore()
            except Exception:
                logger.exception("executor chore %s failed", chore.__name__)
            await asyncio.sleep(interval)

    def _executing(self) -> list[str]:
        return [r for r, state in self._owned.items() if state in ("starting", "running")]

    async def _heartbeat(self) -> None:
        if active := self._executing():
            await asyncio.to_thread(self._touch, active)

    def _touch(self, run_ids: list[str]) -> None:
        for run_id in run_ids:
            self.store.touch_run(run_id)

    async def _reap(self) -> None:
        events = await asyncio.to_thread(
            reap_stale_runs,
            self.store,
            self.options.stale_run_after,
            exclude=frozenset(self._executing()),
        )
        for event in events:
            await self._sink.publish(event, event.seq)

    async def _listen(self, event: Any, stored_seq: int) -> None:
        """The runtime's listener: live events go out now, the last one of an execution later."""
        if event.type in _HELD and event.run_id in self._owned:
            self._held.setdefault(event.run_id, []).append((event, stored_seq))
        else:
            await self._sink.publish(event, stored_seq)

    async def _publish_stored(self, event: Any) -> None:
        if event is not None:
            await self._sink.publish(event, event.seq)

    async def _run(self, run_id: str, resume: dict[str, Any] | None) -> str:
        task = asyncio.current_task()
        assert task is not None
        self._inflight.add(task)
        try:
            while run_id in self._owned:  # e.g. a resume sent as the last execution ends
                await asyncio.sleep(0.02)
            self._owned[run_id] = "waiting"
            try:
                async with self._slots:
                    if run_id in self._cancel_asked:
                        return RunStatus.CANCELLED.value
                    self._owned[run_id] = "checking"
                    return await self._execute(run_id, resume)
            finally:
                del self._owned[run_id]
                self._cancel_asked.discard(run_id)
                for event, stored_seq in self._held.pop(run_id, ()):
                    await self._sink.publish(event, stored_seq)
                await self._sink.end(run_id)
        finally:
            self._inflight.discard(task)

    async def _execute(self, run_id: str, resume: dict[str, Any] | None) -> str:
        try:
            run = await asyncio.to_thread(self.store.get_run, run_id)
        except NotFoundError:
            logger.warning("run %s does not exist; nothing to execute", run_id)
            return "missing"
        if run.status is RunStatus.RUNNING:
            run = await self._orphaned(run)
        expected = RunStatus.INTERRUPTED if resume is not None else RunStatus.QUEUED
        if run.status is not expected or not await self._hooks.may_start(run):
            logger.info("run %s not executed: it is %s", run_id, run.status.value)
            return run.status.value
        if run_id in self._cancel_asked:
            await self._publish_stored(await asyncio.to_thread(cancel_unowned, self.store, run_id))
            return RunStatus.CANCELLED.value
        self._owned[run_id] = "starting"
        failure: BaseException | None = None
        try:
            await asyncio.to_thread(self.store.touch_run, run_id)
            await self._sink.begin(run_id)
            async for _event in self.runtime.execute(run_id, resume=resume):
                if self._owned[run_id] == "starting":  # the runtime has it now
                    self._owned[run_id] = "running"
                    await self._hooks.started(run_id, self)
                    if run_id in self._cancel_asked:
                        self.runtime.cancel(run_id)
        except Exception as exc:
            failure = exc
            logger.warning("run %s could not execute: %s", run_id, exc)
        if failure is not None:
            await self._publish_stored(
                await asyncio.to_thread(fail_unfinished, self.store, run_id, failure)
            )
        status = (await asyncio.to_thread(self.store.get_run, run_id)).status.value
        logger.info("run %s ended %s", run_id, status)
        return status

    async def _orphaned(self, run: RunRecord) -> RunRecord:
        """The run is marked running, not here: a redelivery after its worker died, a
        duplicate of a run alive elsewhere, or one about to stop for a person. Watch it
        until it settles: its heartbeat moves (alive elsewhere), its status changes, or
        the heartbeat goes stale and the run fails with ``worker_lost``."""
        seen = run.heartbeat_at
        stale = self.options.stale_run_after
        while run.status is RunStatus.RUNNING and run.heartbeat_at == seen:
            alive = run.heartbeat_at or run.started_at or run.created_at
            age = (datetime.now(UTC) - alive).total_seconds()
            if age > stale:
                await self._publish_stored(
                    await asyncio.to_thread(fail_lost_run, self.store, run, stale)
                )
            else:
                await asyncio.sleep(min(0.25, stale - age + 0.05))
            run = await asyncio.to_thread(self.store.get_run, run.id)
        return run

    async def _cancel(self, run_id: str, *, owner: bool) -> None:
        state = self._owned.get(run_id)
        if state == "running":
            with contextlib.suppress(RunStateError):  # it may just have ended
                self.runtime.cancel(run_id)
            return
        if state is not None:
            self._cancel_asked.add(run_id)  # honoured before it executes, or once it does
            if state != "waiting" or not owner:
                return
        elif not owner:
            return
        run = await asyncio.to_thread(self.store.get_run, run_id)
        if run.status in (RunStatus.QUEUED, RunStatus.INTERRUPTED):
            await self._publish_stored(await asyncio.to_thread(cancel_unowned, self.store, run_id))

    async def _shutdown(self, timeout: float) -> None:
        for chore in self._chores:
            chore.cancel()
        await asyncio.gather(*self._chores, return_exceptions=True)
        for run_id in list(self._owned):
            await self._cancel(run_id, owner=True)
        if self._inflight:
            await asyncio.wait(list(self._inflight), timeout=timeout)
        await self.runtime.aclose()
        await self._sink.aclose()
        strays = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in strays:
            task.cancel()
        await asyncio.gather(*strays, return_exceptions=True)
        await asyncio.get_running_loop().shutdown_asyncgens()
