"""State of the marketplace's browse page (``/marketplace``).

Every change of the source, the search words, a filter, the sort or the page asks
the service for the matching page of cards in a background event (the first one
stores the bundled catalogue, which takes seconds; another instance's catalogue is
asked over HTTP); an answer to an older question is dropped.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.services import marketplace, marketplace_sources
from app.services.marketplace import FacetOption, TemplateCardView
from app.services.marketplace_sources import SourceView

ANY = "any"
"""The select value meaning "no filter" (Radix selects take no empty value)."""
LOCAL = "local"
"""The source value meaning this instance's own catalogue."""


class MarketplaceState(rx.State):
    """Source, search words, filters, sort and page; the cards of that page."""

    source: str = LOCAL  # LOCAL, or the URL of a remembered source
    sources: list[SourceView] = []
    query: str = ""
    category: str = ANY
    backend: str = ANY
    tag: str = ANY
    sort: str = "relevance"
    page_number: int = 1
    cards: list[TemplateCardView] = []
    total: int = 0
    pages: int = 1
    summary: str = ""
    categories: list[FacetOption] = []
    backends: list[FacetOption] = []
    tags: list[FacetOption] = []
    notice: str = ""
    loaded: bool = False
    loading: bool = False
    error: str = ""
    _asked: int = 0

    @rx.var
    def has_cards(self) -> bool:
        return len(self.cards) > 0

    @rx.var
    def filtered(self) -> bool:
        chosen = (self.category, self.backend, self.tag)
        return bool(self.query.strip()) or any(value != ANY for value in chosen)

    @rx.var
    def page_text(self) -> str:
        return f"Page {self.page_number} of {self.pages}"

    @rx.var
    def is_remote(self) -> bool:
        return self.source != LOCAL

    @rx.var
    def source_name(self) -> str:
        """The chosen source's name ("This instance" for the local catalogue)."""
        found = next((s.name for s in self.sources if s.url == self.source), self.source)
        return "This instance" if self.source == LOCAL else found

    @rx.var
    def source_query(self) -> str:
        """What a card's link adds to open the template at the chosen source ("" here)."""
        return "" if self.source == LOCAL else "?source=" + quote(self.source, safe="")

    @rx.var
    def show_empty(self) -> bool:
        return self.loaded and not self.cards and not self.error

    @rx.event
    def load_marketplace(self):
        """On page load: the sources, and the cards for the source, search and filters kept
        from the last visit."""
        self.error = ""
        return [MarketplaceState.load_sources, MarketplaceState.refresh]

    @rx.event(background=True)
    async def load_sources(self):
        """The remembered sources; back to this instance if the chosen one was removed."""
        try:
            found = await asyncio.to_thread(marketplace_sources.list_sources)
        except OrchestrallError:
            return None  # the browse itself says what is wrong
        async with self:
            self.sources = found
            if self.source != LOCAL and self.source not in {s.url for s in found}:
                self._choose_source(LOCAL)
                return MarketplaceState.refresh
        return None

    def _choose_source(self, source: str) -> None:
        self.source, self.page_number, self.error = source, 1, ""
        self.category, self.backend, self.tag = ANY, ANY, ANY
        self.cards, self.loaded = [], False

    @rx.event
    def choose_source(self, source: str):
        """Browse this instance's catalogue (``LOCAL``) or a remembered source's."""
        if source != self.source:
            self._choose_source(source)
        return MarketplaceState.refresh

    @rx.event
    def search(self, query: str):
        """The search box changed (debounced in the browser)."""
        self.query, self.page_number = query, 1
        return MarketplaceState.refresh

    @rx.event
    def clear_search(self):
        return self.search("")

    @rx.event
    def choose(self, facet: str, value: str):
        """A filter (``category``, ``backend``, ``tag``) or the ``sort`` changed."""
        if facet in ("category", "backend", "tag", "sort"):
            setattr(self, facet, value)
            self.page_number = 1
        return MarketplaceState.refresh

    @rx.event
    def clear_filters(self):
        self.query, self.category, self.backend, self.tag = "", ANY, ANY, ANY
        self.page_number = 1
        return MarketplaceState.refresh

    @rx.event
    def go_to_page(self, number: int):
        self.page_number = max(1, min(int(number), self.pages))
        return MarketplaceState.refresh

    @rx.event(background=True)
    async def refresh(self):
        """Ask the service for the page of cards the search, filters and sort describe."""
        async with self:
            self._asked += 1
            asked, self.loading = self._asked, True
            args = {
                name: "" if value == ANY else value
                for name, value in (
                    ("category", self.category),
                    ("backend", self.backend),
                    ("tag", self.tag),
                )
            }
            query, sort, page = self.query, self.sort, self.page_number
            source, name = self.source, self.source_name
        try:
            if source == LOCAL:
                found = await asyncio.to_thread(
                    marketplace.browse, query, sort=sort, page=page, **args
                )
            else:
                found = await asyncio.to_thread(
                    marketplace_sources.remote_browse, source, query, sort=sort, page=page, **args
                )
            error = ""
        except OrchestrallError as exc:
            found = None
            where = "the marketplace" if source == LOCAL else f"the templates of {name}"
            error = f"Could not load {where}: {exc.message}"
        async with self:
            if asked != self._asked:
                return  # a newer question is on its way
            self.loading, self.loaded, self.error = False, True, error
            if found is None:
                if source != LOCAL:
                    self.cards, self.total, self.pages, self.summary = [], 0, 1, ""
                return
            self.cards, self.total, self.pages = found.cards, found.total, found.pages
            self.page_number, self.summary, self.notice = found.page, found.summary, found.notice
            self.categories, self.backends, self.tags = (
                found.categories,
                found.backends,
                found.tags,
            )
