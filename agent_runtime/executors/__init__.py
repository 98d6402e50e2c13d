"""Run executors: where runs execute, and how their events come back.

    executor = executor_for(settings, store)        # by ORCHESTRALL_BROKER_URL
    run = runtime.start(graph_id, {"message": "hi"})  # checks and stores a queued run
    executor.submit(run.id)                           # returns at once
    async for event in executor.subscribe(run.id):    # stored events, then live ones
        ...
    executor.cancel(run.id)

- ``InProcessExecutor`` (no broker URL): one background thread with one event loop
  and one ``Runtime``; at most ``ORCHESTRALL_MAX_CONCURRENT_RUNS`` runs at once.
- ``CeleryExecutor`` (``ORCHESTRALL_BROKER_URL=redis://…``): runs execute on
  ``orchestrall worker`` processes; live events come back over Redis pub/sub.

Runs whose executor died are failed with ``worker_lost`` (``reap_stale_runs``).
See ``docs/executors.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from agent_runtime.errors import ConfigurationError
from agent_runtime.executors._inprocess import InProcessExecutor
from agent_runtime.executors._lifecycle import WORKER_LOST, reap_stale_runs
from agent_runtime.executors._options import ExecutorOptions
from agent_runtime.executors._protocol import RunExecutor

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

    from agent_runtime.executors._celery_executor import CeleryExecutor
    from agent_runtime.settings import Settings
    from agent_runtime.store import Store

__all__ = [
    "WORKER_LOST",
    "CeleryExecutor",
    "ExecutorOptions",
    "InProcessExecutor",
    "RunExecutor",
    "executor_for",
    "reap_stale_runs",
]

# Celery is imported only when a broker is configured (fixed module name, never data).
_CELERY_MODULE = "agent_runtime.executors._celery_executor"


def executor_for(
    settings: Settings,
    store: Store,
    *,
    secrets: Mapping[str, str] | None = None,
    options: ExecutorOptions | None = None,
) -> RunExecutor:
    """The executor ``settings.broker_url`` asks for: Celery on Redis, else in-process.

    ``secrets`` serve in-process runs; Celery workers read their own (secrets never
    travel in task messages). A broker URL that is not Redis is a ``ConfigurationError``.
    """
    url = settings.broker_url
    if not url:
        return InProcessExecutor(settings, store, secrets=secrets, options=options)
    scheme = urlsplit(url).scheme
    if scheme not in ("redis", "rediss"):
        raise ConfigurationError(
            f"ORCHESTRALL_BROKER_URL must be a redis:// or rediss:// URL (live run events "
            f"travel over Redis pub/sub), not {scheme or 'that'}://…",
            code="bad_broker_url",
        )
    module = importlib.import_module(_CELERY_MODULE)
    return module.CeleryExecutor(settings, store, options=options)


def __getattr__(name: str) -> Any:
    if name == "CeleryExecutor":
        return importlib.import_module(_CELERY_MODULE).CeleryExecutor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
