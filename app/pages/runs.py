"""The run history page: runs of every graph (``/runs``) or of one (``/graphs/[id]/runs``).

Each row links to its run's page; a select filters the list by status. Tick two runs
and press Compare to see them side by side. One graph's page also charts its runs'
tokens and duration over time.
"""

from __future__ import annotations

import reflex as rx

from app.pages.runs_state import RunsState
from app.paths import run_path
from app.services.run_history import STATUS_FILTERS, RunRow
from components.page_shell import page_shell

STATUS_COLORS = {
    "queued": "gray",
    "running": "blue",
    "interrupted": "amber",
    "succeeded": "green",
    "failed": "red",
    "cancelled": "gray",
}
EMPTY_HINT = "Runs appear here once a graph is run from its builder's Run tab."
CHART_HEIGHT = 220
TOKENS_COLOR = "#8e4ec6"  # the run page's chart colours
DURATION_COLOR = "#12a594"
SMALL_TICK = {"fontSize": 12}


def status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.badge(
        status, color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"), variant="soft"
    )


def status_filter() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Filter runs by status", data_testid="runs-filter"),
        rx.select.content(*(rx.select.item(s, value=s) for s in STATUS_FILTERS)),
        value=RunsState.status_filter,
        on_change=RunsState.set_status_filter,
    )


def compare_button() -> rx.Component:
    return rx.hstack(
        rx.text(RunsState.compare_hint, size="2", color_scheme="gray"),
        rx.button(
            rx.icon("git-compare", size=14),
            "Compare",
            on_click=RunsState.compare,
            disabled=~RunsState.can_compare,
            data_testid="runs-compare",
        ),
        align="center",
        spacing="3",
    )


def _axis(axis_id: str, side: str, color: str) -> rx.Component:
    return rx.recharts.y_axis(
        y_axis_id=axis_id, orientation=side, tick={**SMALL_TICK, "fill": color}, stroke=color
    )


def _line(key: str, name: str, axis_id: str, color: str) -> rx.Component:
    return rx.recharts.line(
        data_key=key,
        name=name,
        y_axis_id=axis_id,
        type_="monotone",
        stroke=color,
        stroke_width=2,
        dot={"r": 3, "fill": color},
        is_animation_active=False,  # drawn at once: a history, not a live value
    )


def runs_chart() -> rx.Component:
    """The graph's finished runs, oldest to newest: total tokens and duration (two axes)."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Runs over time", size="3", as_="h2"),
                rx.text("Finished runs, oldest to newest (UTC).", size="1", color_scheme="gray"),
                align="baseline",
                spacing="3",
            ),
            rx.recharts.line_chart(
                rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
                rx.recharts.x_axis(
                    data_key="started", padding={"left": 24, "right": 24}, tick=SMALL_TICK
                ),
                _axis("tokens", "left", TOKENS_COLOR),
                _axis("ms", "right", DURATION_COLOR),
                rx.recharts.graphing_tooltip(),
                rx.recharts.legend(),
                _line("tokens", "Tokens", "tokens", TOKENS_COLOR),
                _line("duration_ms", "Duration (ms)", "ms", DURATION_COLOR),
                data=RunsState.series,
                width="100%",
                height=CHART_HEIGHT,
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="runs-chart",
    )


def _row(row: rx.Var[RunRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=RunsState.selected.contains(row.id),
                on_change=lambda ticked: RunsState.toggle_selected(row.id, ticked),
                aria_label="Select for comparison",
                data_testid="run-select-" + row.id,
            ),
        ),
        rx.table.cell(
            rx.link(row.graph_name, " · v", row.graph_version, href=run_path(row.id)),
            weight="medium",
        ),
        rx.table.cell(status_badge(row.status)),
        rx.table.cell(row.started),
        rx.table.cell(row.duration),
        rx.table.cell(row.tokens),
        rx.table.cell(row.cost),
        rx.table.cell(rx.text(row.input_preview, size="1", trim="both"), max_width="220px"),
        rx.table.cell(rx.text(row.output_preview, size="1", trim="both"), max_width="260px"),
        data_testid="run-row-" + row.id,
        data_status=row.status,
    )


def runs_table() -> rx.Component:
    heads = (
        "",
        "Graph",
        "Status",
        "Started (UTC)",
        "Duration",
        "Tokens",
        "Cost",
        "Input",
        "Output",
    )
    return rx.table.root(
        rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in heads))),
        rx.table.body(rx.foreach(RunsState.rows, _row)),
        variant="surface",
        size="1",
        width="100%",
        data_testid="runs-table",
    )


def runs_page() -> rx.Component:
    title = rx.cond(
        RunsState.scope_graph_id != "",
        rx.heading("Runs of ", RunsState.scope_name, size="7", as_="h1"),
        rx.heading("Runs", size="7", as_="h1"),
    )
    return page_shell(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    title,
                    rx.text("Newest first.", color_scheme="gray", size="3"),
                    spacing="1",
                ),
                rx.spacer(),
                compare_button(),
                status_filter(),
                align="end",
                spacing="4",
                width="100%",
            ),
            rx.cond(
                RunsState.error != "",
                rx.callout(RunsState.error, icon="triangle-alert", color_scheme="red"),
            ),
            rx.cond(RunsState.show_series, runs_chart()),
            rx.cond(
                RunsState.has_rows,
                runs_table(),
                rx.cond(
                    RunsState.loaded,
                    rx.center(
                        rx.text("No runs yet. ", EMPTY_HINT, color_scheme="gray"),
                        padding_y="48px",
                        width="100%",
                        data_testid="runs-empty",
                    ),
                    rx.center(rx.spinner(size="3"), padding_y="48px", width="100%"),
                ),
            ),
            spacing="5",
            width="100%",
        )
    )
