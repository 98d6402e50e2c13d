"""Alembic environment. ``open_store`` passes a live connection in ``config.attributes``;
from a shell, ``-x url=...`` names the database (see ``alembic.ini`` beside this file)."""

from __future__ import annotations

from alembic import context

from agent_runtime.store._db import Database
from agent_runtime.store._tables import METADATA


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("Pass the database with -x url=... (or use agent_runtime.store).")
    db = Database(url)
    try:
        with db.write_connection() as conn:
            _run(conn)
    finally:
        db.dispose()
