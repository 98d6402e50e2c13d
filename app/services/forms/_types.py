"""What the properties panel shows: plain, frozen rows the forms are made of.

``components/properties_panel.py`` renders them; ``UNSET`` is the select option
meaning "no value" and ``WIDGETS`` names every widget a field can have.
"""

from __future__ import annotations

import dataclasses

UNSET = "__unset__"
"""The select option meaning "no value" (Radix selects cannot hold an empty value)."""
WIDGETS = (
    "readonly",
    "text",
    "textarea",
    "number",
    "switch",
    "select",
    "multiselect",
    "lines",
    "json",
    "routes",
)


@dataclasses.dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclasses.dataclass(frozen=True)
class FormField:
    """One row of the properties panel."""

    scope: str
    key: str
    label: str
    widget: str
    value: str = ""
    checked: bool = False
    selected: list[str] = dataclasses.field(default_factory=list)
    options: list[Option] = dataclasses.field(default_factory=list)
    help: str = ""
    problem: str = ""
    required: bool = False
    placeholder: str = ""
    minimum: str = ""
    maximum: str = ""
    step: str = "1"
    nested: bool = False  # a field of the on/off group switched on just above it (``manager``)


@dataclasses.dataclass(frozen=True)
class FormRow:
    """One item of a list editor (a route, a model, a tool, a memory)."""

    scope: str
    title: str
    fields: list[FormField]
    problem: str = ""


@dataclasses.dataclass(frozen=True)
class NodeForm:
    kind: str
    title: str
    fields: list[FormField]
    routes: list[FormRow]
    problems: list[str]  # problems of the node that belong to no single field


@dataclasses.dataclass(frozen=True)
class GraphForm:
    fields: list[FormField]
    models: list[FormRow]
    tools: list[FormRow]
    memories: list[FormRow]
    problems: list[str]
