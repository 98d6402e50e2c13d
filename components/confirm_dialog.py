"""A confirmation dialog for deleting something: Cancel, or a red Delete."""

from __future__ import annotations

from typing import Any

import reflex as rx


def confirm_delete_dialog(
    *title: Any,
    description: str,
    on_confirm: Any,
    open: Any,
    on_open_change: Any,
    confirm_testid: str,
    with_icon: bool = False,
    **content_props: Any,
) -> rx.Component:
    """``title`` parts (text and vars), a one-line consequence, and the two buttons."""
    label = (rx.icon("trash-2", size=16), "Delete") if with_icon else ("Delete",)
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(*title),
            rx.alert_dialog.description(description, size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        *label,
                        color_scheme="red",
                        on_click=on_confirm,
                        data_testid=confirm_testid,
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="440px",
            **content_props,
        ),
        open=open,
        on_open_change=on_open_change,
    )
