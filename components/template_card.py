"""A marketplace template as a card, and the small pieces its page reuses.

The card shows the title (a link stretched over the card), the category, a two-line
summary, the backends it runs on, its rating and installs. ``card`` is a
``TemplateCardView`` var (from ``rx.foreach``); the card knows no page state.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from components.card_styles import STRETCHED_LINK, TWO_LINES, card_style


def backend_chips(backends: rx.Var, size: str = "1") -> rx.Component:
    """The backends a template runs on, as quiet chips."""
    return rx.hstack(
        rx.foreach(
            backends,
            lambda b: rx.badge(b, variant="outline", color_scheme="gray", size=size),
        ),
        spacing="1",
        wrap="wrap",
        data_testid="template-backends",
    )


def rating_line(rating_text: rx.Var, ratings_text: rx.Var, **props: Any) -> rx.Component:
    """``★ 4.5 (2)``, or ``☆ Not rated yet``."""
    return rx.hstack(
        rx.icon(
            "star",
            size=14,
            color=rx.cond(rating_text != "", "var(--amber-9)", "var(--gray-9)"),
            fill=rx.cond(rating_text != "", "var(--amber-9)", "none"),
        ),
        rx.cond(rating_text != "", rx.text(rating_text, weight="medium")),
        rx.text(ratings_text, color="var(--gray-11)"),
        align="center",
        spacing="1",
        data_testid="template-rating",
        **props,
    )


def template_card(card: rx.Var, *, href: Any) -> rx.Component:
    """One template of the marketplace grid, leading to ``href`` (its page)."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(card.category, variant="soft", radius="full"),
                rx.spacer(),
                rx.text("v", card.version, size="1", color="var(--gray-10)"),
                align="center",
                width="100%",
            ),
            rx.link(
                rx.heading(card.title, size="4", weight="medium", trim="both"),
                href=href,
                color="inherit",
                underline="none",
                style=STRETCHED_LINK,
                data_testid="template-card-link",
                overflow_wrap="anywhere",
            ),
            rx.text(card.summary, size="2", color_scheme="gray", style=TWO_LINES),
            rx.spacer(),
            backend_chips(card.backends),
            rx.hstack(
                rating_line(card.rating_text, card.ratings_text),
                rx.text("·"),
                rx.hstack(
                    rx.icon("download", size=14),
                    rx.text(card.installs_text),
                    spacing="1",
                    align="center",
                    data_testid="template-installs",
                ),
                rx.spacer(),
                rx.text(
                    card.author,
                    trim="both",
                    max_width="40%",
                    overflow="hidden",
                    text_overflow="ellipsis",
                    white_space="nowrap",
                ),
                align="center",
                spacing="2",
                width="100%",
                color="var(--gray-11)",
                font_size="var(--font-size-1)",
            ),
            spacing="2",
            height="100%",
        ),
        size="2",
        variant="classic",
        role="listitem",
        data_testid="template-card",
        data_slug=card.slug,
        min_height="196px",
        style=card_style(),
    )
