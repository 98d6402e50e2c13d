"""The spec's JSON Schema, read for forms: properties, defaults, unions and widgets.

``field_schema`` is one field's ``(widget, property schema, nullable)``, as the
form shows it. Reference fields (``model``, ``tool``, ``memory``, …) take their
options from the graph's own sections.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic_core import to_jsonable_python

from agent_runtime.spec import (
    NODE_KINDS,
    AgentNode,
    BuiltinToolSpec,
    GraphSpec,
    HttpToolSpec,
    HumanNode,
    InputNode,
    MemoryNode,
    MemorySpec,
    ModelSpec,
    OutputNode,
    RouterNode,
    RouteSpec,
    ToolNode,
)
from agent_runtime.tools import BUILTIN_TOOLS

from ._types import Option

LONG_TEXT = 1000
"""Prose fields (``_PROSE``) this long get a text area; any free text twice as long does too."""
_PROSE = ("description", "instructions", "prompt", "goal")

NODE_MODELS: dict[str, type] = {
    "input": InputNode,
    "agent": AgentNode,
    "tool": ToolNode,
    "router": RouterNode,
    "human": HumanNode,
    "memory": MemoryNode,
    "output": OutputNode,
}
assert tuple(NODE_MODELS) == NODE_KINDS
SECTION_MODELS: dict[str, Any] = {
    "models": ModelSpec,
    "tools": {"builtin": BuiltinToolSpec, "http": HttpToolSpec},
    "memories": MemorySpec,
}


# ------------------------------------------------------------ schemas ---


@functools.cache
def _schema(model: type) -> dict[str, Any]:
    return model.model_json_schema()


@functools.cache
def _defaults(model: type) -> dict[str, Any]:
    """What a missing field means: its default (factories called), as JSON values."""
    return {
        key: to_jsonable_python(info.get_default(call_default_factory=True))
        for key, info in model.model_fields.items()
        if not info.is_required()
    }


def _resolve(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = prop.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return defs[ref.removeprefix("#/$defs/")]
    return prop


def _unwrap(prop: dict[str, Any], defs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """``anyOf [X, null]`` → ``(X, nullable)``; $refs resolved."""
    options = prop.get("anyOf")
    if isinstance(options, list):
        rest = [o for o in options if o.get("type") != "null"]
        nullable = len(rest) < len(options)
        if len(rest) == 1:
            outer = {k: prop[k] for k in ("description", "default", "title") if k in prop}
            return {**_resolve(rest[0], defs), **outer}, nullable
        return {**prop, "anyOf": rest}, nullable
    return _resolve(prop, defs), False


def _properties(model: type) -> tuple[dict[str, Any], set[str], dict[str, Any]]:
    schema = _schema(model)
    return schema["properties"], set(schema.get("required", [])), schema.get("$defs", {})


def _union_variants(prop: dict[str, Any], defs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A discriminated union: its tag name and ``{tag: variant schema}``."""
    disc = prop.get("discriminator") or {}
    mapping = disc.get("mapping") or {}
    order = [o.get("$ref") for o in prop.get("oneOf", [])]  # as declared, not alphabetical
    tags = sorted(mapping, key=lambda t: order.index(mapping[t]) if mapping[t] in order else 99)
    return disc.get("propertyName", "kind"), {t: _resolve({"$ref": mapping[t]}, defs) for t in tags}


@functools.cache
def _optional_groups() -> tuple[str, ...]:
    """Graph settings that are on or off as a whole (``manager``): nullable objects whose
    fields all have defaults. Their switch stores ``{}`` when on and removes the key when off."""
    props, _, defs = _properties(GraphSpec)
    groups = []
    for key, prop in props.items():
        inner, nullable = _unwrap(prop, defs)
        if nullable and inner.get("type") == "object" and not inner.get("required"):
            groups.append(key)
    return tuple(groups)


def _section_model(section: str, item: dict[str, Any]) -> type:
    model = SECTION_MODELS[section]
    if isinstance(model, dict):
        return model.get(item.get("kind"), next(iter(model.values())))
    return model


# --------------------------------------------------------- references ---


