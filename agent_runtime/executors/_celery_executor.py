"""``CeleryExecutor``: runs execute on Celery workers; events come back over Redis.

``submit`` sends ``orchestrall.execute_run(run_id, resume)`` (ids and the person's
answer only). ``subscribe`` reads the stored events, then the run's Redis channel.
``cancel`` cancels a queued or waiting run in the store when it claims the run
before any worker does; otherwise it asks the worker executing it to stop.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import Any

import redis

from agent_runtime.executors._celery_app import TASK_NAME, create_celery_app
from agent_runtime.executors._follow import follow
from agent_runtime.executors._lifecycle import cancel_unowned
from agent_runtime.executors._options import ExecutorOptions
from agent_runtime.executors._redis import (
    CANCEL_CHANNEL,
    CANCELLED_CLAIM,
    RedisFeed,
    cancel_key,
    claim_key,
    publish_once,
)
from agent_runtime.settings import Settings
from agent_runtime.store import RunStatus, Store

__all__ = ["CeleryExecutor"]


class CeleryExecutor:
    """Sends runs to ``orchestrall worker`` processes through the Redis broker."""

    def __init__(
        self, settings: Settings, store: Store, *, options: ExecutorOptions | None = None
    ) -> None:
        if not settings.broker_url:
            raise ValueError("CeleryExecutor needs settings.broker_url")
        self.store = store
        self.options = options or ExecutorOptions()
        self._url = settings.broker_url
        self._app = create_celery_app(self._url, self.options)
        self._redis = redis.Redis.from_url(self._url)

    def submit(self, run_id: str, resume: Mapping[str, Any] | None = None) -> None:
        answer = dict(resume) if resume is not None else None
        self._app.send_task(
            TASK_NAME, args=[run_id, answer], task_id=f"{run_id}-{uuid.uuid4().hex[:8]}"
        )

    def cancel(self, run_id: str) -> None:
        run = self.store.get_run(run_id)
        if run.status.is_terminal:
            return
        ttl = self.options.live_ttl
        pipe = self._redis.pipeline(transaction=False)
        pipe.set(cancel_key(run_id), "1", ex=ttl)
        pipe.publish(CANCEL_CHANNEL, run_id)
        pipe.execute()
        waiting = run.status in (RunStatus.QUEUED, RunStatus.INTERRUPTED)
        if waiting and self._redis.set(
            claim_key(run_id, run.last_seq), CANCELLED_CLAIM, nx=True, ex=ttl
        ):
            event = cancel_unowned(self.store, run_id)  # no worker will take it now
            if event is not None:
                publish_once(self._redis, event, ttl)

    async def subscribe(self, run_id: str, after_seq: int = 0) -> AsyncIterator[Any]:
        attach = functools.partial(RedisFeed.attach, self._url)
        poll = self.options.subscribe_poll_interval
        async for event in follow(self.store, run_id, after_seq, attach, poll):
            yield event

    def close(self) -> None:
        self._app.close()
        self._redis.close()

    def __enter__(self) -> CeleryExecutor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
