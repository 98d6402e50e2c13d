"""Run heartbeat: ``run.heartbeat_at``, touched while a run executes, so dead workers show.

Revision ID: 0003_run_heartbeat
Revises: 0002_secrets
Create Date: 2026-11-26

Frozen on purpose, like 0001: plain SQLAlchemy types, no import of the live tables.
A plain ``ADD COLUMN``/``DROP COLUMN`` on both backends (SQLite >= 3.35 drops columns
itself), never a table rebuild, which would cascade-delete the run's events on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_run_heartbeat"
down_revision = "0002_secrets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("run", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("run", "heartbeat_at")
