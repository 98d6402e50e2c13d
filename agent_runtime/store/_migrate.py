"""Run the Alembic migrations shipped in ``migrations/``, with no ``alembic.ini`` needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from agent_runtime.errors import StoreError
from agent_runtime.store._db import Database

__all__ = ["alembic_config", "head_revision", "upgrade"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number; serialises concurrent upgrades of one PostgreSQL database.
_PG_LOCK_KEY = 0x0C4E57_2A11


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations, from any working directory."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(db: Database) -> None:
    """``alembic upgrade head`` in one transaction (DDL is transactional on both backends)."""
    cfg = alembic_config()
    with db.write_connection() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
        current = MigrationContext.configure(conn).get_current_revision()
        if current is not None and current == head_revision():
            return
        cfg.attributes["connection"] = conn
        try:
            command.upgrade(cfg, "head")
        except CommandError as e:
            raise StoreError(
                f"Cannot upgrade the database schema (at revision {current!r}): {e}. "
                "Is it from a newer Orchestrall?",
                code="schema_mismatch",
            ) from e
