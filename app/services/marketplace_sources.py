"""Other instances' template catalogues, as the marketplace page uses them.

    add_source("http://10.0.0.5:8000", "Team A")       # SourceView; TemplateError if bad/known
    page = remote_search(url, "support")               # SearchPage of TemplateCards (origin remote)
    detail = remote_detail(url, "customer-support")    # TemplateDetail (no reviews)
    graph_id = remote_install(url, "customer-support") # the new graph's id, here

Blocking (network and database): call them from a background event. Errors are
``TemplateError`` (``code``: ``bad_source_url``, ``source_exists``,
``remote_unavailable``, ``remote_not_found``, ``bundle_tampered`` …) or
``NotFoundError`` (``source_not_found``); their messages are fit to show.
"""

from __future__ import annotations

import dataclasses

from app.services import marketplace as marketplace_service
from marketplace import Marketplace, RemoteCatalogue, SearchPage, TemplateDetail, TemplateSource

__all__ = [
    "SourceView",
    "add_source",
    "list_sources",
    "remote_detail",
    "remote_install",
    "remote_search",
    "remove_source",
    "shared_market",
]



@dataclasses.dataclass(frozen=True)
class SourceView:
    """A remembered source as the page lists it."""

    url: str
    name: str
    added_at: str  # ISO 8601 with offset


def shared_market() -> Marketplace:
    """This process's marketplace (the app's store, the bundled catalogue stored)."""
    return marketplace_service.shared_market()


def _view(source: TemplateSource) -> SourceView:
    return SourceView(source.url, source.name, source.added_at.isoformat())


def list_sources() -> list[SourceView]:
    return [_view(s) for s in shared_market().sources()]


def add_source(url: str, name: str = "") -> SourceView:
    return _view(shared_market().add_source(url, name or None))


def remove_source(url: str) -> None:
    shared_market().remove_source(url)


def remote_search(
    url: str,
    query: str = "",
    *,
    category: str | None = None,
    backend: str | None = None,
    tag: str | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 24,
) -> SearchPage:
    return RemoteCatalogue(url).search(
        query, category=category, backend=backend, tag=tag, sort=sort, page=page,
        per_page=per_page,
    )  # fmt: skip


def remote_detail(url: str, slug: str) -> TemplateDetail:
    return RemoteCatalogue(url).get(slug)


def remote_install(url: str, slug: str, version: str | None = None) -> str:
    """Install ``slug`` from the catalogue at ``url``: the new graph's id."""
    return shared_market().install_remote(url, slug, version).id
