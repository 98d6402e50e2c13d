"""What the marketplace returns: frozen records, never rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = [
    "SORTS",
    "ReleaseInfo",
    "Review",
    "SearchPage",
    "TemplateCard",
    "TemplateDetail",
]

SORTS = ("relevance", "rating", "installs", "newest")


@dataclass(frozen=True)
class TemplateCard:
    """A template as a card shows it."""

    slug: str
    title: str
    summary: str
    category: str
    tags: tuple[str, ...]
    author: str
    latest_version: str
    backends: tuple[str, ...]
    installs: int
    rating: float | None
    """Average stars, one decimal (None: not rated yet)."""
    rating_count: int
    origin: str
    """``bundled``, ``published`` (here), ``imported`` (from a bundle) or ``remote``."""
    publisher: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class SearchPage:
    items: tuple[TemplateCard, ...]
    total: int
    page: int
    pages: int
    per_page: int


@dataclass(frozen=True)
class ReleaseInfo:
    """One version: what changed, and what is derived from its spec."""

    version: str
    changelog: str
    content_hash: str
    backends: tuple[str, ...]
    secrets: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class Review:
    reviewer: str
    stars: int
    text: str
    updated_at: datetime


@dataclass(frozen=True)
class TemplateDetail:
    """A template's page: its card, the latest readme and spec, versions, reviews."""

    card: TemplateCard
    readme: str
    spec: dict[str, Any]
    versions: tuple[ReleaseInfo, ...]
    """Newest first."""
    reviews: tuple[Review, ...]
    """Most recently changed first."""
    my_review: Review | None

    @property
    def latest(self) -> ReleaseInfo:
        return self.versions[0]
