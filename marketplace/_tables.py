"""The marketplace's tables, in the store's database (created by migrations 0006 and 0007).

    template ──< template_version        (slug, version)
             ──< template_review         (slug, reviewer): one review per person, editable
    template_source                      other instances' catalogues this one browses (url)

``template`` keeps what cards need (latest version, backends, installs and the
rating's sum and count, updated in the transaction that changes them), so
browsing never reads specs or readmes. SQLAlchemy Core, on metadata of our own.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from agent_runtime.store._tables import UTCDateTime

__all__ = ["METADATA", "REVIEWS", "SOURCES", "TEMPLATES", "VERSIONS"]

METADATA = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _json() -> sa.types.TypeEngine:
    return sa.JSON(none_as_null=False).with_variant(JSONB(), "postgresql")


TEMPLATES = sa.Table(
    "template",
    METADATA,
    sa.Column("slug", sa.String(64), primary_key=True),
    sa.Column("title", sa.String(80), nullable=False),
    sa.Column("summary", sa.String(280), nullable=False),
    sa.Column("category", sa.String(40), nullable=False, index=True),
    sa.Column("tags", _json(), nullable=False),
    sa.Column("author", sa.String(80), nullable=False),
    sa.Column("origin", sa.String(16), nullable=False),
    sa.Column("publisher", sa.String(80), nullable=True),
    sa.Column("latest_version", sa.String(40), nullable=False),
    sa.Column("backends", _json(), nullable=False),
    sa.Column("installs", sa.Integer(), nullable=False),
    sa.Column("rating_sum", sa.Integer(), nullable=False),
    sa.Column("rating_count", sa.Integer(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False, index=True),
)

VERSIONS = sa.Table(
    "template_version",
    METADATA,
    sa.Column(
        "slug", sa.String(64), sa.ForeignKey("template.slug", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("version", sa.String(40), primary_key=True),
    sa.Column("changelog", sa.Text(), nullable=False),
    sa.Column("readme", sa.Text(), nullable=False),
    sa.Column("spec", sa.JSON(), nullable=False),  # plain JSON: keeps the author's key order
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("backends", _json(), nullable=False),
    sa.Column("secrets", _json(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

REVIEWS = sa.Table(
    "template_review",
    METADATA,
    sa.Column(
        "slug", sa.String(64), sa.ForeignKey("template.slug", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("reviewer", sa.String(80), primary_key=True),
    sa.Column("stars", sa.Integer(), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
)

SOURCES = sa.Table(
    "template_source",
    METADATA,
    sa.Column("url", sa.String(300), primary_key=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("added_at", UTCDateTime(), nullable=False),
)
