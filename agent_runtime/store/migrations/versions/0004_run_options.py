"""Run options: ``run.options`` (JSON), how a run was asked to run beyond its spec.

Revision ID: 0004_run_options
Revises: 0003_run_heartbeat
Create Date: 2026-11-26

Frozen on purpose, like 0001: plain SQLAlchemy types, no import of the live tables.
A plain ``ADD COLUMN``/``DROP COLUMN`` (see 0003 for why never a table rebuild).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_run_options"
down_revision = "0003_run_heartbeat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json = sa.JSON(none_as_null=True).with_variant(
        postgresql.JSONB(none_as_null=True), "postgresql"
    )
    op.add_column("run", sa.Column("options", json, nullable=True))


def downgrade() -> None:
    op.drop_column("run", "options")
