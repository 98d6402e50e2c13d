"""Secrets: the ``secret`` table of encrypted named values (see ``agent_runtime.secrets``).

Revision ID: 0002_secrets
Revises: 0001
Create Date: 2026-11-26

Frozen on purpose, like 0001: plain SQLAlchemy types, no import of the live tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_secrets"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "secret",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("hint", sa.String(length=16), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_secret"),
    )


def downgrade() -> None:
    op.drop_table("secret")
