"""A saved graph as a card: name, description, node count, last edit, valid or draft.

The whole card opens the graph (its name is a link stretched over the card), and an
actions menu in the corner offers Open, Rename, Duplicate and Delete. Events come
from the caller, so the card knows no page state.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from components.card_styles import STRETCHED_LINK, TWO_LINES, card_style


def validity_badge(is_valid: rx.Var[bool]) -> rx.Component:
    """``Valid`` in green, or ``Draft`` in amber for a graph that does not validate yet."""
    return rx.cond(
        is_valid,
        rx.badge(rx.icon("circle-check", size=12), "Valid", color_scheme="green", variant="soft"),
        rx.badge(rx.icon("pencil-line", size=12), "Draft", color_scheme="amber", variant="soft"),
    )


def _menu_item(icon: str, label: str, on_select: Any, test_id: Any, **props: Any) -> rx.Component:
    return rx.dropdown_menu.item(
        rx.hstack(rx.icon(icon, size=14), rx.text(label), align="center", spacing="2"),
        on_select=on_select,
        data_testid=test_id,
        **props,
    )


def graph_actions_menu(
    card: rx.Var,
    *,
    href: Any,
    on_rename: Any,
    on_duplicate: Any,
    on_delete: Any,
) -> rx.Component:
    """The ``…`` menu of one card; ``on_*`` are events bound to the card's graph."""
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16),
                variant="ghost",
                color_scheme="gray",
                size="1",
                aria_label=f"Actions for {card.name}",
                data_testid=f"graph-menu-{card.id}",
                position="relative",
                z_index="1",
            ),
        ),
        rx.dropdown_menu.content(
            _menu_item("arrow-up-right", "Open", rx.redirect(href), f"graph-open-{card.id}"),
            _menu_item("pencil", "Rename…", on_rename, f"graph-rename-{card.id}"),
            _menu_item("copy", "Duplicate", on_duplicate, f"graph-duplicate-{card.id}"),
            rx.dropdown_menu.separator(),
            _menu_item(
                "trash-2", "Delete…", on_delete, f"graph-delete-{card.id}", color_scheme="red"
            ),
            align="end",
            size="2",
            min_width="168px",
        ),
    )


def graph_card(card: rx.Var, *, href: Any, menu: rx.Component | None = None) -> rx.Component:
    """One graph of a list; ``card`` is a ``GraphCard`` var (from ``rx.foreach``).

    ``href`` is where the card leads (the graph's builder page); ``menu`` sits in its corner.
    """
    node_count = rx.cond(card.node_count == 1, "1 node", f"{card.node_count} nodes")
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(
                    rx.heading(card.name, size="4", weight="medium", trim="both"),
                    href=href,
                    color="inherit",
                    underline="none",
                    style=STRETCHED_LINK,
                    data_testid="graph-card-link",
                    min_width="0",
                    overflow_wrap="anywhere",
                ),
                rx.spacer(),
                validity_badge(card.is_valid),
                menu if menu is not None else rx.fragment(),
                align="center",
                width="100%",
                spacing="2",
            ),
            rx.text(
                rx.cond(card.description != "", card.description, "No description"),
                size="2",
                color_scheme="gray",
                font_style=rx.cond(card.description != "", "normal", "italic"),
                style=TWO_LINES,
            ),
            rx.spacer(),
            rx.hstack(
                rx.hstack(rx.icon("share-2", size=14), rx.text(node_count), spacing="1"),
                rx.text("·"),
                rx.hstack(
                    rx.icon("clock", size=14),
                    rx.text("Edited ", rx.moment(card.updated_at, from_now=True, interval=60_000)),
                    spacing="1",
                ),
                align="center",
                spacing="2",
                color="var(--gray-11)",
                font_size="var(--font-size-1)",
            ),
            spacing="3",
            height="100%",
        ),
        size="2",
        variant="classic",
        role="listitem",
        data_testid="graph-card",
        data_graph_id=card.id,
        min_height="132px",
        style=card_style("box-shadow 120ms, transform 120ms"),
    )
