"""The marketplace's browse page (``/marketplace``): templates to search, filter and sort.

A search box (searching as one types), filters by category, backend and tag, a sort,
the result count, a grid of template cards (24 a page) with page controls, and an
empty state when nothing matches. Each card opens the template's page. At the top,
the source (this instance, or another one's catalogue), "Manage sources" and
"Import bundle" (``marketplace_sharing``).
"""

from __future__ import annotations

import reflex as rx

from app.pages.marketplace_sharing import remote_banner, sharing_controls
from app.pages.marketplace_state import ANY, MarketplaceState
from app.paths import template_path
from app.services.marketplace import SORT_LABELS
from components.page_shell import page_shell
from components.search_box import search_box
from components.template_card import template_card

S = MarketplaceState


def _search() -> rx.Component:
    return search_box(
        S.query,
        on_change=S.search,
        on_clear=S.clear_search,
        clearable=S.query != "",
        placeholder="Search templates: support, research, summarise…",
        aria_label="Search templates",
        test_id="template-search",
        flex="1",
        min_width="240px",
    )


def _facet_select(facet: str, label: str, value: rx.Var, options: rx.Var) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=label, min_width="150px", data_testid=f"filter-{facet}"),
        rx.select.content(
            rx.select.item(f"Any {label.lower()}", value=ANY),
            rx.foreach(
                options,
                lambda o: rx.select.item(
                    o.label, value=o.value, data_testid=f"filter-{facet}-option"
                ),
            ),
        ),
        value=value,
        on_change=lambda v: S.choose(facet, v),
        size="2",
    )


def _sort_select() -> rx.Component:
    return rx.hstack(
        rx.text("Sort by", size="2", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(aria_label="Sort by", data_testid="sort-select"),
            rx.select.content(
                *(rx.select.item(label, value=value) for value, label in SORT_LABELS.items())
            ),
            value=S.sort,
            on_change=lambda v: S.choose("sort", v),
            size="2",
        ),
        align="center",
        spacing="2",
    )


def filters() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            _search(), _sort_select(), spacing="3", align="center", width="100%", wrap="wrap"
        ),
        rx.hstack(
            rx.icon("list-filter", size=16, color="var(--gray-10)"),
            _facet_select("category", "Category", S.category, S.categories),
            _facet_select("backend", "Backend", S.backend, S.backends),
            _facet_select("tag", "Tag", S.tag, S.tags),
            rx.cond(
                S.filtered,
                rx.button(
                    rx.icon("x", size=14),
                    "Clear filters",
                    variant="ghost",
                    color_scheme="gray",
                    size="2",
                    on_click=S.clear_filters,
                    data_testid="clear-filters",
                ),
            ),
            rx.spacer(),
            rx.hstack(
                rx.cond(S.loading, rx.spinner(size="1")),
                rx.text(S.summary, size="2", color_scheme="gray", data_testid="result-count"),
                align="center",
                spacing="2",
            ),
            align="center",
            spacing="2",
            width="100%",
            wrap="wrap",
        ),
        spacing="3",
        width="100%",
    )


def page_intro() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.heading("Marketplace", size="7", as_="h1"),
            rx.text(
                "Ready-made agent graphs to start from. Use one to get your own copy, "
                "or publish yours from the builder.",
                color_scheme="gray",
                size="3",
            ),
            spacing="1",
            flex="1 1 360px",
        ),
        sharing_controls(),
        align="end",
        justify="between",
        spacing="4",
        wrap="wrap",
        width="100%",
    )


def _card(card: rx.Var) -> rx.Component:
    return template_card(card, href=f"{template_path(card.slug)}{S.source_query}")


def card_grid() -> rx.Component:
    return rx.grid(
        rx.foreach(S.cards, _card),
        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
        spacing="4",
        width="100%",
        role="list",
        aria_label="Templates",
        data_testid="template-list",
    )


def pager() -> rx.Component:
    return rx.cond(
        S.pages > 1,
        rx.hstack(
            rx.button(
                rx.icon("chevron-left", size=16),
                "Previous",
                variant="soft",
                color_scheme="gray",
                disabled=S.page_number <= 1,
                on_click=S.go_to_page(S.page_number - 1),
                data_testid="page-previous",
            ),
            rx.text(S.page_text, size="2", color_scheme="gray", data_testid="page-number"),
            rx.button(
                "Next",
                rx.icon("chevron-right", size=16),
                variant="soft",
                color_scheme="gray",
                disabled=S.page_number >= S.pages,
                on_click=S.go_to_page(S.page_number + 1),
                data_testid="page-next",
            ),
            justify="center",
            align="center",
            spacing="4",
            width="100%",
        ),
    )


def empty_state() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon("search-x", size=28, color="var(--accent-11)"),
                width="56px",
                height="56px",
                border_radius="var(--radius-4)",
                background="var(--accent-a3)",
            ),
            rx.heading(
                rx.cond(S.filtered, "No templates match", "No templates yet"),
                size="5",
                weight="medium",
                as_="h2",
            ),
            rx.text(
                rx.cond(
                    S.filtered,
                    "Try other words, or fewer filters.",
                    rx.cond(
                        S.is_remote,
                        "This instance shares no templates yet.",
                        "Publish a graph from the builder to start the catalogue.",
                    ),
                ),
                color_scheme="gray",
                size="3",
                align="center",
            ),
            rx.cond(
                S.filtered,
                rx.button("Clear search and filters", variant="soft", on_click=S.clear_filters),
            ),
            align="center",
            spacing="3",
            max_width="420px",
        ),
        padding_y="72px",
        border="1px dashed var(--gray-a6)",
        border_radius="var(--radius-4)",
        width="100%",
        data_testid="templates-empty",
    )


def loading_state() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.spinner(size="3"),
            rx.text("Loading the catalogue…", size="2", color_scheme="gray"),
            align="center",
            spacing="3",
        ),
        padding_y="72px",
        width="100%",
        data_testid="templates-loading",
    )


def _callout(text: rx.Var, color: str, testid: str) -> rx.Component:
    return rx.cond(
        text != "",
        rx.callout(
            text, icon="triangle-alert", color_scheme=color, width="100%", data_testid=testid
        ),
    )


def marketplace_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            page_intro(),
            remote_banner(),
            filters(),
            _callout(S.error, "red", "marketplace-error"),
            _callout(S.notice, "amber", "marketplace-notice"),
            rx.cond(
                S.loaded,
                rx.cond(
                    S.has_cards,
                    rx.vstack(card_grid(), pager(), spacing="5", width="100%"),
                    rx.cond(S.show_empty, empty_state()),
                ),
                loading_state(),
            ),
            spacing="5",
            width="100%",
        )
    )
