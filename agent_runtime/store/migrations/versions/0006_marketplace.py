"""Marketplace: templates, their versions and reviews; graphs remember the template they came from.

Revision ID: 0006_marketplace
Revises: 0005_thread_state
Create Date: 2026-11-26

The marketplace package (``marketplace/_tables.py``) owns these tables; they live
in the store's database and its one migration chain. Frozen on purpose, like 0001.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006_marketplace"
down_revision = "0005_thread_state"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON(none_as_null=False).with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("graph") as batch:
        batch.add_column(sa.Column("template_slug", sa.String(64), nullable=True))
        batch.add_column(sa.Column("template_version", sa.String(40), nullable=True))
    op.create_table(
        "template",
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("summary", sa.String(280), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("tags", _json(), nullable=False),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("publisher", sa.String(80), nullable=True),
        sa.Column("latest_version", sa.String(40), nullable=False),
        sa.Column("backends", _json(), nullable=False),
        sa.Column("installs", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_template")),
    )
    op.create_index(op.f("ix_template_category"), "template", ["category"])
    op.create_index(op.f("ix_template_updated_at"), "template", ["updated_at"])
    op.create_table(
        "template_version",
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("changelog", sa.Text(), nullable=False),
        sa.Column("readme", sa.Text(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("backends", _json(), nullable=False),
        sa.Column("secrets", _json(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["slug"],
            ["template.slug"],
            name=op.f("fk_template_version_slug_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", "version", name=op.f("pk_template_version")),
    )
    op.create_table(
        "template_review",
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("reviewer", sa.String(80), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name=op.f("ck_template_review_stars")),
        sa.ForeignKeyConstraint(
            ["slug"],
            ["template.slug"],
            name=op.f("fk_template_review_slug_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", "reviewer", name=op.f("pk_template_review")),
    )


def downgrade() -> None:
    op.drop_table("template_review")
    op.drop_table("template_version")
    op.drop_index(op.f("ix_template_updated_at"), table_name="template")
    op.drop_index(op.f("ix_template_category"), table_name="template")
    op.drop_table("template")
    with op.batch_alter_table("graph") as batch:
        batch.drop_column("template_version")
        batch.drop_column("template_slug")
