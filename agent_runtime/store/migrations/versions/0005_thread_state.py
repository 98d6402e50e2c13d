"""Thread state: what the CrewAI and AutoGen backends keep of a thread between runs.

Revision ID: 0005_thread_state
Revises: 0004_run_options
Create Date: 2026-11-26

Frozen on purpose, like 0001: plain SQLAlchemy types, no import of the live tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_thread_state"
down_revision = "0004_run_options"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "thread_state",
        sa.Column("thread_id", sa.String(200), primary_key=True),
        sa.Column("backend", sa.String(64), primary_key=True),
        sa.Column(
            "state",
            sa.JSON(none_as_null=False).with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("thread_state")
