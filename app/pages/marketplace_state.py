"""State of the marketplace's browse page (``/marketplace``).

Every change of the search words, a filter, the sort or the page asks the service
for the matching page of cards in a background event (the first one stores the
bundled catalogue, which takes seconds); an answer to an older question is dropped.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.services import marketplace
from app.services.marketplace import FacetOption, TemplateCardView

ANY = "any"
"""The select value meaning "no filter" (Radix selects take no empty value)."""


class MarketplaceState(rx.State):
    """Search words, filters, sort and page; the cards of that page."""

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

    @rx.event
    def load_marketplace(self):
        """On page load: the cards for the search and filters kept from the last visit."""
        self.error = ""
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
        try:
            found = await asyncio.to_thread(marketplace.browse, query, sort=sort, page=page, **args)
            error = ""
        except OrchestrallError as exc:
            found, error = None, f"Could not load the marketplace: {exc.message}"
        async with self:
            if asked != self._asked:
                return  # a newer question is on its way
            self.loading, self.loaded, self.error = False, True, error
            if found is None:
                return
            self.cards, self.total, self.pages = found.cards, found.total, found.pages
            self.page_number, self.summary, self.notice = found.page, found.summary, found.notice
            self.categories, self.backends, self.tags = (
                found.categories,
                found.backends,
                found.tags,
            )
