"""Engines and sessions: one engine per store, one short session per call.

SQLite gets WAL, foreign keys, a busy timeout and real transactions: SQLAlchemy emits
``BEGIN`` itself (``BEGIN IMMEDIATE`` for writes, so two writers queue on the lock
instead of failing on upgrade). PostgreSQL URLs run on psycopg 3.
Database exceptions are translated here into the store's own errors.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from agent_runtime.errors import ConfigurationError, ConflictError, OrchestrallError, StoreError

__all__ = ["Database", "ensure_json", "normalize_url"]

_SQLITE_BUSY_TIMEOUT_S = 30
_WRITE_OPTION = "orchestrall_write"
_json_dumps = functools.partial(json.dumps, allow_nan=False, ensure_ascii=False)


def normalize_url(url: str | URL) -> URL:
    """Parse ``url``; ``postgresql://`` / ``postgres://`` become ``postgresql+psycopg://``."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError as e:
        raise ConfigurationError(f"Not a database URL: {e}", code="bad_database_url") from e
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        shown = parsed.render_as_string(hide_password=True)
        raise ConfigurationError(
            f"Unsupported database {shown!r}: use sqlite:///path or postgresql://…",
            code="bad_database_url",
        )
    return parsed


def ensure_json(value: Any, what: str) -> None:
    """Raise ``StoreError(code="not_json")`` unless ``value`` is strict JSON (no NaN, no sets).

    Checked up front because psycopg serialises inside ``execute``, where the error
    would surface as a bare ``TypeError``/``ValueError``.
    """
    try:
        _json_dumps(value)
    except (TypeError, ValueError) as e:
        raise StoreError(f"{what} cannot be stored as JSON: {e}", code="not_json") from e


def _make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "postgresql":
        return sa.create_engine(url, pool_pre_ping=True, json_serializer=_json_dumps)
    db = url.database or ""
    kwargs: dict[str, Any] = {}
    if db in ("", ":memory:"):
        kwargs["poolclass"] = StaticPool  # one connection, so one shared in-memory database
    elif not db.startswith("file:"):  # a plain path, not a sqlite URI
        Path(db).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": _SQLITE_BUSY_TIMEOUT_S},
        json_serializer=_json_dumps,
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def _translated() -> Iterator[None]:
    """Turn SQLAlchemy errors into ``StoreError``s; messages never echo statement params."""
    try:
        yield
    except OrchestrallError:
        raise
    except exc.IntegrityError as e:
        raise ConflictError(f"The write conflicts with stored data: {_first_line(e.orig)}") from e
    except exc.OperationalError as e:
        raise StoreError(
            f"The database is unavailable or busy: {_first_line(e.orig)}",
            code="database_unavailable",
        ) from e
    except exc.StatementError as e:
        if isinstance(e.orig, TypeError | ValueError):
            raise StoreError(
                f"A value could not be stored as JSON: {e.orig}", code="not_json"
            ) from e
        raise StoreError(f"The database refused the operation: {_first_line(e.orig)}") from e
    except exc.SQLAlchemyError as e:
        raise StoreError(f"The database refused the operation: {type(e).__name__}") from e


def _first_line(err: object) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


class Database:
    """An engine plus short-lived sessions. ``read()`` and ``write()`` are the only doors."""

    def __init__(self, url: str | URL) -> None:
        self.url = normalize_url(url)
        self.engine = _make_engine(self.url)
        self._write_engine = self.engine.execution_options(**{_WRITE_OPTION: True})

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads; rolled back at the end."""
        with _translated(), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed if the block returns, rolled back if it raises."""
        with (
            _translated(),
            Session(self._write_engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def write_connection(self) -> Iterator[sa.Connection]:
        """A Core connection in one write transaction (used by migrations)."""
        with _translated(), self._write_engine.begin() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
