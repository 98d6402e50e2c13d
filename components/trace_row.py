"""One step of a run's trace: status, node, timing, tokens, cost; expands to its details."""

from __future__ import annotations

import reflex as rx

from app.services.run_view import TraceRow

STATUS_COLORS = {"running": "blue", "done": "green", "failed": "red", "waiting": "amber"}


def _block(title: str, body: rx.Var[str], test_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(title, size="1", weight="medium", color_scheme="gray"),
        rx.code(
            body,
            size="1",
            white_space="pre-wrap",
            word_break="break-word",
            max_height="160px",
            overflow_y="auto",
            display="block",
            width="100%",
            data_testid=test_id,
        ),
        spacing="1",
        width="100%",
    )


def _lines(title: str, lines: rx.Var[list[str]], test_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(title, size="1", weight="medium", color_scheme="gray"),
        rx.foreach(
            lines,
            lambda line: rx.code(line, size="1", white_space="pre-wrap", word_break="break-word"),
        ),
        spacing="1",
        width="100%",
        data_testid=test_id,
    )


def _details(row: rx.Var[TraceRow]) -> rx.Component:
    return rx.el.details(
        rx.el.summary(
            rx.text(
                "Input, output, tool calls, retrieved", as_="span", size="1", color_scheme="gray"
            ),
            cursor="pointer",
            data_testid="step-expand",
        ),
        rx.vstack(
            rx.cond(row.input != "", _block("Input", row.input, "step-input")),
            rx.cond(
                row.retrieved.length() > 0, _lines("Retrieved", row.retrieved, "step-retrieved")
            ),
            rx.cond(row.output != "", _block("Output", row.output, "step-output")),
            rx.cond(
                row.error_detail != "", _block("Error details", row.error_detail, "step-detail")
            ),
            rx.cond(row.tools.length() > 0, _lines("Tool calls", row.tools, "step-tools")),
            spacing="2",
            padding_top="4px",
            width="100%",
        ),
        width="100%",
    )


def trace_row(row: rx.Var[TraceRow]) -> rx.Component:
    """A step: a spinner while it runs, then its status, timing, tokens and cost."""
    return rx.hstack(
        rx.cond(
            row.status == "running",
            rx.spinner(size="1"),
            rx.badge(row.status, color_scheme=rx.match(row.status, *STATUS_COLORS.items(), "gray")),
        ),
        rx.vstack(
            rx.hstack(
                rx.text(
                    rx.cond(row.label != "", row.label, row.node_id), weight="medium", size="2"
                ),
                rx.text(row.kind, size="1", color_scheme="gray"),
                rx.spacer(),
                rx.text(row.start, size="1", color_scheme="gray"),
                spacing="2",
                align="baseline",
                width="100%",
            ),
            rx.cond(row.preview != "", rx.text(row.preview, size="1", color_scheme="gray")),
            rx.text(
                f"{row.duration_ms} ms · {row.tokens} tokens · {row.tool_calls} tool calls",
                rx.cond(
                    row.retrieved.length() > 0,
                    " · " + row.retrieved_count.to_string() + " retrieved",
                    "",
                ),
                rx.cond(row.cost != "", " · " + row.cost, ""),
                size="1",
                color_scheme="gray",
            ),
            rx.cond(
                row.error != "",
                rx.text(row.error, size="1", color_scheme="red", data_testid="step-error"),
            ),
            rx.cond(
                (row.input != "")
                | (row.output != "")
                | (row.tools.length() > 0)
                | (row.retrieved.length() > 0)
                | (row.error_detail != ""),
                _details(row),
            ),
            spacing="1",
            min_width="0",
            width="100%",
        ),
        align="start",
        spacing="2",
        width="100%",
        data_testid="trace-" + row.node_id,
        data_status=row.status,
    )
