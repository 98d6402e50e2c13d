"""Version history: every save of a graph, newest first, to preview or restore.

Rows are the service's version rows (``version``, ``created_at``, ``is_valid``,
``message``, ``problem_count``, ``current``). Test ids: ``versions`` (the list),
``version-<n>`` (a row), ``preview-version-<n>``, ``restore-version-<n>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from components.graph_card import validity_badge


def version_row(
    row: rx.Var,
    previewing: rx.Var,
    on_preview: Callable[[rx.Var], Any],
    on_restore: Callable[[rx.Var], Any],
) -> rx.Component:
    is_previewed = previewing == row.version
    return rx.box(
        rx.hstack(
            rx.text(f"Version {row.version}", weight="medium", size="2"),
            rx.cond(row.current, rx.badge("Current", variant="outline", size="1")),
            rx.spacer(),
            validity_badge(row.is_valid),
            align="center",
            width="100%",
        ),
        rx.text(
            rx.cond(row.message != "", row.message, "Saved"),
            size="1",
            color="var(--gray-11)",
            margin_top="2px",
        ),
        rx.hstack(
            rx.text(
                rx.moment(row.created_at, from_now=True, interval=60_000),
                size="1",
                color_scheme="gray",
                title=row.created_at,
            ),
            rx.cond(
                ~row.is_valid,
                rx.text(
                    f"· {row.problem_count} ",
                    rx.cond(row.problem_count == 1, "problem", "problems"),
                    size="1",
                    color_scheme="gray",
                ),
            ),
            rx.spacer(),
            rx.button(
                rx.icon("eye", size=13),
                "Preview",
                size="1",
                variant=rx.cond(is_previewed, "solid", "soft"),
                on_click=on_preview(row.version),
                data_testid=f"preview-version-{row.version}",
            ),
            rx.cond(
                ~row.current,
                rx.button(
                    rx.icon("history", size=13),
                    "Restore",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=on_restore(row.version),
                    data_testid=f"restore-version-{row.version}",
                ),
            ),
            align="center",
            spacing="2",
            margin_top="6px",
            width="100%",
        ),
        padding="10px 12px",
        border="1px solid",
        border_color=rx.cond(is_previewed, "var(--accent-8)", "var(--gray-a5)"),
        background=rx.cond(is_previewed, "var(--accent-a2)", "transparent"),
        border_radius="var(--radius-3)",
        width="100%",
        role="listitem",
        data_testid=f"version-{row.version}",
    )


def version_history(
    versions: rx.Var,
    previewing: rx.Var,
    on_preview: Callable[[rx.Var], Any],
    on_restore: Callable[[rx.Var], Any],
    **props: Any,
) -> rx.Component:
    """The list of saves; ``previewing`` is the version shown read-only (0: none)."""
    return rx.vstack(
        rx.text(
            "Every save is kept. Preview one on the canvas, or restore it as a new version.",
            size="1",
            color_scheme="gray",
        ),
        rx.foreach(versions, lambda row: version_row(row, previewing, on_preview, on_restore)),
        spacing="2",
        width="100%",
        role="list",
        aria_label="Versions",
        data_testid="versions",
        **props,
    )
