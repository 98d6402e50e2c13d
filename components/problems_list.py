"""The problems list: every validation problem of a graph, each one a button to its node.

Items (``data-testid="problem-item"``, with ``data-node-id``) are the service's
problem rows: ``where``, ``message``, ``hint``, ``code`` and ``node_id``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

NO_PROBLEMS = "No problems: this graph is ready to run."


def problem_item(item: rx.Var, on_pick: Callable[[rx.Var], Any]) -> rx.Component:
    return rx.el.button(
        rx.hstack(
            rx.icon("circle-alert", size=15, color="var(--red-10)", flex_shrink="0"),
            rx.vstack(
                rx.hstack(
                    rx.text(item.where, weight="medium", size="2"),
                    rx.text(item.message, size="2", color="var(--gray-12)"),
                    spacing="2",
                    wrap="wrap",
                    align="baseline",
                ),
                rx.cond(
                    item.hint != "",
                    rx.text(item.hint, size="1", color_scheme="gray"),
                ),
                spacing="0",
                align="start",
            ),
            align="start",
            spacing="2",
            width="100%",
        ),
        on_click=on_pick(item.node_id),
        type="button",
        role="listitem",
        title=item.code,
        data_testid="problem-item",
        data_node_id=item.node_id,
        style={
            "all": "unset",
            "box-sizing": "border-box",
            "display": "block",
            "width": "100%",
            "cursor": "pointer",
            "padding": "6px 12px",
            "text-align": "left",
            "border-bottom": "1px solid var(--gray-a3)",
            "&:hover": {"background": "var(--gray-a3)"},
            "&:focus-visible": {"outline": "2px solid var(--accent-8)", "outline-offset": "-2px"},
        },
    )


def problems_list(problems: rx.Var, on_pick: Callable[[rx.Var], Any], **props: Any) -> rx.Component:
    """The list with a header and count; ``on_pick(node_id)`` runs when an item is clicked."""
    count = problems.length()
    header = rx.hstack(
        # two static icons, not one icon with a dynamic name (which would pull in every icon)
        rx.cond(
            count > 0,
            rx.icon("triangle-alert", size=15, color="var(--amber-10)"),
            rx.icon("circle-check", size=15, color="var(--green-10)"),
        ),
        rx.text("Problems", weight="medium", size="2"),
        rx.badge(
            count,
            color_scheme=rx.cond(count > 0, "amber", "green"),
            variant="soft",
            radius="full",
            data_testid="problem-count",
        ),
        align="center",
        spacing="2",
        padding="8px 12px",
        border_bottom="1px solid var(--gray-a4)",
        width="100%",
    )
    body = rx.cond(
        count > 0,
        rx.box(
            rx.foreach(problems, lambda item: problem_item(item, on_pick)),
            role="list",
            aria_label="Problems",
            overflow_y="auto",
            flex="1",
            min_height="0",
        ),
        rx.text(
            NO_PROBLEMS,
            size="2",
            color_scheme="gray",
            padding="10px 12px",
            data_testid="problems-empty",
        ),
    )
    return rx.flex(
        header,
        body,
        direction="column",
        data_testid="problems-list",
        **props,
    )
