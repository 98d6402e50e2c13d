"""The graph settings form, from ``GraphSpec``'s schema, with its models, tools and memories."""

from __future__ import annotations

from typing import Any

from agent_runtime.spec import BuiltinToolSpec, GraphSpec, Problem

from ._fields import _object_fields
from ._problems import _problem_index
from ._schema import _builtin_options, _properties, _ref_options, _section_model, _unwrap
from ._types import FormRow, GraphForm, Option

# Graph-level fields the settings form leaves to other editors (or to nobody). ``manager``
# is an on/off choice with settings, which the generic nested-object rows cannot switch off.
_GRAPH_SKIPPED = (
    "schema_version",
    "models",
    "tools",
    "memories",
    "nodes",
    "edges",
    "layout",
    "manager",
)


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
        if inner.get("type") == "object" and "properties" in inner:  # limits: one row per field
            value = spec.get(key) if isinstance(spec.get(key), dict) else {}
            sub = {f"{key}.{k}": v for k, v in inner["properties"].items()}
            sub_required = {f"{key}.{k}" for k in inner.get("required", [])}
            data = {f"{key}.{k}": v for k, v in value.items()}
            fields += _object_fields("graph", (sub, sub_required, defs), data, refs, index, drafts)
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
