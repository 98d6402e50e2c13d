"""The public catalogue on the wire: what this instance serves and how a remote one is read.

    public_search(market, q="support", sort="rating")   # a SearchPage of public templates
    page_to_wire(page)                                   # JSON-ready dict
    page_from_wire(data)                                 # SearchPage again (origin "remote")

Only templates whose origin is ``bundled`` or ``published`` are public: what this
instance imported or installed from elsewhere is not passed on. The wire carries
no reviews (reviewers are people on this instance), only the rating and its count.
Reading the wire is lenient about fields added later and strict about the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent_runtime.errors import NotFoundError, TemplateError
from marketplace._bundle import export_bundle
from marketplace._model import SLUG_PATTERN
from marketplace._records import ReleaseInfo, SearchPage, TemplateCard, TemplateDetail

if TYPE_CHECKING:  # pragma: no cover
    from marketplace._market import Marketplace

__all__ = [
    "PUBLIC_ORIGINS",
    "WIRE_VERSION",
    "detail_from_wire",
    "detail_to_wire",
    "page_from_wire",
    "page_to_wire",
    "public_bundle",
    "public_detail",
    "public_search",
]

WIRE_VERSION = "v1"
PUBLIC_ORIGINS = ("bundled", "published")
_MAX_PER_PAGE = 100


def _card_to_wire(card: TemplateCard) -> dict[str, Any]:
    return {
        "slug": card.slug,
        "title": card.title,
        "summary": card.summary,
        "category": card.category,
        "tags": list(card.tags),
        "author": card.author,
        "latest_version": card.latest_version,
        "backends": list(card.backends),
        "installs": card.installs,
        "rating": card.rating,
        "rating_count": card.rating_count,
        "created_at": card.created_at.isoformat(),
        "updated_at": card.updated_at.isoformat(),
    }


def _release_to_wire(info: ReleaseInfo) -> dict[str, Any]:
    return {
        "version": info.version,
        "changelog": info.changelog,
        "content_hash": info.content_hash,
        "backends": list(info.backends),
        "secrets": list(info.secrets),
        "created_at": info.created_at.isoformat(),
    }


def page_to_wire(page: SearchPage) -> dict[str, Any]:
    return {
        "items": [_card_to_wire(card) for card in page.items],
        "total": page.total,
        "page": page.page,
        "pages": page.pages,
        "per_page": page.per_page,
    }


def detail_to_wire(detail: TemplateDetail) -> dict[str, Any]:
    """A template's public page: card, readme, latest spec, versions; no reviews."""
    return {
        **_card_to_wire(detail.card),
        "readme": detail.readme,
        "spec": detail.spec,
        "versions": [_release_to_wire(info) for info in detail.versions],
    }


# -- this instance's public catalogue -----------------------------------------------


def _is_public(card: TemplateCard) -> bool:
    return card.origin in PUBLIC_ORIGINS


def public_search(
    market: Marketplace,
    query: str = "",
    *,
    category: str | None = None,
    backend: str | None = None,
    tag: str | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 24,
) -> SearchPage:
    """``Marketplace.search`` over the public templates only (same ranking and paging)."""
    found: list[TemplateCard] = []
    number, pages = 1, 1
    while number <= pages:  # every match, in the search's order, then only the public ones
        step = market.search(
            query, category=category, backend=backend, tag=tag, sort=sort,
            page=number, per_page=_MAX_PER_PAGE,
        )  # fmt: skip
        found.extend(card for card in step.items if _is_public(card))
        number, pages = number + 1, step.pages
    per_page = max(1, min(per_page, _MAX_PER_PAGE))
    total_pages = max(1, -(-len(found) // per_page))
    page = min(max(1, page), total_pages)
    items = tuple(found[(page - 1) * per_page : page * per_page])
    return SearchPage(items, len(found), page, total_pages, per_page)


def _public_card(market: Marketplace, slug: str) -> TemplateCard:
    card = market.card(slug)
    if not _is_public(card):  # the same answer as for a slug that does not exist
        raise NotFoundError(f"There is no template {slug!r}.", code="template_not_found")
    return card


def public_detail(market: Marketplace, slug: str) -> TemplateDetail:
    _public_card(market, slug)
    return market.get(slug)


def public_bundle(market: Marketplace, slug: str) -> bytes:
    _public_card(market, slug)
    return export_bundle(market, slug)


# -- reading another instance's catalogue ----------------------------------------------


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _WireCard(_Wire):
    slug: str = Field(pattern=SLUG_PATTERN)
    title: str = Field(max_length=200)
    summary: str = Field(max_length=1_000)
    category: str = Field(max_length=80)
    tags: list[str] = Field(max_length=32)
    author: str = Field(max_length=200)
    latest_version: str = Field(max_length=40)
    backends: list[str] = Field(max_length=16)
    installs: int = Field(ge=0)
    rating: float | None = Field(default=None, ge=0, le=5)
    rating_count: int = Field(ge=0)
    created_at: datetime
    updated_at: datetime

    def card(self) -> TemplateCard:
        return TemplateCard(
            slug=self.slug, title=self.title, summary=self.summary, category=self.category,
            tags=tuple(self.tags), author=self.author, latest_version=self.latest_version,
            backends=tuple(self.backends), installs=self.installs, rating=self.rating,
            rating_count=self.rating_count, origin="remote", publisher=None,
            created_at=self.created_at, updated_at=self.updated_at,
        )  # fmt: skip


class _WirePage(_Wire):
    items: list[_WireCard] = Field(max_length=_MAX_PER_PAGE)
    total: int = Field(ge=0)
    page: int = Field(ge=1)
    pages: int = Field(ge=1)
    per_page: int = Field(ge=1)


class _WireRelease(_Wire):
    version: str = Field(max_length=40)
    changelog: str
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    backends: list[str]
    secrets: list[str]
    created_at: datetime


class _WireDetail(_WireCard):
    readme: str
    spec: dict[str, Any]
    versions: list[_WireRelease] = Field(min_length=1)


def _garbage(what: str, exc: ValidationError) -> TemplateError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "$"
    return TemplateError(
        f"The catalogue answered something that is not {what} ({where}: {first['msg']}).",
        code="remote_unavailable",
    )


def page_from_wire(data: Any) -> SearchPage:
    """A remote search page; ``remote_unavailable`` if it is not one."""
    try:
        wire = _WirePage.model_validate(data)
    except ValidationError as exc:
        raise _garbage("a page of templates", exc) from None
    items = tuple(card.card() for card in wire.items)
    return SearchPage(items, wire.total, wire.page, wire.pages, wire.per_page)


def detail_from_wire(data: Any) -> TemplateDetail:
    """A remote template's page (no reviews); ``remote_unavailable`` if it is not one."""
    try:
        wire = _WireDetail.model_validate(data)
    except ValidationError as exc:
        raise _garbage("a template", exc) from None
    versions = tuple(
        ReleaseInfo(v.version, v.changelog, v.content_hash, tuple(v.backends), tuple(v.secrets),
                    v.created_at)
        for v in wire.versions
    )  # fmt: skip
    return TemplateDetail(
        card=wire.card(), readme=wire.readme, spec=dict(wire.spec), versions=versions,
        reviews=(), my_review=None,
    )  # fmt: skip
