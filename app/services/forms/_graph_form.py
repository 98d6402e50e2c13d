"""The graph settings form, from ``GraphSpec``'s schema, with its models, tools and memories.

Nested objects (``limits``) are flattened to one row per field (keys ``limits.max_steps``…).
An optional group (``manager``) is a switch, followed by its own fields while it is on.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from agent_runtime.spec import BuiltinToolSpec, GraphSpec, Problem

from ._fields import _label, _object_fields
from ._problems import _problem_index
from ._schema import (
    _builtin_options,
    _optional_groups,
    _properties,
    _ref_options,
    _section_model,
    _unwrap,
)
from ._types import FormField, FormRow, GraphForm, Option

# Graph-level fields the settings form leaves to other editors (or to nobody).
_GRAPH_SKIPPED = ("schema_version", "models", "tools", "memories", "nodes", "edges", "layout")
# The switch of an optional group, in words for people who do not read schemas.
_SWITCHES = {
    "manager": (
        "A manager delegates the work (CrewAI only)",
        "A manager plans the work and hands it to the agents.",
    ),
}
# What an unset select of a group's field means.
_UNSET_LABELS = {"manager.model": "(default model)"}


def _section_rows(
    spec: dict[str, Any],
    section: str,
    refs: dict[str, list[Option]],
    problems: dict[tuple[str, str], list[str]],
    drafts: dict[str, tuple[str, str]],
) -> list[FormRow]:
    items = spec.get(section) if isinstance(spec.get(section), list) else []
    rows = []
    for index, item in enumerate(items):
        item = item if isinstance(item, dict) else {}
        scope = f"{section}/{index}"
        model = _section_model(section, item)
        # Inside an item, "name" of a built-in tool is its registry name; nothing else refers.
        item_refs = {"name": _builtin_options()} if model is BuiltinToolSpec else {}
        fields = _object_fields(scope, model, item, item_refs, problems, drafts)
        title = item.get("id") if isinstance(item.get("id"), str) else f"#{index + 1}"
        rows.append(
            FormRow(
                scope=scope,
                title=title,
                fields=fields,
                problem=" ".join(problems.get((scope, ""), [])),
            )
        )
    return rows


def _nested_fields(
    key: str,
    inner: dict[str, Any],
    value: dict[str, Any],
    defs: dict[str, Any],
    refs: dict[str, list[Option]],
    problems: dict[tuple[str, str], list[str]],
    drafts: dict[str, tuple[str, str]],
) -> list[FormField]:
    """One row per field of a nested object, keyed ``<key>.<field>``."""
    sub = {f"{key}.{k}": v for k, v in inner["properties"].items()}
    sub_required = {f"{key}.{k}" for k in inner.get("required", [])}
    data = {f"{key}.{k}": v for k, v in value.items()}
    return _object_fields(
        "graph",
        (sub, sub_required, defs),
        data,
        refs,
        problems,
        drafts,
        unset_labels=_UNSET_LABELS,
    )


def _group_fields(
    key: str,
    inner: dict[str, Any],
    value: Any,
    defs: dict[str, Any],
    refs: dict[str, list[Option]],
    problems: dict[tuple[str, str], list[str]],
    drafts: dict[str, tuple[str, str]],
) -> list[FormField]:
    """An optional group (``manager``): its switch, then its own fields while it is on."""
    label, hint = _SWITCHES.get(key, (_label(key), inner.get("description", "")))
    on = isinstance(value, dict)
    switch = FormField(
        scope="graph",
        key=key,
        label=label,
        widget="switch",
        checked=on,
        help=hint,
        problem=" ".join(problems.get(("graph", key), [])),
    )
    if not on:
        return [switch]
    nested = _nested_fields(key, inner, value, defs, refs, problems, drafts)
    return [switch, *(dataclasses.replace(f, nested=True) for f in nested)]


def graph_form(
    spec: dict[str, Any],
    problems: list[Problem],
    drafts: dict[str, tuple[str, str]] | None = None,
) -> GraphForm:
    """Graph settings from GraphSpec's schema (nested objects flattened), and its sections."""
    drafts = drafts or {}
    refs = _ref_options(spec)
    index = _problem_index(spec, problems)
    props, required, defs = _properties(GraphSpec)
    fields = []
    for key, prop in props.items():
        if key in _GRAPH_SKIPPED:
            continue
        inner, _ = _unwrap(prop, defs)
        value = spec.get(key)
        if key in _optional_groups():  # manager
            fields += _group_fields(key, inner, value, defs, refs, index, drafts)
        elif inner.get("type") == "object" and "properties" in inner:  # limits
            value = value if isinstance(value, dict) else {}
            fields += _nested_fields(key, inner, value, defs, refs, index, drafts)
        else:
            fields += _object_fields(
                "graph", ({key: prop}, required, defs), spec, refs, index, drafts
            )
    return GraphForm(
        fields=fields,
        models=_section_rows(spec, "models", refs, index, drafts),
        tools=_section_rows(spec, "tools", refs, index, drafts),
        memories=_section_rows(spec, "memories", refs, index, drafts),
        problems=index.get(("graph", ""), []),
    )
