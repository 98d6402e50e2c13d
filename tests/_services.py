"""Real services for tests: PostgreSQL now (Redis, Chroma … can join here).

``postgres_url()`` finds a reachable server; ``require_postgres()`` skips the test
when there is none, except on CI (``CI`` set) where a missing server is a failure;
``postgres_schema()`` gives each test its own schema and drops it afterwards.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy.engine import URL, make_url

__all__ = ["postgres_schema", "postgres_url", "require_postgres"]

POSTGRES_ENV = "ORCHESTRALL_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",  # some dev machines only have root
)


def _libpq(url: str | URL) -> str:
    """A SQLAlchemy URL as a libpq URI psycopg accepts."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@functools.cache
def postgres_url() -> str | None:
    """The URL of a reachable PostgreSQL (``postgresql+psycopg://``), or None.

    ``ORCHESTRALL_TEST_POSTGRES_URL`` wins; otherwise 127.0.0.1:5432/test as
    ``postgres``, then as ``root``.
    """
    env = os.environ.get(POSTGRES_ENV)
    for url in [env] if env else DEFAULT_POSTGRES_URLS:
        try:
            with psycopg.connect(_libpq(url), connect_timeout=3) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error:
            continue
        return make_url(url).set(drivername="postgresql+psycopg").render_as_string(False)
    return None


def require_postgres() -> str:
    """``postgres_url()``, or skip the test (fail on CI, where PostgreSQL must run)."""
    url = postgres_url()
    if url is None:
        tried = os.environ.get(POSTGRES_ENV) or " or ".join(DEFAULT_POSTGRES_URLS)
        message = f"PostgreSQL is not reachable at {tried} (set {POSTGRES_ENV})."
        if _in_ci():
            pytest.fail(f"{message} CI must run the PostgreSQL tests.", pytrace=False)
        pytest.skip(message)
    return url


@contextmanager
def postgres_schema(prefix: str = "test") -> Iterator[str]:
    """Create a fresh schema; yield a URL whose ``search_path`` is that schema; drop it.

    Everything the code under test creates (tables, alembic_version …) lands in the
    schema, so tests can run in parallel on one database and leave nothing behind.
    """
    base = require_postgres()
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(base), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(base), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
