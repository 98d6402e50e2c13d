"""One run's page: status and totals, input, output or error, the trace, a per-node chart,
the graph version it ran (read-only), and Run again.
"""

from __future__ import annotations

import reflex as rx

from app.pages.run_detail_state import RunDetailState as S
from app.pages.runs import status_badge
from app.paths import RUNS, builder_path
from components.graph_canvas import graph_canvas
from components.human_step import human_step
from components.page_shell import page_shell
from components.trace_row import trace_row

CHART_HEIGHT = 240


def _stat(label: str, value: rx.Var | str, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="3", weight="medium", data_testid=testid),
        spacing="0",
    )


def totals() -> rx.Component:
    return rx.hstack(
        _stat("Started (UTC)", S.row.started, "run-started"),
        _stat("Duration", S.row.duration, "run-duration"),
        _stat("Tokens", S.row.tokens.to_string(), "run-tokens"),
        _stat("Cost", S.row.cost, "run-cost"),
        _stat("Steps", S.steps.to_string(), "run-steps"),
        spacing="6",
        wrap="wrap",
        data_testid="run-totals",
    )


def _section(title: str, *children: rx.Component, **props) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="3", as_="h2"), *children, spacing="2", width="100%"),
        width="100%",
        **props,
    )


def _text_box(value: rx.Var[str], testid: str) -> rx.Component:
    return rx.text(value, size="2", white_space="pre-wrap", data_testid=testid)


def run_chart() -> rx.Component:
    """Per-node tokens and duration, side by side (two axes)."""
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="node"),
        rx.recharts.y_axis(y_axis_id="tokens", orientation="left"),
        rx.recharts.y_axis(y_axis_id="ms", orientation="right"),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        rx.recharts.bar(data_key="tokens", name="Tokens", y_axis_id="tokens", fill="#8e4ec6"),
        rx.recharts.bar(
            data_key="duration_ms", name="Duration (ms)", y_axis_id="ms", fill="#12a594"
        ),
        data=S.chart,
        width="100%",
        height=CHART_HEIGHT,
    )


def heading_row() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.heading(S.row.graph_name, size="7", as_="h1"),
                rx.badge("v", S.row.graph_version, variant="outline"),
                rx.box(
                    status_badge(S.row.status), data_testid="run-status", data_status=S.row.status
                ),
                align="center",
                spacing="3",
            ),
            rx.hstack(
                rx.link("All runs", href=RUNS, size="2"),
                rx.link(
                    "Runs of this graph", href=builder_path(S.row.graph_id) + "/runs", size="2"
                ),
                rx.link("Open in builder", href=builder_path(S.row.graph_id), size="2"),
                spacing="4",
            ),
            spacing="1",
        ),
        rx.spacer(),
        rx.button(
            rx.icon("rotate-ccw", size=14),
            "Run again",
            on_click=S.run_again,
            loading=S.starting,
            disabled=~S.ended,
            data_testid="run-again",
        ),
        align="end",
        width="100%",
    )


def run_body() -> rx.Component:
    return rx.vstack(
        heading_row(),
        rx.cond(S.rerun_error != "", rx.callout(S.rerun_error, color_scheme="red", role="alert")),
        rx.cond(
            S.waiting_mode != "",
            human_step(S),
        ),
        rx.cond(S.answer_error != "", rx.callout(S.answer_error, color_scheme="red", role="alert")),
        totals(),
        rx.grid(
            _section("Input", _text_box(S.input_text, "run-input-text")),
            rx.cond(
                S.error != "",
                _section(
                    "Error",
                    _text_box(S.error, "run-error-text"),
                    rx.code(S.error_detail, size="1", white_space="pre-wrap"),
                ),
                _section("Output", _text_box(S.output_text, "run-output-text")),
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        rx.grid(
            _section(
                "Trace",
                rx.vstack(rx.foreach(S.trace, trace_row), spacing="2", data_testid="run-trace"),
            ),
            _section("Tokens and time per node", run_chart(), data_testid="run-chart"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        _section(
            "The graph version it ran",
            rx.box(
                graph_canvas(
                    graph=S.canvas,
                    revision=S.row.graph_version,
                    read_only=True,
                    data_testid="run-canvas",
                ),
                height="360px",
                width="100%",
            ),
        ),
        spacing="5",
        width="100%",
    )


def run_detail_page() -> rx.Component:
    return page_shell(
        rx.cond(
            S.load_error != "",
            rx.callout(S.load_error, icon="triangle-alert", color_scheme="red", role="alert"),
            rx.cond(
                S.shown_id != "",
                run_body(),
                rx.center(rx.spinner(size="3"), padding_y="72px", width="100%"),
            ),
        )
    )
