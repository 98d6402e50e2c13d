"""``InProcessExecutor``: the embedded default — runs execute in this process, on one loop.

One daemon thread runs one long-lived event loop that owns one ``Runtime`` (so
compiled graphs, model clients and checkpointers are reused, never a loop per
run); at most ``max_concurrent_runs`` execute at once, the rest wait in order.
Live events go through an in-memory bus to subscribers on any thread or loop.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import Any

from agent_runtime.executors._bus import EventBus
from agent_runtime.executors._engine import RunEngine
from agent_runtime.executors._follow import follow
from agent_runtime.executors._options import ExecutorOptions
from agent_runtime.settings import Settings
from agent_runtime.store import Store

__all__ = ["InProcessExecutor"]

logger = logging.getLogger("agent_runtime.executors")


class _BusSink:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus

    async def begin(self, run_id: str) -> None:
        self._bus.begin(run_id)

    async def publish(self, event: Any, stored_seq: int) -> None:
        self._bus.publish(event, stored_seq)

    async def end(self, run_id: str) -> None:
        self._bus.end(run_id)

    async def aclose(self) -> None:
        return None


def _log_failure(future: Any) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.error("run execution crashed", exc_info=future.exception())


class InProcessExecutor:
    """Executes runs in a background thread of this process (see the module docstring).

    ``secrets`` is the mapping runs read secret values from. Use one per process and
    ``close()`` it (or use it as a context manager); runs still executing are cancelled.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        secrets: Mapping[str, str] | None = None,
        options: ExecutorOptions | None = None,
    ) -> None:
        self.store = store
        self.options = options or ExecutorOptions()
        self._bus = EventBus()
        self._engine = RunEngine(
            settings=settings,
            store=store,
            options=self.options,
            sink=_BusSink(self._bus),
            secrets=secrets,
            name="orchestrall-executor",
        )

    def submit(self, run_id: str, resume: Mapping[str, Any] | None = None) -> None:
        self._engine.submit(run_id, resume).add_done_callback(_log_failure)

    def cancel(self, run_id: str) -> None:
        self.store.get_run(run_id)  # NotFoundError for an unknown run, here and now
        self._engine.cancel(run_id).add_done_callback(_log_failure)

    async def subscribe(self, run_id: str, after_seq: int = 0) -> AsyncIterator[Any]:
        poll = self.options.subscribe_poll_interval
        async for event in follow(self.store, run_id, after_seq, self._bus.attach, poll):
            yield event

    def close(self) -> None:
        self._engine.close()

    def __enter__(self) -> InProcessExecutor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
