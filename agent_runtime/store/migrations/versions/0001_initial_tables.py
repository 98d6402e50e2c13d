"""Initial tables: graph, graph_version, run, run_event.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Frozen on purpose: it spells out plain SQLAlchemy types instead of importing the
live table module, so later model edits cannot change what this step creates.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _json(*, nullable: bool = False) -> sa.types.TypeEngine:
    return sa.JSON(none_as_null=nullable).with_variant(
        postgresql.JSONB(none_as_null=nullable), "postgresql"
    )


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "graph",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("is_valid", sa.Boolean(), nullable=False),
        sa.Column("node_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_graph"),
    )
    op.create_index("ix_graph_updated_at", "graph", ["updated_at"])

    op.create_table(
        "graph_version",
        sa.Column("graph_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("is_valid", sa.Boolean(), nullable=False),
        sa.Column("problems", _json(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.ForeignKeyConstraint(
            ["graph_id"], ["graph.id"], name="fk_graph_version_graph_id_graph", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("graph_id", "version", name="pk_graph_version"),
    )

    op.create_table(
        "run",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("graph_id", sa.String(length=32), nullable=False),
        sa.Column("graph_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("backend", sa.String(length=64), nullable=False),
        sa.Column("thread_id", sa.String(length=200), nullable=False),
        sa.Column("input", _json(nullable=True), nullable=True),
        sa.Column("output", _json(nullable=True), nullable=True),
        sa.Column("error", _json(nullable=True), nullable=True),
        sa.Column("totals", _json(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("started_at", _ts(), nullable=True),
        sa.Column("finished_at", _ts(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'interrupted', 'succeeded', 'failed', 'cancelled')",
            name="ck_run_status",
        ),
        sa.ForeignKeyConstraint(
            ["graph_id", "graph_version"],
            ["graph_version.graph_id", "graph_version.version"],
            name="fk_run_graph_id_graph_version_graph_version",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_run"),
    )
    op.create_index("ix_run_graph_id_created_at", "run", ["graph_id", "created_at"])
    op.create_index("ix_run_status", "run", ["status"])

    op.create_table(
        "run_event",
        # BIGINT on PostgreSQL; INTEGER on SQLite so it aliases the rowid.
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("node_id", sa.String(length=200), nullable=True),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name="fk_run_event_run_id_run", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_run_event"),
        sa.UniqueConstraint("run_id", "seq", name="uq_run_event_run_id_seq"),
    )


def downgrade() -> None:
    op.drop_table("run_event")
    op.drop_index("ix_run_status", table_name="run")
    op.drop_index("ix_run_graph_id_created_at", table_name="run")
    op.drop_table("run")
    op.drop_table("graph_version")
    op.drop_index("ix_graph_updated_at", table_name="graph")
    op.drop_table("graph")
