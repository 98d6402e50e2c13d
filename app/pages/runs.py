"""The run history page: runs of every graph (``/runs``) or of one (``/graphs/[id]/runs``).

Each row links to its run's page; a select filters the list by status.
"""

from __future__ import annotations

import reflex as rx

from app.pages.runs_state import RunsState
from app.paths import run_path
from app.services.run_history import STATUS_FILTERS, RunRow
from components.header import header

STATUS_COLORS = {
    "queued": "gray",
    "running": "blue",
    "interrupted": "amber",
    "succeeded": "green",
    "failed": "red",
    "cancelled": "gray",
}
EMPTY_HINT = "Runs appear here once a graph is run from its builder's Run tab."


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


def _row(row: rx.Var[RunRow]) -> rx.Component:
    return rx.table.row(
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
    heads = ("Graph", "Status", "Started (UTC)", "Duration", "Tokens", "Cost", "Input", "Output")
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
    return rx.box(
        header(),
        rx.el.main(
            rx.vstack(
                rx.hstack(
                    rx.vstack(
                        title,
                        rx.text("Newest first.", color_scheme="gray", size="3"),
                        spacing="1",
                    ),
                    rx.spacer(),
                    status_filter(),
                    align="end",
                    width="100%",
                ),
                rx.cond(
                    RunsState.error != "",
                    rx.callout(RunsState.error, icon="triangle-alert", color_scheme="red"),
                ),
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
            ),
            max_width="1136px",
            margin_x="auto",
            padding_x="24px",
            padding_y="40px",
        ),
        min_height="100vh",
        background="var(--gray-2)",
    )
