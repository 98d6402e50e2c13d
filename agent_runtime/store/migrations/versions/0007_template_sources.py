"""Marketplace: the remote catalogues (other Orchestrall instances) this one browses.

Revision ID: 0007_template_sources
Revises: 0006_marketplace
Create Date: 2026-11-27

The marketplace package (``marketplace/_tables.py``) owns this table. Frozen on purpose.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_template_sources"
down_revision = "0006_marketplace"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "template_source",
        sa.Column("url", sa.String(300), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_template_source")),
    )


def downgrade() -> None:
    op.drop_table("template_source")
