"""``Store``: graphs, versions, runs and run events behind one small object."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.engine import URL

from agent_runtime.settings import Settings, get_settings
from agent_runtime.store import _migrate
from agent_runtime.store._db import Database
from agent_runtime.store._graphs import GraphOps
from agent_runtime.store._runs import RunOps

__all__ = ["Store", "open_store"]


class Store(GraphOps, RunOps):
    """Persistence for graphs and runs on SQLite or PostgreSQL.

    Thread-safe: one engine per store, one short session per call, and every method
    returns frozen records, never ORM objects. Build it with ``open_store``.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def url(self) -> URL:
        """The database URL (render it with ``hide_password=True`` before showing it)."""
        return self._db.url

    @property
    def database(self) -> Database:
        """The database itself, for packages keeping their own tables in it (the marketplace)."""
        return self._db

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._db.dialect

    def close(self) -> None:
        """Close pooled connections; the store must not be used afterwards."""
        self._db.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self._db.url.render_as_string(hide_password=True)!r})"


def open_store(
    url: str | URL | None = None, *, settings: Settings | None = None, upgrade: bool = True
) -> Store:
    """Open the store at ``url`` (default: ``settings.resolved_database_url()``).

    Brings the schema to the newest migration first (``upgrade=False`` skips that).
    ``postgresql://`` URLs use psycopg 3; SQLite files get their directory created.
    """
    if url is None:
        settings = settings or get_settings()
        if not settings.database_url:
            settings.ensure_data_dir()
        url = settings.resolved_database_url()
    db = Database(url)
    try:
        if upgrade:
            _migrate.upgrade(db)
    except BaseException:
        db.dispose()
        raise
    return Store(db)
