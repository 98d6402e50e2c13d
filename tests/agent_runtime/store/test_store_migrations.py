"""The shipped Alembic migrations build exactly the tables the models describe, anywhere."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from agent_runtime.errors import ConfigurationError, StoreError
from agent_runtime.settings import Settings
from agent_runtime.store import open_store
from agent_runtime.store._db import Database, normalize_url
from agent_runtime.store._migrate import alembic_config, head_revision
from agent_runtime.store._tables import METADATA
from marketplace._tables import METADATA as MARKETPLACE_METADATA
from tests._services import postgres_schema

TABLES = {"graph", "graph_version", "run", "run_event", "secret", "thread_state", "api_key"}
MARKETPLACE_TABLES = {"template", "template_version", "template_review", "template_source"}


def _all_tables() -> sa.MetaData:
    """The store's tables and the marketplace's: one database, one migration chain."""
    merged = sa.MetaData()
    for metadata in (METADATA, MARKETPLACE_METADATA):
        for table in metadata.tables.values():
            table.to_metadata(merged)
    return merged


def _diffs(url: str, metadata: sa.MetaData | None = None) -> list:
    metadata = metadata if metadata is not None else _all_tables()
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, metadata)
    finally:
        db.dispose()


def _revision(url: str) -> str | None:
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        db.dispose()


def _tables(url: str) -> set[str]:
    db = Database(url)
    try:
        return set(sa.inspect(db.engine).get_table_names())
    finally:
        db.dispose()


def test_migrated_schema_matches_the_models(db_url: str):
    open_store(db_url).close()

    assert _diffs(db_url) == []
    assert _revision(db_url) == head_revision()
    assert _tables(db_url) == {*TABLES, *MARKETPLACE_TABLES, "alembic_version"}


def test_the_comparison_does_see_drift(db_url: str):
    open_store(db_url).close()
    drifted = _all_tables()
    drifted.tables["graph"].append_column(sa.Column("extra", sa.Integer()))

    assert [d[0] for d in _diffs(db_url, drifted)] == ["add_column"]


def test_upgrade_is_idempotent_and_downgrade_reverses_it(db_url: str, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no alembic.ini anywhere near: the package finds its own
    with open_store(db_url) as store:
        graph = store.create_graph("Survives reopening")
    with open_store(db_url) as store:
        assert store.get_graph(graph.id).name == "Survives reopening"

    db = Database(db_url)
    try:
        cfg = alembic_config()
        with db.write_connection() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
    finally:
        db.dispose()
    assert _tables(db_url) == {"alembic_version"}
    open_store(db_url).close()
    assert _diffs(db_url) == []


def test_a_database_from_a_newer_orchestrall_is_refused_clearly(db_url: str):
    open_store(db_url).close()
    db = Database(db_url)
    try:
        with db.write_connection() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    finally:
        db.dispose()

    with pytest.raises(StoreError, match="newer Orchestrall") as err:
        open_store(db_url)
    assert err.value.code == "schema_mismatch"


def test_sqlite_file_gets_its_directory_wal_and_foreign_keys(tmp_path: Path):
    path = tmp_path / "deep" / "er" / "orchestrall.db"
    with open_store(f"sqlite:///{path}") as store:
        assert store.dialect == "sqlite"
        with store._db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_open_store_defaults_to_the_settings_data_dir(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "home" / ".orchestrall", database_url=None)
    with open_store(settings=settings) as store:
        graph = store.create_graph("From settings")
    assert (tmp_path / "home" / ".orchestrall" / "orchestrall.db").is_file()
    with open_store(settings.resolved_database_url()) as store:
        assert store.get_graph(graph.id).name == "From settings"


def test_in_memory_sqlite_works_for_quick_scripts():
    with open_store("sqlite://") as store:
        graph = store.create_graph("Ephemeral")
        assert [g.id for g in store.list_graphs()] == [graph.id]


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u:secret@db:5432/orchestrall", "postgresql+psycopg"),
        ("postgres://u@db/orchestrall", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db/orchestrall", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_database_urls_are_normalised(given: str, driver: str):
    assert normalize_url(given).drivername == driver


def test_unsupported_or_malformed_urls_are_configuration_errors():
    with pytest.raises(ConfigurationError, match="Unsupported database") as err:
        open_store("mysql://user:hunter2@db/orchestrall")
    assert "hunter2" not in str(err.value)
    assert err.value.code == "bad_database_url"
    with pytest.raises(ConfigurationError, match="Not a database URL"):
        open_store("definitely not a url")


@pytest.mark.postgres
def test_plain_postgresql_urls_run_on_psycopg3():
    with postgres_schema("store") as url:
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with open_store(plain) as store:
            assert store.url.drivername == "postgresql+psycopg"
            assert store.dialect == "postgresql"
            graph = store.create_graph("On PG")
            assert store.get_graph(graph.id).created_at.utcoffset().total_seconds() == 0
        assert _diffs(url) == []


def test_unreachable_database_is_a_store_error(tmp_path: Path):
    with pytest.raises(StoreError) as err:
        open_store("postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2")
    assert err.value.code == "database_unavailable"
    assert "pw@" not in str(err.value)
