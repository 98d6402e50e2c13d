"""Per-key rate limits: requests per minute and concurrent runs, shared by every worker.

    limiter = RateLimiter.from_settings(settings)   # memory, or Redis when configured
    limiter.hit(key)                                # RateLimitedError with retry_after
    with limiter.run_slot(key):                     # RateLimitedError if too many runs
        ...

Requests use the ``limits`` library's moving window (exact over the last 60 s).
Counters live in this process's memory by default, and in Redis when
``ORCHESTRALL_REDIS_URL`` (or a ``redis://`` broker) is set, so several app
workers share them. Concurrent runs are a Redis sorted set per key (members are
slot tokens, scores their expiry), so a worker that dies cannot hold a slot for
longer than ``SLOT_TTL_S``.
"""

from __future__ import annotations

import contextlib
import math
import re
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

from agent_runtime.access._keys import ApiKey
from agent_runtime.errors import ConfigurationError, RateLimitedError, StoreError
from agent_runtime.settings import Settings

__all__ = ["SLOT_TTL_S", "RateLimiter"]

SLOT_TTL_S = 3600
"""A run slot not released (a worker died) frees itself after this long."""

_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, oldest[2]}
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {1, 0}
"""


def _without_credentials(url: str) -> str:
    """``url`` with any ``user:password@`` removed (it appears in messages and logs)."""
    return re.sub(r"(?<=://)[^/@\s]*@", "", url)


class RateLimiter:
    """Requests per minute and concurrent runs per API key."""

    def __init__(
        self,
        *,
        storage_url: str = "memory://",
        per_minute: int = 60,
        concurrent_runs: int = 4,
    ) -> None:
        from limits import storage, strategies

        self.per_minute, self.concurrent_runs = per_minute, concurrent_runs
        self.storage_url = storage_url
        shown = _without_credentials(storage_url)
        try:
            self._storage = storage.storage_from_string(storage_url)
        except Exception as exc:  # limits raises its own errors, quoting the whole URL
            reason = str(exc).replace(storage_url, shown)
            raise ConfigurationError(
                f"Rate-limit storage {shown!r} is unusable: {reason}",
                code="bad_rate_limit_storage",
            ) from exc
        self._shown = shown
        self._window = strategies.MovingWindowRateLimiter(self._storage)
        self._redis: Any = None
        if storage_url.startswith(("redis://", "rediss://")):
            import redis

            self._redis = redis.Redis.from_url(storage_url)
            self._acquire = self._redis.register_script(_ACQUIRE)
        self._slots: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _storage_errors(self) -> Iterator[None]:
        """Redis failures as ``StoreError`` (``rate_limiter_unavailable``), URL without password."""
        try:
            yield
        except Exception as exc:
            import redis

            if not isinstance(exc, redis.RedisError):
                raise
            raise StoreError(
                f"The rate-limit store at {self._shown} cannot be reached "
                f"({type(exc).__name__}); try again shortly.",
                code="rate_limiter_unavailable",
            ) from exc

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        url = settings.redis_url
        if not url and settings.broker_url and settings.broker_url.startswith("redis"):
            url = settings.broker_url
        return cls(
            storage_url=url or "memory://",
            per_minute=settings.api_requests_per_minute,
            concurrent_runs=settings.api_concurrent_runs,
        )

    @property
    def shared(self) -> bool:
        """Whether counters are shared between processes (Redis)."""
        return self._redis is not None

    def hit(self, key: ApiKey) -> None:
        """Count one request of ``key``; ``RateLimitedError`` (with Retry-After) when over."""
        from limits import RateLimitItemPerMinute

        limit = key.per_minute or self.per_minute
        item = RateLimitItemPerMinute(limit)
        with self._storage_errors():
            if self._window.hit(item, "orchestrall-api", key.id):
                return
            stats = self._window.get_window_stats(item, "orchestrall-api", key.id)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        raise RateLimitedError(
            f"This API key may make {limit} requests a minute; try again in {wait} s.",
            retry_after=wait,
        )

    @contextlib.contextmanager
    def run_slot(self, key: ApiKey) -> Iterator[None]:
        """Hold one of the key's concurrent-run slots for the block."""
        token = self.acquire_run(key)
        try:
            yield
        finally:
            self.release_run(key, token)

    def acquire_run(self, key: ApiKey) -> str:
        """Take a run slot (released by ``release_run``); RateLimitedError when all are taken."""
        limit = key.concurrent_runs or self.concurrent_runs
        token, now = uuid.uuid4().hex, time.time()
        if self._redis is not None:
            with self._storage_errors():
                taken, _oldest = self._acquire(
                    keys=[f"orchestrall:runs:{key.id}"],
                    args=[now, limit, now + SLOT_TTL_S, token, SLOT_TTL_S + 60],
                )
            if int(taken):
                return token
        else:
            with self._lock:
                slots = self._slots.setdefault(key.id, {})
                for old in [t for t, expiry in slots.items() if expiry <= now]:
                    del slots[old]
                if len(slots) < limit:
                    slots[token] = now + SLOT_TTL_S
                    return token
        raise RateLimitedError(
            f"This API key may have {limit} run(s) going at once; wait for one to finish.",
            retry_after=5,
            code="too_many_runs",
        )

    def release_run(self, key: ApiKey, token: str) -> None:
        if self._redis is not None:
            with self._storage_errors():
                self._redis.zrem(f"orchestrall:runs:{key.id}", token)
            return
        with self._lock:
            self._slots.get(key.id, {}).pop(token, None)
