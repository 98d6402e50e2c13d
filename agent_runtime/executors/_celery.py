"""The Celery side of run execution: the app, its one task, and each worker process's engine.

    celery -A agent_runtime.executors._celery worker      # or: orchestrall worker

``orchestrall.execute_run(run_id, resume)`` takes a run id and, for a resume, the
person's answer — never objects or secrets; the worker reads everything else
from its own settings, store and secrets. Each worker process keeps one
``RunEngine`` (one loop thread, one ``Runtime``), made after the fork and reused by
every task. Before executing, a worker claims the run in Redis, so a cancel that
claimed it first wins; a cancel request that comes later reaches the runtime
through the ``orchestrall:cancel`` channel (or the run's cancel key).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Mapping
from typing import Any

import redis.asyncio as aioredis
from celery import signals

from agent_runtime.backends import get_backend
from agent_runtime.errors import ConfigurationError, StoreError
from agent_runtime.executors._celery_app import TASK_NAME, create_celery_app
from agent_runtime.executors._engine import EngineHooks, RunEngine
from agent_runtime.executors._options import ExecutorOptions
from agent_runtime.executors._redis import (
    CANCEL_CHANNEL,
    CANCELLED_CLAIM,
    RedisSink,
    cancel_key,
    claim_key,
)
from agent_runtime.settings import Settings, get_settings
from agent_runtime.store import RunRecord, Store, open_store

__all__ = ["app", "execute_run", "run_worker"]

logger = logging.getLogger("agent_runtime.executors")

_SETTINGS = get_settings()  # the worker's edge: settings are read here, then passed down
_OPTIONS = ExecutorOptions()
if not _SETTINGS.broker_url:
    raise ConfigurationError(
        "A worker needs ORCHESTRALL_BROKER_URL=redis://… (the same as the app's).",
        code="no_broker_url",
    )
BROKER_URL: str = _SETTINGS.broker_url
app = create_celery_app(BROKER_URL, _OPTIONS, main=True)


class _Claims(EngineHooks):
    """Claims runs in Redis before executing them, and honours earlier cancel requests."""

    def __init__(self, url: str, ttl: int) -> None:
        self._url, self._ttl = url, ttl
        self._client: aioredis.Redis | None = None
        self._me = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

    @property
    def client(self) -> aioredis.Redis:
        if self._client is None:
            self._client = aioredis.Redis.from_url(self._url)
        return self._client

    async def may_start(self, run: RunRecord) -> bool:
        key = claim_key(run.id, run.last_seq)
        try:
            if await self.client.set(key, self._me, nx=True, ex=self._ttl):
                return True
            holder = await self.client.get(key)
        except Exception as exc:  # without Redis no cancel can have claimed it either
            logger.warning("cannot claim run %s in Redis: %s", run.id, exc)
            return True
        return holder != CANCELLED_CLAIM.encode()  # else: a dead attempt of ours

    async def started(self, run_id: str, engine: RunEngine) -> None:
        try:
            if await self.client.exists(cancel_key(run_id)):
                engine.cancel_if_running(run_id)
        except Exception as exc:
            logger.warning("cannot check run %s for a cancel request: %s", run_id, exc)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


async def _listen_for_cancels(url: str, engine: RunEngine) -> None:
    while True:
        client = aioredis.Redis.from_url(url)
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(CANCEL_CHANNEL)
            async for message in pubsub.listen():
                if message["type"] == "message":
                    engine.cancel_if_running(message["data"].decode())
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.warning("cancel channel lost (%s); listening again in 1 s", exc)
            await asyncio.sleep(1)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            await client.aclose()


async def _warm_up() -> None:
    """Import the default backend now, not during someone's first run on this process."""
    try:
        await asyncio.to_thread(get_backend, "langgraph")
    except Exception as exc:
        logger.warning("could not load the langgraph backend ahead of time: %s", exc)


def _run_secrets(settings: Settings, store: Store) -> Mapping[str, str]:
    """Secret values for runs: the encrypted store (same key as the app), then the env."""
    from agent_runtime.secrets import SecretStore, StoredSecrets, load_secret_key

    return StoredSecrets(SecretStore(store, load_secret_key(settings)))


class _WorkerProcess:
    """This process's engine, store and Redis links (one per process, after any fork)."""

    def __init__(self, settings: Settings, options: ExecutorOptions) -> None:
        self.pid = os.getpid()
        if not settings.chroma_url:  # memory refuses embedded Chroma here (docs/memory.md)
            logger.warning(
                "ORCHESTRALL_CHROMA_URL is not set: runs that use memory will fail with "
                "chroma_server_required (workers share memory through a Chroma server)."
            )
        self.store = open_store(settings=settings)
        url = settings.broker_url or BROKER_URL
        self.claims = _Claims(url, options.live_ttl)
        self.engine = RunEngine(
            settings=settings,
            store=self.store,
            options=options,
            sink=RedisSink(url, options.live_ttl),
            secrets=_run_secrets(settings, self.store),
            max_concurrent=1024,  # Celery decides how many tasks this process runs
            hooks=self.claims,
            name="orchestrall-worker",
        )
        self.engine.spawn(_listen_for_cancels(url, self.engine))
        self.engine.spawn(_warm_up())

    def execute(self, run_id: str, resume: Mapping[str, Any] | None) -> str:
        return self.engine.submit(run_id, resume).result()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.engine.call(self.claims.aclose(), timeout=5)
        self.engine.close()
        self.store.close()


_process: _WorkerProcess | None = None


def _worker_process() -> _WorkerProcess:
    global _process
    if _process is None or _process.pid != os.getpid():
        _process = _WorkerProcess(_SETTINGS, _OPTIONS)
    return _process


@app.task(name=TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True)
def execute_run(self: Any, run_id: str, resume: dict[str, Any] | None = None) -> str:
    """Execute (or resume) a stored run here; returns its status afterwards.

    While the database is unreachable the task is retried (backing off up to a
    minute) rather than dropped, which would leave the run queued for good.
    """
    try:
        return _worker_process().execute(run_id, resume)
    except StoreError as exc:
        if exc.code != "database_unavailable":
            raise
        logger.warning("run %s waits for the database: %s", run_id, exc)
        delay = min(60, 2**self.request.retries)
        raise self.retry(exc=exc, countdown=delay, max_retries=20) from exc


@signals.worker_process_init.connect
def _start_engine(**_: Any) -> None:
    try:  # each pool process starts its loop, heartbeats and reaper now
        _worker_process()
    except Exception:  # e.g. the database is down: the first task tries again
        logger.exception("this worker process could not start its run engine yet")


@signals.worker_ready.connect
def _start_engine_in_threads_pool(sender: Any = None, **_: Any) -> None:
    pool = getattr(getattr(sender, "controller", None), "pool_cls", None)
    if pool is not None and pool.__module__.endswith(".threads"):
        _worker_process()  # no pool process: this one executes runs


@signals.worker_process_shutdown.connect
def _stop_engine(**_: Any) -> None:
    if _process is not None and _process.pid == os.getpid():
        _process.close()


def run_worker(
    *,
    concurrency: int | None = None,
    pool: str = "prefork",
    loglevel: str = "info",
    hostname: str | None = None,
) -> None:
    """Start a worker in the foreground (what ``orchestrall worker`` does)."""
    argv = ["worker", f"--pool={pool}", f"--loglevel={loglevel}", "--without-mingle"]
    argv.append("--without-gossip")
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    if hostname:
        argv.append(f"--hostname={hostname}")
    app.worker_main(argv)
