"""Other instances' template catalogues, as the marketplace page uses them.

    add_source("http://10.0.0.5:8000", "Team A")       # SourceView; TemplateError if bad/known
    page = remote_search(url, "support")               # SearchPage of TemplateCards (origin remote)
    detail = remote_detail(url, "customer-support")    # TemplateDetail (no reviews)
    graph_id = remote_install(url, "customer-support") # the new graph's id, here
    view = remote_browse(url, "support")               # BrowsePage, as the browse page shows it
    page = remote_template(url, "customer-support")    # TemplateView, as a template's page shows it

Blocking (network and database): call them from a background event. Errors are
``TemplateError`` (``code``: ``bad_source_url``, ``source_exists``,
``remote_unavailable``, ``remote_not_found``, ``bundle_tampered`` …) or
``NotFoundError`` (``source_not_found``); their messages are fit to show.
"""

from __future__ import annotations

import dataclasses

from agent_runtime.errors import NotFoundError
from app.services import marketplace as marketplace_service
from app.services.marketplace import BACKEND_LABELS, CATEGORIES, BrowsePage, FacetOption
from marketplace import Marketplace, RemoteCatalogue, SearchPage, TemplateDetail, TemplateSource

__all__ = [
    "SourceView",
    "add_source",
    "list_sources",
    "remembered_source",
    "remote_browse",
    "remote_detail",
    "remote_install",
    "remote_search",
    "remote_template",
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


def remembered_source(url: str) -> SourceView:
    """The remembered source at ``url``; ``NotFoundError`` (``source_not_found``) if it is
    not one: pages fetch only from sources the user added, never from any URL in a link."""
    found = next((s for s in list_sources() if s.url == url), None)
    if found is None:
        raise NotFoundError(
            f"{url} is not one of your template sources: add it with Manage sources on the "
            "marketplace page first.",
            code="source_not_found",
        )
    return found


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


# -- as the pages show them ------------------------------------------------------------------


def remote_browse(
    url: str,
    query: str = "",
    *,
    category: str = "",
    backend: str = "",
    tag: str = "",
    sort: str = "relevance",
    page: int = 1,
) -> BrowsePage:
    """A page of the catalogue at ``url`` as the browse page shows it ("" for any filter).

    The remote API has no facet counts: the filters offer every category and backend,
    and the tags of the cards shown (with the chosen one).
    """
    found = remote_search(
        url, query, category=category or None, backend=backend or None, tag=tag or None,
        sort=sort, page=page,
    )  # fmt: skip
    tags = sorted({t for card in found.items for t in card.tags} | ({tag} if tag else set()))
    return BrowsePage(
        cards=[marketplace_service.card_view(card) for card in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
        summary=marketplace_service.browse_summary(
            found.total, query, filtered=bool(category or backend or tag)
        ),
        categories=[FacetOption(c, c) for c in CATEGORIES],
        backends=[FacetOption(value, label) for value, label in BACKEND_LABELS.items()],
        tags=[FacetOption(t, t) for t in tags],
        notice="",
    )


def remote_template(url: str, slug: str) -> marketplace_service.TemplateView:
    """A template of the catalogue at ``url`` as its page shows it (no reviews)."""
    return marketplace_service.template_view(remote_detail(url, slug))
