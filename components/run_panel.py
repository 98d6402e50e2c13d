"""The builder's Run tab: the input (chat box or form), backend and model, the answer, the trace."""

from __future__ import annotations

import reflex as rx

from app.pages.builder_run_state import BuilderRunState as S
from app.paths import run_path
from app.services.runs import InputFieldView
from components.header import SETTINGS_HREF
from components.human_step import human_step
from components.trace_row import trace_row

__all__ = ["run_panel", "trace_row"]


def _field(field: rx.Var[InputFieldView]) -> rx.Component:
    value = S.field_values.get(field.name, "")
    control = rx.match(
        field.type,
        (
            "boolean",
            rx.switch(
                checked=value == "true",
                on_change=lambda checked: S.set_field(field.name, checked),
                data_testid="run-field-" + field.name,
            ),
        ),
        rx.input(
            value=value,
            on_change=lambda text: S.set_field(field.name, text),
            type=rx.cond(field.type == "number", "number", "text"),
            placeholder=field.description,
            width="100%",
            data_testid="run-field-" + field.name,
        ),
    )
    return rx.vstack(
        rx.text(
            field.name,
            rx.cond(field.required & (field.type != "boolean"), " *", ""),
            size="1",
            weight="medium",
            as_="label",
        ),
        control,
        rx.cond(
            (field.description != "") & (field.type == "boolean"),
            rx.text(field.description, size="1", color_scheme="gray"),
        ),
        spacing="1",
        width="100%",
    )


def _input() -> rx.Component:
    return rx.cond(
        S.structured,
        rx.vstack(rx.foreach(S.fields, _field), spacing="2", width="100%", data_testid="run-form"),
        rx.text_area(
            value=S.message,
            on_change=S.set_message,
            placeholder="Message to send to the graph",
            rows="3",
            width="100%",
            data_testid="run-input",
        ),
    )


def _labelled(label: str, control: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="1", color_scheme="gray", width="52px", flex_shrink="0"),
        control,
        align="center",
        width="100%",
    )


def _choices() -> rx.Component:
    """Which engine runs the graph and which model answers."""
    return rx.vstack(
        _labelled(
            "Engine",
            rx.select.root(
                rx.select.trigger(data_testid="run-backend", flex="1"),
                rx.select.content(
                    rx.foreach(S.backends, lambda name: rx.select.item(name, value=name))
                ),
                value=S.backend,
                on_change=S.set_backend,
                size="1",
            ),
        ),
        _labelled(
            "Model",
            rx.select.root(
                rx.select.trigger(data_testid="run-model", flex="1"),
                rx.select.content(
                    rx.foreach(S.models, lambda m: rx.select.item(m.label, value=m.value))
                ),
                value=S.model_choice,
                on_change=S.set_model_choice,
                size="1",
            ),
        ),
        rx.cond(
            S.needs_model_name,
            _labelled(
                "Name",
                rx.input(
                    value=S.model_name,
                    on_change=S.set_model_name,
                    placeholder="Model name (for example gpt-4o-mini)",
                    size="1",
                    flex="1",
                    data_testid="run-model-name",
                ),
            ),
        ),
        rx.text(
            "More models: add a provider in ",
            rx.link("Settings", href=SETTINGS_HREF),
            ".",
            size="1",
            color_scheme="gray",
        ),
        spacing="2",
        width="100%",
    )


def _error() -> rx.Component:
    return rx.callout.root(
        rx.vstack(
            rx.text(S.error, size="2"),
            rx.cond(
                S.error_detail != "",
                rx.el.details(
                    rx.el.summary("Details"),
                    rx.code(S.error_detail, size="1", white_space="pre-wrap"),
                ),
            ),
            spacing="1",
        ),
        color_scheme="red",
        role="alert",
        size="1",
        data_testid="run-error",
    )


def _buttons(graph_id: rx.Var[str]) -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("play", size=14),
            "Run",
            on_click=S.start_run(graph_id),
            loading=S.running,
            disabled=S.waiting,
            data_testid="run-button",
        ),
        rx.cond(
            S.running | S.waiting,
            rx.button(
                "Cancel",
                on_click=S.cancel_run,
                variant="soft",
                color_scheme="gray",
                data_testid="run-cancel",
            ),
        ),
        rx.spacer(),
        rx.text(
            rx.hstack(
                rx.switch(
                    checked=S.continue_thread,
                    on_change=S.set_continue_thread,
                    size="1",
                    data_testid="run-continue",
                ),
                "Continue this conversation",
                spacing="1",
                align="center",
            ),
            as_="label",
            size="1",
        ),
        width="100%",
        align="center",
    )


def _progress() -> rx.Component:
    """Where the run is: its status and step count, and a link to its page."""
    return rx.cond(
        S.run_id != "",
        rx.hstack(
            rx.cond(S.running, rx.spinner(size="1")),
            rx.text(
                rx.match(
                    S.status,
                    ("running", "Running"),
                    ("waiting", "Waiting for you"),
                    ("succeeded", "Finished"),
                    ("failed", "Failed"),
                    ("cancelled", "Cancelled"),
                    S.status,
                ),
                " · step ",
                S.steps,
                size="1",
                color_scheme="gray",
                data_testid="run-progress",
            ),
            rx.spacer(),
            rx.link("Open run page", href=run_path(S.run_id), size="1", data_testid="run-link"),
            width="100%",
            align="center",
        ),
    )


def run_panel(graph_id: rx.Var[str]) -> rx.Component:
    """Run the graph ``graph_id`` and watch it."""
    return rx.vstack(
        _input(),
        _choices(),
        _buttons(graph_id),
        _progress(),
        rx.cond(S.error != "", _error()),
        rx.cond(
            S.waiting,
            human_step(S),
        ),
        rx.cond(
            S.answer_text != "",
            rx.box(
                rx.text(S.answer_text, size="2", white_space="pre-wrap"),
                padding="8px",
                border_radius="6px",
                background="var(--gray-a3)",
                width="100%",
                data_testid="run-answer",
                data_status=S.status,
            ),
        ),
        rx.vstack(
            rx.foreach(S.trace, trace_row),
            spacing="2",
            width="100%",
            data_testid="run-trace",
        ),
        spacing="3",
        width="100%",
        on_mount=S.refresh_form,
        data_testid="run-panel",
    )
