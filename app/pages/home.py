"""The home page: the saved graphs, search over them, and the way to start a new one.

Each card opens its graph's builder page and has a menu to rename, duplicate or delete
it; a delete is confirmed first and can be undone from the toast that follows.
"""

from __future__ import annotations

import reflex as rx

from app.pages.home_state import HomeState
from app.paths import builder_path
from app.services.graphs import UNDO_SECONDS
from components.confirm_dialog import confirm_delete_dialog
from components.form_error import form_error
from components.graph_card import graph_actions_menu, graph_card
from components.page_shell import page_shell
from components.search_box import search_box

EMPTY_TITLE = "No graphs yet"
EMPTY_HINT = "Click New graph to create your first agent graph."
NO_MATCH_HINT = "Try another word from a graph's name or description."


def new_graph_button() -> rx.Component:
    return rx.button(
        rx.icon("plus", size=16),
        "New graph",
        on_click=HomeState.create_graph,
        loading=HomeState.creating,
        size="3",
        data_testid="new-graph",
    )


def _search() -> rx.Component:
    """Filters the cards by name or description as one types (debounced)."""
    return search_box(
        HomeState.search,
        on_change=HomeState.search_graphs,
        on_clear=HomeState.clear_search,
        clearable=HomeState.searching,
        placeholder="Search graphs",
        aria_label="Search graphs by name or description",
        test_id="graph-search",
        width=rx.breakpoints(initial="100%", sm="280px"),
    )


def _notice(
    icon: str, title: rx.Component, hint: str, *extra: rx.Component, **props
) -> rx.Component:
    """A centred, dashed-border panel: the empty and no-match states."""
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=28, color="var(--accent-11)"),
                width="56px",
                height="56px",
                border_radius="var(--radius-4)",
                background="var(--accent-a3)",
            ),
            title,
            rx.text(hint, color_scheme="gray", size="3", align="center"),
            *extra,
            align="center",
            spacing="3",
            max_width="420px",
        ),
        padding_y="72px",
        border="1px dashed var(--gray-a6)",
        border_radius="var(--radius-4)",
        width="100%",
        **props,
    )


def empty_state() -> rx.Component:
    return _notice(
        "workflow",
        rx.heading(EMPTY_TITLE, size="5", weight="medium", as_="h2"),
        EMPTY_HINT,
        data_testid="graphs-empty",
    )


def no_match_state() -> rx.Component:
    """Shown when a search finds nothing (distinct from having no graphs at all)."""
    return _notice(
        "search-x",
        rx.heading(
            "No graphs match “", HomeState.search.strip(), "”", size="5", weight="medium", as_="h2"
        ),
        NO_MATCH_HINT,
        rx.button("Clear search", variant="soft", on_click=HomeState.clear_search),
        data_testid="graphs-no-match",
    )


def _card(card: rx.Var) -> rx.Component:
    href = builder_path(card.id)
    menu = graph_actions_menu(
        card,
        href=href,
        on_rename=HomeState.open_rename(card.id),
        on_duplicate=HomeState.duplicate_graph(card.id),
        on_delete=HomeState.ask_delete(card.id),
    )
    return graph_card(card, href=href, menu=menu)


def graph_list() -> rx.Component:
    return rx.grid(
        rx.foreach(HomeState.graphs, _card),
        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
        spacing="4",
        width="100%",
        role="list",
        aria_label="Saved graphs",
        data_testid="graph-list",
    )


def loading_state() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding_y="72px", width="100%")


def page_intro() -> rx.Component:
    """The page title with the number of graphs, a one-line explanation and New graph."""
    count = rx.cond(
        HomeState.has_graphs,
        rx.badge(
            HomeState.graphs.length(), variant="soft", radius="full", data_testid="graph-count"
        ),
    )
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.heading("Graphs", size="7", as_="h1"), count, align="center"),
            rx.text(
                "Agent graphs you have saved, most recently edited first.",
                color_scheme="gray",
                size="3",
            ),
            spacing="1",
        ),
        rx.spacer(),
        rx.hstack(
            rx.cond(HomeState.has_graphs | HomeState.searching, _search()),
            new_graph_button(),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        align="end",
        width="100%",
        wrap="wrap",
        spacing="4",
    )


def error_callout() -> rx.Component:
    return rx.cond(
        HomeState.error != "",
        rx.callout(
            HomeState.error,
            icon="triangle-alert",
            color_scheme="red",
            role="alert",
            width="100%",
            data_testid="home-error",
        ),
    )


def rename_dialog() -> rx.Component:
    """Rename one graph; an empty name is refused with the store's message, in place."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename graph"),
            rx.dialog.description(
                "The new name is saved as a new version of the graph.",
                size="2",
                color_scheme="gray",
                margin_bottom="16px",
            ),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="name",
                        default_value=HomeState.rename_name,
                        placeholder="Graph name",
                        aria_label="Graph name",
                        auto_focus=True,
                        max_length=200,
                        size="3",
                        width="100%",
                        color_scheme=rx.cond(HomeState.rename_error != "", "red", "violet"),
                        data_testid="rename-input",
                    ),
                    form_error(HomeState.rename_error, "rename-error"),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Save", type="submit", data_testid="rename-save"),
                        justify="end",
                        spacing="3",
                        width="100%",
                        margin_top="8px",
                    ),
                    spacing="2",
                ),
                on_submit=HomeState.save_rename,
                reset_on_submit=False,
            ),
            max_width="440px",
            data_testid="rename-dialog",
        ),
        open=HomeState.renaming,
        on_open_change=HomeState.rename_dialog_changed,
    )


def delete_dialog() -> rx.Component:
    """Confirm a delete; the toast afterwards still offers Undo."""
    return confirm_delete_dialog(
        "Delete “",
        HomeState.delete_name,
        "”?",
        description="The graph is deleted with its version history and its runs. "
        f"For {UNDO_SECONDS} seconds, Undo brings back the graph and its history.",
        on_confirm=HomeState.delete_graph,
        open=HomeState.confirming_delete,
        on_open_change=HomeState.delete_dialog_changed,
        confirm_testid="delete-confirm",
        with_icon=True,
        data_testid="delete-dialog",
    )


def home_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            page_intro(),
            error_callout(),
            rx.cond(
                HomeState.loaded,
                rx.cond(
                    HomeState.has_graphs,
                    graph_list(),
                    rx.cond(HomeState.searching, no_match_state(), empty_state()),
                ),
                loading_state(),
            ),
            rename_dialog(),
            delete_dialog(),
            spacing="6",
            width="100%",
        )
    )