def _ids(spec: dict[str, Any], section: str) -> list[dict[str, Any]]:
    items = spec.get(section)
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]


def _ref_options(spec: dict[str, Any]) -> dict[str, list[Option]]:
    """Options of every reference field, from the graph's own sections."""

    def tool_label(tool: dict[str, Any]) -> str:
        what = tool.get("name") if tool.get("kind") == "builtin" else "HTTP"
        return f"{tool['id']} ({what})" if what and what != tool["id"] else tool["id"]

    def model_label(model: dict[str, Any]) -> str:
        name = model.get("model")
        return f"{model['id']} ({name})" if isinstance(name, str) and name else model["id"]

    models = [Option(m["id"], model_label(m)) for m in _ids(spec, "models")]
    tools = [Option(t["id"], tool_label(t)) for t in _ids(spec, "tools")]
    memories = [Option(m["id"], f"{m['id']} ({m.get('type')})") for m in _ids(spec, "memories")]
    return {
        "model": models,
        "default_model": models,
        "manager.model": models,
        "tools": tools,
        "tool": tools,
        "memory": memories,
        "remember": [
            o
            for o, m in zip(memories, _ids(spec, "memories"), strict=True)
            if m.get("type") != "knowledge_base"
        ],
    }


def _builtin_options() -> list[Option]:
    return [Option(name, name) for name in sorted(BUILTIN_TOOLS)]


def _node(spec: dict[str, Any], node_id: str) -> dict[str, Any] | None:
    return next((n for n in _ids(spec, "nodes") if n["id"] == node_id), None)


# -------------------------------------------------------------- widgets ---


def _widget(key: str, prop: dict[str, Any], refs: dict[str, list[Option]]) -> str:
    if "const" in prop:
        return "readonly"
    kind = prop.get("type")
    if key in refs:
        return "multiselect" if kind == "array" else "select"
    if key == "routes" and kind == "array":
        return "routes"
    if "enum" in prop:
        return "select"
    if kind == "boolean":
        return "switch"
    if kind in ("integer", "number"):
        return "number"
    if kind == "string":
        longest = prop.get("maxLength", 0)
        prose = longest >= LONG_TEXT and key in _PROSE
        free = longest >= 2 * LONG_TEXT and "pattern" not in prop  # not a URL or an id
        return "textarea" if prose or free else "text"
    if kind == "array" and (prop.get("items") or {}).get("type") == "string":
        return "lines"
    if kind is None and "anyOf" in prop:  # a scalar of several types (a condition's value)
        return "text"
    return "json"


def field_schema(spec: dict[str, Any], scope: str, key: str) -> tuple[str, dict[str, Any], bool]:
    """``(widget, property schema, nullable)`` of one field, as the form shows it."""
    refs = _ref_options(spec)
    parts = scope.split("/")
    if parts[0] == "graph":
        props, _, defs = _properties(GraphSpec)
        head, _, rest = key.partition(".")
        prop = props[head]
        if rest:
            prop = _unwrap(prop, defs)[0]["properties"][rest]
        elif head in _optional_groups():
            return "switch", _unwrap(prop, defs)[0], True
    elif parts[0] == "node" and len(parts) == 4:  # a route
        props, _, defs = _properties(RouteSpec)
        cond_prop, _ = _unwrap(props["condition"], defs)
        tag, variants = _union_variants(cond_prop, defs)
        if key == tag:
            return "select", {"enum": list(variants)}, True
        if key in props:
            prop = props[key]
        else:
            prop = next(v["properties"][key] for v in variants.values() if key in v["properties"])
    elif parts[0] == "node":
        node = _node(spec, parts[1]) or {}
        props, _, defs = _properties(NODE_MODELS[node.get("kind", "output")])
        prop = props[key]
    else:
        items = spec.get(parts[0]) or []
        item = items[int(parts[1])] if int(parts[1]) < len(items) else {}
        model = _section_model(parts[0], item if isinstance(item, dict) else {})
        props, _, defs = _properties(model)
        prop = props[key]
        refs = {"name": _builtin_options()} if model is BuiltinToolSpec else {}
    inner, nullable = _unwrap(prop, defs)
    return _widget(key, inner, refs), inner, nullable
