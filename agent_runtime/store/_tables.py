"""SQLModel tables of the store. Rows never leave this package: callers get records.

    graph ──< graph_version ──< run ──< run_event
    (id)      (graph_id, version)  (id)   (run_id, seq)

    secret (name)   encrypted values, read and written only by ``agent_runtime.secrets``
    api_key (id)    hashed API keys, read and written only by ``agent_runtime.access``

``graph_version`` rows are immutable. ``graph.current_version`` and ``run.last_seq``
are counters bumped under a row lock (PostgreSQL) or the write lock (SQLite) in the
transaction that inserts the version or event, so numbers are unique and gap-free.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

__all__ = [
    "METADATA",
    "RUN_STATUSES",
    "ApiKeyRow",
    "GraphRow",
    "GraphVersionRow",
    "RunEventRow",
    "RunRow",
    "SecretRow",
    "UTCDateTime",
    "new_id",
    "utcnow",
]

METADATA = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

RUN_STATUSES = ("queued", "running", "interrupted", "succeeded", "failed", "cancelled")


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive, as UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _jsonb(*, nullable: bool = False) -> sa.types.TypeEngine[Any]:
    """JSON everywhere, JSONB on PostgreSQL; SQL NULL (not JSON ``null``) for ``None``."""
    return sa.JSON(none_as_null=nullable).with_variant(JSONB(none_as_null=nullable), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class _Table(SQLModel, registry=registry(metadata=METADATA)):
    """Base of the store's tables: its own metadata, so nothing else shares it."""


class GraphRow(_Table, table=True):
    __tablename__ = "graph"
    __table_args__ = (sa.Index(None, "updated_at"),)

    id: str = Field(primary_key=True, sa_type=sa.String(32))
    name: str = Field(sa_type=sa.String(200))
    description: str = Field(default="", sa_type=sa.Text())
    created_at: datetime = Field(sa_type=UTCDateTime())
    updated_at: datetime = Field(sa_type=UTCDateTime())
    current_version: int = Field(default=0)
    is_valid: bool = Field(default=False)
    node_count: int = Field(default=0)
    template_slug: str | None = Field(default=None, sa_type=sa.String(64), nullable=True)
    template_version: str | None = Field(default=None, sa_type=sa.String(40), nullable=True)


class GraphVersionRow(_Table, table=True):
    __tablename__ = "graph_version"

    graph_id: str = Field(
        primary_key=True,
        sa_type=sa.String(32),
        foreign_key="graph.id",
        ondelete="CASCADE",
    )
    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    # Plain JSON, not JSONB: keeps the author's key order for exports and diffs.
    spec: dict[str, Any] = Field(sa_type=sa.JSON())
    is_valid: bool
    problems: list[dict[str, Any]] = Field(sa_type=_jsonb())
    message: str = Field(default="", sa_type=sa.Text())
    created_at: datetime = Field(sa_type=UTCDateTime())


class RunRow(_Table, table=True):
    __tablename__ = "run"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["graph_id", "graph_version"],
            ["graph_version.graph_id", "graph_version.version"],
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in RUN_STATUSES) + ")", name="status"
        ),
        sa.Index(None, "graph_id", "created_at"),
        sa.Index(None, "status"),
    )

    id: str = Field(primary_key=True, sa_type=sa.String(32))
    graph_id: str = Field(sa_type=sa.String(32))
    graph_version: int
    status: str = Field(sa_type=sa.String(16))
    backend: str = Field(sa_type=sa.String(64))
    thread_id: str = Field(sa_type=sa.String(200))
    input: Any = Field(sa_type=_jsonb(nullable=True), nullable=True)
    output: Any = Field(default=None, sa_type=_jsonb(nullable=True), nullable=True)
    error: dict[str, Any] | None = Field(default=None, sa_type=_jsonb(nullable=True))
    totals: dict[str, Any] = Field(sa_type=_jsonb())
    last_seq: int = Field(default=0)
    created_at: datetime = Field(sa_type=UTCDateTime())
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    # Touched every few seconds by the process executing the run; a stale one means
    # that process died (see ``RunOps.list_stale_runs``, ``agent_runtime.executors``).
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    # How this run was asked to run beyond its spec (a model chosen for the run, say).
    options: dict[str, Any] | None = Field(default=None, sa_type=_jsonb(nullable=True))


class RunEventRow(_Table, table=True):
    __tablename__ = "run_event"
    __table_args__ = (sa.UniqueConstraint("run_id", "seq"),)

    # BIGINT on PostgreSQL; INTEGER on SQLite so it aliases the rowid and autoincrements.
    id: int | None = Field(
        default=None,
        primary_key=True,
        sa_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
    )
    run_id: str = Field(
        sa_type=sa.String(32), foreign_key="run.id", ondelete="CASCADE", nullable=False
    )
    seq: int
    type: str = Field(sa_type=sa.String(64))
    node_id: str | None = Field(default=None, sa_type=sa.String(200))
    payload: dict[str, Any] = Field(sa_type=_jsonb())
    created_at: datetime = Field(sa_type=UTCDateTime())


class ThreadStateRow(_Table, table=True):
    """What a backend keeps of a conversation thread between runs (its own JSON).

    LangGraph keeps threads in its checkpointer; CrewAI and AutoGen keep theirs here
    (history, a team's saved state, where a human step waits).
    """

    __tablename__ = "thread_state"

    thread_id: str = Field(primary_key=True, sa_type=sa.String(200))
    backend: str = Field(primary_key=True, sa_type=sa.String(64))
    state: dict[str, Any] = Field(sa_type=_jsonb())
    updated_at: datetime = Field(sa_type=UTCDateTime())


class SecretRow(_Table, table=True):
    """One named secret, encrypted (a Fernet token); ``hint`` is a masked tail like ``••••1a2b``.

    ``key_id`` names the key that encrypted it (an HMAC id, not the key), so a value
    saved under another key is reported as such instead of failing to decrypt blindly.
    """

    __tablename__ = "secret"

    name: str = Field(primary_key=True, sa_type=sa.String(64))
    ciphertext: str = Field(sa_type=sa.Text())
    hint: str = Field(sa_type=sa.String(16))
    key_id: str = Field(sa_type=sa.String(16))
    created_at: datetime = Field(sa_type=UTCDateTime())
    updated_at: datetime = Field(sa_type=UTCDateTime())


class ApiKeyRow(_Table, table=True):
    """An API key: its sha256 (never the key), a shown prefix, scope, expiry and limits.

    Read and written only by ``agent_runtime.access``.
    """

    __tablename__ = "api_key"

    id: str = Field(primary_key=True, sa_type=sa.String(32))
    name: str = Field(sa_type=sa.String(100))
    prefix: str = Field(sa_type=sa.String(24))
    key_hash: str = Field(sa_type=sa.String(64), unique=True)
    graph_ids: list[str] | None = Field(default=None, sa_type=_jsonb(nullable=True), nullable=True)
    per_minute: int | None = Field(default=None, nullable=True)
    concurrent_runs: int | None = Field(default=None, nullable=True)
    created_at: datetime = Field(sa_type=UTCDateTime())
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime(), nullable=True)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime(), nullable=True)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime(), nullable=True)
