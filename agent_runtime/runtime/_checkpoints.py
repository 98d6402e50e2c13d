"""LangGraph checkpointers: SQLite by default, PostgreSQL when the database is PostgreSQL.

langgraph-checkpoint 3.0+ is required (older versions deserialised unsafely);
the pinned set has 4.x. The saver is created on the runtime's event loop and
lives as long as the runtime.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url


def checkpoint_target(database_url: str, data_dir: Path) -> tuple[str, str]:
    """(``"sqlite"``, file path) or (``"postgres"``, libpq URL) for a store URL."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        plain = url.set(drivername="postgresql")
        return "postgres", plain.render_as_string(hide_password=False)
    return "sqlite", str(data_dir / "checkpoints.db")


async def open_checkpointer(kind: str, target: str, stack: contextlib.AsyncExitStack) -> Any:
    """An async LangGraph saver with its tables set up; closed with ``stack``."""
    if kind == "postgres":
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        saver = await stack.enter_async_context(AsyncPostgresSaver.from_conn_string(target))
    else:
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        Path(target).parent.mkdir(parents=True, exist_ok=True)
        saver = await stack.enter_async_context(AsyncSqliteSaver.from_conn_string(target))
    await saver.setup()
    return saver
