"""Two runs side by side (``/runs/compare/[run_a]/[run_b]``): their totals, input, output or
error, and a table of their steps matched by node with the time each took.
"""

from __future__ import annotations

import reflex as rx

from app.pages.run_compare_state import RunCompareState as S
from app.pages.runs import status_badge
from app.paths import RUNS, run_path
from app.services.run_history import RunSide, StepPair
from components.page_shell import page_shell

TREND_COLORS = {"slower": "red", "faster": "green"}


def _stat(label: str, value: rx.Var | str, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="3", weight="medium", data_testid=testid),
        spacing="0",
    )


def summary(side: rx.Var[RunSide], letter: str) -> rx.Component:
    """One run's name, version, status, link and totals."""
    key = letter.lower()
    row = side.row
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(letter, variant="solid", size="2"),
                rx.heading(row.graph_name, size="4", as_="h2"),
                rx.badge("v", row.graph_version, variant="outline"),
                rx.box(status_badge(row.status), data_status=row.status),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            rx.link(
                "Open this run",
                rx.icon("arrow-right", size=12),
                href=run_path(row.id),
                size="1",
                display="inline-flex",
                align_items="center",
                gap="4px",
                data_testid=f"compare-link-{key}",
            ),
            rx.hstack(
                _stat("Started (UTC)", row.started, f"compare-started-{key}"),
                _stat("Duration", row.duration, f"compare-duration-{key}"),
                _stat("Tokens", row.tokens.to_string(), f"compare-tokens-{key}"),
                _stat("Cost", row.cost, f"compare-cost-{key}"),
                spacing="5",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid=f"compare-run-{key}",
        data_status=row.status,
    )


def _text_card(title: str, value: rx.Var[str], testid: str, *extra: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, size="2", as_="h3", color_scheme="gray"),
            rx.cond(
                value != "",
                rx.text(value, size="2", white_space="pre-wrap", data_testid=testid),
                rx.text("(none)", size="2", color_scheme="gray", data_testid=testid),
            ),
            *extra,
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def output_card(side: rx.Var[RunSide], letter: str) -> rx.Component:
    """The run's full output, and its error under it when it failed."""
    key = letter.lower()
    error = rx.cond(
        side.error != "",
        rx.callout.root(
            rx.callout.text(side.error, weight="medium"),
            rx.callout.text(rx.code(side.error_detail, size="1", white_space="pre-wrap")),
            color_scheme="red",
            size="1",
            width="100%",
            data_testid=f"compare-error-{key}",
        ),
    )
    return _text_card("Output", side.output, f"compare-output-{key}", error)


def _step(step: rx.Var[StepPair]) -> rx.Component:
    diff_color = rx.match(step.trend, *TREND_COLORS.items(), "gray")
    return rx.table.row(
        rx.table.row_header_cell(step.label),
        rx.table.cell(step.a_ms, text_align="right"),
        rx.table.cell(step.b_ms, text_align="right"),
        rx.table.cell(
            rx.text(step.diff_ms, color_scheme=diff_color, weight="medium"), text_align="right"
        ),
        rx.table.cell(step.a_tokens, text_align="right"),
        rx.table.cell(step.b_tokens, text_align="right"),
        data_testid="compare-step-" + step.node_id,
    )


def steps_table() -> rx.Component:
    heads = ("A (ms)", "B (ms)", "B - A (ms)", "A tokens", "B tokens")
    return rx.card(
        rx.vstack(
            rx.heading("Steps", size="3", as_="h2"),
            rx.text(
                "Matched by node id; — where a run did not reach that node.",
                size="1",
                color_scheme="gray",
            ),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Node"),
                        *(rx.table.column_header_cell(h, text_align="right") for h in heads),
                    )
                ),
                rx.table.body(rx.foreach(S.steps, _step)),
                size="1",
                width="100%",
                data_testid="compare-steps",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def comparison() -> rx.Component:
    """A and B in two columns; each pair of cards shares a grid row, so they line up."""
    return rx.vstack(
        rx.grid(
            summary(S.a, "A"),
            summary(S.b, "B"),
            _text_card("Input", S.a.input, "compare-input-a"),
            _text_card("Input", S.b.input, "compare-input-b"),
            output_card(S.a, "A"),
            output_card(S.b, "B"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        steps_table(),
        spacing="4",
        width="100%",
    )


def run_compare_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.vstack(
                rx.heading("Compare runs", size="7", as_="h1"),
                rx.link("All runs", href=RUNS, size="2"),
                spacing="1",
            ),
            rx.cond(
                S.load_error != "",
                rx.callout(
                    S.load_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    role="alert",
                    data_testid="compare-error",
                ),
                rx.cond(
                    S.shown,
                    comparison(),
                    rx.center(rx.spinner(size="3"), padding_y="72px", width="100%"),
                ),
            ),
            spacing="5",
            width="100%",
        )
    )
