"""The frame of every full page: the header, then the page's content centred in a column."""

from __future__ import annotations

import reflex as rx

from components.header import header


def page_shell(content: rx.Component) -> rx.Component:
    """``content`` under the app header, at most 1136 px wide, on the page background."""
    return rx.box(
        header(),
        rx.el.main(
            content,
            max_width="1136px",
            margin_x="auto",
            padding_x="24px",
            padding_y="40px",
        ),
        min_height="100vh",
        background="var(--gray-2)",
    )
