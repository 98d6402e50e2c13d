"""A saved graph as a card: name, description, node count, last edit, valid or draft."""

from __future__ import annotations

import reflex as rx

_TWO_LINES = {
    "display": "-webkit-box",
    "-webkit-line-clamp": "2",
    "-webkit-box-orient": "vertical",
    "overflow": "hidden",
}


def validity_badge(is_valid: rx.Var[bool]) -> rx.Component:
    """``Valid`` in green, or ``Draft`` in amber for a graph that does not validate yet."""
    return rx.cond(
        is_valid,
        rx.badge(rx.icon("circle-check", size=12), "Valid", color_scheme="green", variant="soft"),
        rx.badge(rx.icon("pencil-line", size=12), "Draft", color_scheme="amber", variant="soft"),
    )


def graph_card(card: rx.Var) -> rx.Component:
    """One graph of a list; ``card`` is a ``GraphCard`` var (from ``rx.foreach``)."""
    node_count = rx.cond(card.node_count == 1, "1 node", f"{card.node_count} nodes")
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(card.name, size="4", weight="medium", trim="both"),
                rx.spacer(),
                validity_badge(card.is_valid),
                align="center",
                width="100%",
            ),
            rx.text(
                rx.cond(card.description != "", card.description, "No description"),
                size="2",
                color_scheme="gray",
                font_style=rx.cond(card.description != "", "normal", "italic"),
                style=_TWO_LINES,
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
        min_height="132px",
    )
