"""The builder's side panel: the selected node's properties or the graph's settings,
and the version history. Forms are generated (``components/properties_panel.py``)."""

from __future__ import annotations

import reflex as rx

from app.pages.builder_state import BuilderState
from app.services.forms import builtin_tool_names, memory_types
from components.properties_panel import FormEvents, form_fields, form_rows, problem_notes
from components.run_panel import run_panel
from components.version_history import version_history

EVENTS = FormEvents(
    edit=BuilderState.edit_field,
    switch=BuilderState.edit_switch,
    toggle=BuilderState.toggle_option,
    add=BuilderState.add_item,
    remove=BuilderState.remove_item,
)
KIND_COLORS = {
    "input": "green",
    "agent": "violet",
    "tool": "amber",
    "router": "cyan",
    "human": "pink",
    "memory": "blue",
    "output": "gray",
}


def _section(title: str, hint: str, *children: rx.Component, test_id: str) -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading(title, size="3", weight="medium", as_="h3"),
            rx.text(hint, size="1", color_scheme="gray"),
            spacing="1",
        ),
        *children,
        spacing="3",
        width="100%",
        padding_top="16px",
        border_top="1px solid var(--gray-a4)",
        data_testid=test_id,
    )


def _add_select(placeholder: str, options: list[str], scope: str, prefix: str, test_id: str):
    """A select that adds an item of the chosen kind (and shows its placeholder again)."""
    return rx.select.root(
        rx.select.trigger(placeholder=placeholder, variant="soft", data_testid=test_id),
        rx.select.content(*(rx.select.item(o, value=o) for o in options)),
        value="",
        on_change=lambda value: BuilderState.add_item(scope, prefix + value),
        size="2",
    )


def routes_editor() -> rx.Component:
    """A router's routes: one generated row per route, with add and remove."""
    scope = "node/" + BuilderState.selection[0] + "/routes"
    return rx.vstack(
        form_rows(BuilderState.route_rows, EVENTS, BuilderState.form_version, "route"),
        rx.button(
            rx.icon("plus", size=14),
            "Add route",
            variant="soft",
            size="2",
            on_click=BuilderState.add_item(scope, ""),
            data_testid="add-route",
        ),
        spacing="2",
        width="100%",
    )


def node_properties() -> rx.Component:
    kind = BuilderState.form_kind
    return rx.vstack(
        rx.hstack(
            rx.badge(
                kind,
                color_scheme=rx.match(kind, *KIND_COLORS.items(), "gray"),
                variant="soft",
                text_transform="capitalize",
                data_testid="panel-kind",
            ),
            rx.heading(BuilderState.form_title, size="4", weight="medium", trim="both"),
            align="center",
            spacing="2",
        ),
        problem_notes(BuilderState.form_notes),
        form_fields(
            BuilderState.node_fields, EVENTS, BuilderState.form_version, routes=routes_editor()
        ),
        spacing="4",
        width="100%",
        data_testid="node-properties",
    )


def graph_settings() -> rx.Component:
    version = BuilderState.form_version
    return rx.vstack(
        rx.heading("Graph settings", size="4", weight="medium", trim="both"),
        rx.text(
            "Select a node on the canvas to edit it. These settings apply to the whole graph.",
            size="1",
            color_scheme="gray",
        ),
        problem_notes(BuilderState.form_notes),
        form_fields(BuilderState.graph_fields, EVENTS, version),
        _section(
            "Models",
            "Chat models agents and LLM routers can use. API keys are secret names, never keys.",
            form_rows(BuilderState.model_rows, EVENTS, version, "model"),
            rx.button(
                rx.icon("plus", size=14),
                "Add model",
                variant="soft",
                size="2",
                on_click=BuilderState.add_item("models", ""),
                data_testid="add-model",
            ),
            test_id="models-section",
        ),
        _section(
            "Tools",
            "Built-in tools by registry name, or HTTP calls to allow-listed hosts.",
            form_rows(BuilderState.tool_rows, EVENTS, version, "tool"),
            rx.hstack(
                _add_select(
                    "Add built-in tool", builtin_tool_names(), "tools", "builtin:", "add-builtin"
                ),
                rx.button(
                    rx.icon("globe", size=14),
                    "Add HTTP tool",
                    variant="soft",
                    size="2",
                    on_click=BuilderState.add_item("tools", "http"),
                    data_testid="add-http-tool",
                ),
                spacing="2",
                wrap="wrap",
            ),
            test_id="tools-section",
        ),
        _section(
            "Memories",
            "Knowledge bases, long-term facts or per-thread conversations.",
            form_rows(BuilderState.memory_rows, EVENTS, version, "memory"),
            _add_select("Add memory", memory_types(), "memories", "", "add-memory"),
            test_id="memories-section",
        ),
        spacing="4",
        width="100%",
        data_testid="graph-settings",
    )


def many_selected() -> rx.Component:
    return rx.vstack(
        rx.heading(BuilderState.form_title, size="4", weight="medium"),
        rx.text(
            "Drag them together, duplicate them (Ctrl+D), copy them (Ctrl+C) or delete them. "
            "Select one node to edit its properties.",
            size="2",
            color_scheme="gray",
        ),
        spacing="2",
        data_testid="many-selected",
    )


def properties_panel() -> rx.Component:
    return rx.box(
        rx.match(
            BuilderState.form_kind,
            ("", graph_settings()),
            ("many", many_selected()),
            node_properties(),
        ),
        data_testid="properties-panel",
    )


def side_panel() -> rx.Component:
    """Properties, Versions and Run, as tabs."""
    return rx.tabs.root(
        rx.tabs.list(
            rx.tabs.trigger("Properties", value="properties", data_testid="tab-properties"),
            rx.tabs.trigger("Versions", value="versions", data_testid="tab-versions"),
            rx.tabs.trigger("Run", value="run", data_testid="tab-run"),
            size="2",
            flex_shrink="0",
        ),
        rx.tabs.content(
            properties_panel(),
            value="properties",
            padding="16px",
            overflow_y="auto",
            flex="1",
            min_height="0",
        ),
        rx.tabs.content(
            version_history(
                BuilderState.versions,
                BuilderState.preview_version,
                BuilderState.preview,
                BuilderState.restore,
            ),
            value="versions",
            padding="16px",
            overflow_y="auto",
            flex="1",
            min_height="0",
        ),
        rx.tabs.content(
            run_panel(BuilderState.loaded_id),
            value="run",
            padding="16px",
            overflow_y="auto",
            flex="1",
            min_height="0",
        ),
        value=BuilderState.side_tab,
        on_change=BuilderState.choose_tab,
        display="flex",
        flex_direction="column",
        height="100%",
    )
