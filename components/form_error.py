"""An error under a form, in red with an alert icon, shown only while there is one."""

from __future__ import annotations

import reflex as rx


def form_error(message: rx.Var[str], test_id: str) -> rx.Component:
    """``message`` as an alert (``role="alert"``), nothing when it is empty."""
    return rx.cond(
        message != "",
        rx.text(
            rx.icon("circle-alert", size=14),
            message,
            color_scheme="red",
            size="2",
            role="alert",
            display="flex",
            align_items="center",
            gap="6px",
            data_testid=test_id,
        ),
    )
