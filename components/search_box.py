"""A search box that filters as one types (debounced), with a clear button while it holds text."""

from __future__ import annotations

from typing import Any

import reflex as rx

SEARCH_DEBOUNCE_MS = 250


def search_box(
    value: rx.Var[str],
    *,
    on_change: Any,
    on_clear: Any,
    clearable: rx.Var[bool],
    placeholder: str,
    aria_label: str,
    test_id: str,
    **props: Any,
) -> rx.Component:
    """The box; ``clearable`` shows the clear button (``<test_id>-clear``)."""
    return rx.input(
        rx.input.slot(rx.icon("search", size=16)),
        rx.cond(
            clearable,
            rx.input.slot(
                rx.icon_button(
                    rx.icon("x", size=14),
                    variant="ghost",
                    color_scheme="gray",
                    size="1",
                    on_click=on_clear,
                    aria_label="Clear search",
                    data_testid=f"{test_id}-clear",
                ),
            ),
        ),
        value=value,
        on_change=on_change,
        debounce_timeout=SEARCH_DEBOUNCE_MS,
        placeholder=placeholder,
        type="search",
        aria_label=aria_label,
        size="3",
        data_testid=test_id,
        **props,
    )
