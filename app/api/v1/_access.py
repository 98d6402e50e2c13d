"""This process's API keys and rate limiter, made on first use and remade when the
store or the settings change (tests, settings reloads)."""

from __future__ import annotations

import threading
from typing import Any

from agent_runtime.access import ApiKeys, RateLimiter
from agent_runtime.settings import get_settings
from app.services.graphs import get_store

__all__ = ["api_keys", "rate_limiter"]

_lock = threading.Lock()
_made: dict[str, tuple[Any, Any]] = {}  # what → (made from, made)


def api_keys() -> ApiKeys:
    """The keys of this process's store (verification reads the database every time)."""
    store = get_store()
    with _lock:
        source, keys = _made.get("keys", (None, None))
        if source is not store:
            keys = ApiKeys(store)
            _made["keys"] = (store, keys)
        return keys


def rate_limiter() -> RateLimiter:
    """Per-key limits: in memory, or in Redis when ``ORCHESTRALL_REDIS_URL`` (or a Redis
    broker) is set, so every app worker shares them."""
    settings = get_settings()
    with _lock:
        source, limiter = _made.get("limiter", (None, None))
        if source is not settings:
            limiter = RateLimiter.from_settings(settings)
            _made["limiter"] = (settings, limiter)
        return limiter
