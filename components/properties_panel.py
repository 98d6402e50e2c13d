"""Generated property forms: rows of fields rendered by widget name, and list editors.

The fields come from a service that reads the spec's JSON Schema (see
``app/services/forms/``): each has ``scope``, ``key``, ``label``, ``widget``,
``value``, ``checked``, ``selected``, ``options``, ``help``, ``problem``,
``required``, ``placeholder``, ``minimum``, ``maximum``, ``step`` and ``nested`` (a
field of the on/off group switched on above it, drawn indented under it). Nothing here
knows a node kind: ``rx.match`` picks the widget. Text-like inputs are
uncontrolled and send their value on blur; ``version`` is part of their React key,
so bumping it shows values that changed elsewhere (undo, restore, import).

Test ids: ``field-<key>`` on each field, ``input-<key>`` on its control,
``option-<key>-<value>`` on multi-select checkboxes, ``field-problem`` on a
field's problem, ``row-<scope>`` on list items with ``remove-<scope>`` buttons.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import reflex as rx

EMPTY_CHOICES = "Nothing to choose yet: add some in the graph settings."


@dataclasses.dataclass(frozen=True)
class FormEvents:
    """Event handlers a form calls, each building an event from vars."""

    edit: Callable[..., Any]  # (scope, key, value: str)
    switch: Callable[..., Any]  # (scope, key, checked: bool)
    toggle: Callable[..., Any]  # (scope, key, option: str)
    add: Callable[..., Any]  # (scope, variant: str)
    remove: Callable[..., Any]  # (scope)


def _key(version: rx.Var, field: rx.Var) -> rx.Var:
    return rx.Var.create(f"{version}|{field.scope}|{field.key}")


def _text_input(field: rx.Var, events: FormEvents, version: rx.Var, **props: Any) -> rx.Component:
    return rx.input(
        default_value=field.value,
        key=_key(version, field),
        placeholder=field.placeholder,
        on_blur=lambda value: events.edit(field.scope, field.key, value),
        id=f"{field.scope}|{field.key}",
        width="100%",
        data_testid=f"input-{field.key}",
        **props,
    )


def _text_area(field: rx.Var, events: FormEvents, version: rx.Var, **props: Any) -> rx.Component:
    return rx.text_area(
        default_value=field.value,
        key=_key(version, field),
        placeholder=field.placeholder,
        on_blur=lambda value: events.edit(field.scope, field.key, value),
        id=f"{field.scope}|{field.key}",
        width="100%",
        resize="vertical",
        data_testid=f"input-{field.key}",
        **props,
    )


def _select(field: rx.Var, events: FormEvents) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(
            width="100%", id=f"{field.scope}|{field.key}", data_testid=f"input-{field.key}"
        ),
        rx.select.content(
            rx.foreach(field.options, lambda o: rx.select.item(o.label, value=o.value)),
        ),
        value=field.value,
        on_change=lambda value: events.edit(field.scope, field.key, value),
    )


def _multi_select(field: rx.Var, events: FormEvents) -> rx.Component:
    def option(o: rx.Var) -> rx.Component:
        return rx.checkbox(
            o.label,
            checked=field.selected.contains(o.value),
            on_change=lambda _checked: events.toggle(field.scope, field.key, o.value),
            size="2",
            data_testid=f"option-{field.key}-{o.value}",
        )

    return rx.cond(
        field.options.length() > 0,
        rx.flex(
            rx.foreach(field.options, option),
            direction="column",
            gap="2",
            padding="8px 10px",
            border="1px solid var(--gray-a6)",
            border_radius="var(--radius-2)",
            width="100%",
            data_testid=f"input-{field.key}",
        ),
        rx.text(EMPTY_CHOICES, size="1", color_scheme="gray", font_style="italic"),
    )


def _widget(
    field: rx.Var, events: FormEvents, version: rx.Var, routes: rx.Component | None
) -> rx.Component:
    mono = {"font_family": "var(--code-font-family)", "font_size": "12px"}
    return rx.match(
        field.widget,
        ("text", _text_input(field, events, version)),
        ("textarea", _text_area(field, events, version, rows="5")),
        (
            "number",
            _text_input(
                field,
                events,
                version,
                type="number",
                min=field.minimum,
                max=field.maximum,
                step=field.step,
            ),
        ),
        (
            "switch",
            rx.switch(
                checked=field.checked,
                on_change=lambda checked: events.switch(field.scope, field.key, checked),
                id=f"{field.scope}|{field.key}",
                data_testid=f"input-{field.key}",
            ),
        ),
        ("select", _select(field, events)),
        ("multiselect", _multi_select(field, events)),
        ("lines", _text_area(field, events, version, rows="3", style=mono)),
        ("json", _text_area(field, events, version, rows="6", style=mono, spell_check=False)),
        ("routes", routes if routes is not None else rx.fragment()),
        rx.code(field.value, variant="ghost", data_testid=f"input-{field.key}"),
    )


def form_field(
    field: rx.Var, events: FormEvents, version: rx.Var, routes: rx.Component | None = None
) -> rx.Component:
    """One field: its label, its widget, then its problem (red) or its help (grey)."""
    label = rx.hstack(
        rx.el.label(field.label, html_for=f"{field.scope}|{field.key}"),
        rx.cond(field.required, rx.text("*", color="var(--red-10)", aria_hidden="true")),
        spacing="1",
        font_size="var(--font-size-2)",
        font_weight="500",
        color="var(--gray-12)",
    )
    is_switch = field.widget == "switch"
    return rx.box(
        rx.cond(
            is_switch,
            rx.hstack(label, rx.spacer(), _widget(field, events, version, routes), align="center"),
            rx.vstack(label, _widget(field, events, version, routes), spacing="1", width="100%"),
        ),
        rx.cond(
            field.problem != "",
            rx.hstack(
                rx.icon("circle-alert", size=13, flex_shrink="0", margin_top="2px"),
                rx.text(field.problem, size="1"),
                spacing="1",
                color="var(--red-11)",
                margin_top="4px",
                align="start",
                role="alert",
                data_testid="field-problem",
            ),
            rx.cond(
                field.help != "",
                rx.text(field.help, size="1", color_scheme="gray", margin_top="4px"),
            ),
        ),
        width="100%",
        padding_left=rx.cond(field.nested, "12px", "0"),
        border_left=rx.cond(field.nested, "2px solid var(--accent-a5)", "none"),
        data_testid=f"field-{field.key}",
        data_widget=field.widget,
    )


def form_fields(
    fields: rx.Var, events: FormEvents, version: rx.Var, routes: rx.Component | None = None
) -> rx.Component:
    """Every field of a generated form, top to bottom."""
    return rx.vstack(
        rx.foreach(fields, lambda field: form_field(field, events, version, routes)),
        spacing="4",
        width="100%",
    )


def form_row(row: rx.Var, events: FormEvents, version: rx.Var, noun: str) -> rx.Component:
    """One item of a list editor (a route, a model, a tool…) with its own fields."""
    return rx.box(
        rx.hstack(
            rx.text(row.title, weight="medium", size="2", trim="both"),
            rx.spacer(),
            rx.tooltip(
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    on_click=events.remove(row.scope),
                    variant="ghost",
                    color_scheme="gray",
                    size="1",
                    aria_label=f"Remove this {noun}",
                    data_testid=f"remove-{row.scope}",
                ),
                content=f"Remove this {noun}",
            ),
            align="center",
            width="100%",
            margin_bottom="8px",
        ),
        rx.cond(
            row.problem != "",
            rx.text(row.problem, size="1", color="var(--red-11)", margin_bottom="8px"),
        ),
        rx.vstack(
            rx.foreach(row.fields, lambda field: form_field(field, events, version)),
            spacing="3",
            width="100%",
        ),
        padding="12px",
        border="1px solid var(--gray-a5)",
        border_radius="var(--radius-3)",
        background="var(--gray-a2)",
        width="100%",
        data_testid=f"row-{row.scope}",
    )


def form_rows(rows: rx.Var, events: FormEvents, version: rx.Var, noun: str) -> rx.Component:
    return rx.vstack(
        rx.foreach(rows, lambda row: form_row(row, events, version, noun)),
        spacing="3",
        width="100%",
    )


def problem_notes(notes: rx.Var) -> rx.Component:
    """Problems of the whole object (not of one field), as a red callout."""
    return rx.cond(
        notes.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert", size=16)),
            rx.vstack(
                rx.foreach(notes, lambda note: rx.callout.text(note, size="1")),
                spacing="1",
            ),
            color_scheme="red",
            variant="surface",
            size="1",
            width="100%",
            data_testid="object-problems",
        ),
    )
