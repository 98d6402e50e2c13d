"""The home page: the saved graphs, and the way to start a new one."""

from __future__ import annotations

import reflex as rx

from app.pages.home_state import HomeState
from components.graph_card import graph_card
from components.header import header

EMPTY_TITLE = "No graphs yet"
EMPTY_HINT = "Click New graph to create your first agent graph."


def new_graph_button() -> rx.Component:
    return rx.button(
        rx.icon("plus", size=16),
        "New graph",
        on_click=HomeState.create_graph,
        loading=HomeState.creating,
        size="3",
        data_testid="new-graph",
    )


def empty_state() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon("workflow", size=28, color="var(--accent-11)"),
                width="56px",
                height="56px",
                border_radius="var(--radius-4)",
                background="var(--accent-a3)",
            ),
            rx.heading(EMPTY_TITLE, size="5", weight="medium", as_="h2"),
            rx.text(EMPTY_HINT, color_scheme="gray", size="3", align="center"),
            align="center",
            spacing="3",
            max_width="420px",
        ),
        padding_y="72px",
        border="1px dashed var(--gray-a6)",
        border_radius="var(--radius-4)",
        width="100%",
        data_testid="graphs-empty",
    )


def graph_list() -> rx.Component:
    return rx.grid(
        rx.foreach(HomeState.graphs, graph_card),
        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
        spacing="4",
        width="100%",
        role="list",
        aria_label="Saved graphs",
        data_testid="graph-list",
    )


def loading_state() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding_y="72px", width="100%")


def page_intro() -> rx.Component:
    """The page title with the number of graphs, a one-line explanation and New graph."""
    count = rx.cond(
        HomeState.has_graphs,
        rx.badge(
            HomeState.graphs.length(), variant="soft", radius="full", data_testid="graph-count"
        ),
    )
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.heading("Graphs", size="7", as_="h1"), count, align="center"),
            rx.text(
                "Agent graphs you have saved, most recently edited first.",
                color_scheme="gray",
                size="3",
            ),
            spacing="1",
        ),
        rx.spacer(),
        new_graph_button(),
        align="end",
        width="100%",
        wrap="wrap",
        spacing="4",
    )


def error_callout() -> rx.Component:
    return rx.cond(
        HomeState.error != "",
        rx.callout(
            HomeState.error,
            icon="triangle-alert",
            color_scheme="red",
            role="alert",
            width="100%",
            data_testid="home-error",
        ),
    )


def home_page() -> rx.Component:
    return rx.box(
        header(),
        rx.el.main(
            rx.vstack(
                page_intro(),
                error_callout(),
                rx.cond(
                    HomeState.loaded,
                    rx.cond(HomeState.has_graphs, graph_list(), empty_state()),
                    loading_state(),
                ),
                spacing="6",
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
