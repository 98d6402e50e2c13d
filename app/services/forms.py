"""Property forms generated from the spec's JSON Schema, never written per node kind.

``node_form`` and ``graph_form`` describe what the properties panel shows as
plain ``FormField`` rows (a widget name, the value as text, options, help and
the validation problem of that field); ``coerce`` turns what a widget sends
back into the value the spec stores. Widgets come from the schema:

- ``readonly``: a constant (``kind``) or a node's ``id``
- ``text`` / ``textarea``: strings (``textarea`` for prose such as instructions, prompt,
  description with ``maxLength >= 1000``, and for other free text of 2000 or more)
- ``number``: integers and numbers, with their bounds
- ``switch``: booleans
- ``select``: enums, and references (``model``, ``default_model``, ``tool``, a
  single ``memory``, a built-in tool's registry ``name``)
- ``multiselect``: lists of references (an agent's ``tools`` and ``memory``)
- ``lines``: other lists of strings (one per line, e.g. ``allowed_hosts``)
- ``json``: any other object or list (``arguments``, ``filters``, input ``fields``)
- ``routes``: a router's routes, edited as rows generated from ``RouteSpec``

A *scope* names the object a field belongs to: ``graph``, ``models/0``,
``tools/1``, ``memories/0``, ``node/<id>`` or ``node/<id>/routes/<i>``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import re
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
    Problem,
    RouterNode,
    RouteSpec,
    ToolNode,
    set_graph_field,
    set_node_field,
)
from agent_runtime.tools import BUILTIN_TOOLS

__all__ = [
    "UNSET",
    "WIDGETS",
    "CoerceError",
    "FormField",
    "FormRow",
    "GraphForm",
    "NodeForm",
    "Option",
    "add_item",
    "builtin_tool_names",
    "coerce",
    "current_value",
    "edit_field",
    "field_schema",
    "graph_form",
    "memory_types",
    "node_form",
    "problem_target",
    "remove_item",
    "set_field",
    "toggle_option",
]

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
# Graph-level fields the settings form leaves to other editors (or to nobody).
_GRAPH_SKIPPED = ("schema_version", "models", "tools", "memories", "nodes", "edges", "layout")
_LABELS = {
    "api_key_secret": "API key secret (name)",
    "api_version": "API version",
    "base_url": "Base URL",
    "url": "URL",
    "id": "Id",
    "top_k": "Top K",
}


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
        "tools": tools,
        "tool": tools,
        "memory": memories,
    }


def _builtin_options() -> list[Option]:
    return [Option(name, name) for name in sorted(BUILTIN_TOOLS)]


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


def _label(key: str) -> str:
    last = key.rsplit(".", 1)[-1]
    return _LABELS.get(last) or last.replace("_", " ").capitalize()


def _text(value: Any, widget: str) -> str:
    if value is None:
        return ""
    if widget == "json":
        return json.dumps(value, indent=2, ensure_ascii=False)
    if widget == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else json.dumps(value)


def _select_options(
    key: str,
    prop: dict[str, Any],
    nullable: bool,
    value: Any,
    refs: dict[str, list[Option]],
    unset_label: str,
) -> list[Option]:
    if key in refs:
        options = list(refs[key])
    else:
        options = [Option(str(v), str(v)) for v in prop.get("enum", [])]
    if nullable:
        options.insert(0, Option(UNSET, unset_label))
    if isinstance(value, str) and value and value not in {o.value for o in options}:
        options.append(Option(value, f"{value} (missing)"))
    return options


def _field(
    scope: str,
    key: str,
    prop: dict[str, Any],
    defs: dict[str, Any],
    value: Any,
    *,
    required: bool,
    refs: dict[str, list[Option]],
    problems: dict[tuple[str, str], list[str]],
    drafts: dict[str, tuple[str, str]],
    unset_label: str = "None",
) -> FormField:
    prop, nullable = _unwrap(prop, defs)
    widget = _widget(key, prop, refs)
    default = prop.get("default")
    help_text = prop.get("description", "")
    problem = " ".join(problems.get((scope, key), []))
    base = {
        "scope": scope,
        "key": key,
        "label": _label(key),
        "widget": widget,
        "help": help_text,
        "required": required,
    }
    if widget == "readonly":
        return FormField(**base, value=_text(value if value is not None else prop.get("const"), ""))
    if widget == "switch":
        checked = value if isinstance(value, bool) else bool(default)
        return FormField(**base, checked=checked, problem=problem)
    if widget == "multiselect":
        selected = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
        options = list(refs[key]) + [
            Option(v, f"{v} (missing)") for v in selected if v not in {o.value for o in refs[key]}
        ]
        return FormField(**base, selected=selected, options=options, problem=problem)
    if widget == "select":
        options = _select_options(key, prop, nullable, value, refs, unset_label)
        shown = value if value is not None else (default if default is not None else UNSET)
        return FormField(**base, value=_text(shown, widget), options=options, problem=problem)
    text = _text(value, widget)
    draft = drafts.get(f"{scope}|{key}")
    if draft is not None:
        text, problem = draft[0], draft[1] + (f" {problem}" if problem else "")
    extra: dict[str, Any] = {}
    if widget == "number":
        low = prop.get("minimum", prop.get("exclusiveMinimum"))
        high = prop.get("maximum", prop.get("exclusiveMaximum"))
        extra = {
            "minimum": "" if low is None else _text(low, widget),
            "maximum": "" if high is None else _text(high, widget),
            "step": "1" if prop.get("type") == "integer" else "any",
        }
    placeholder = "" if default is None else _text(default, widget)
    return FormField(**base, value=text, problem=problem, placeholder=placeholder, **extra)


# ------------------------------------------------------------- problems ---

_PATH_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def _path_parts(path: str) -> list[str | int]:
    return [
        int(index) if index else name for name, index in _PATH_PART.findall(path.removeprefix("$"))
    ]


def problem_target(problem: Problem, spec: dict[str, Any]) -> tuple[str, str]:
    """The ``(scope, key)`` a problem belongs to; ``key`` is "" for the object as a whole."""
    parts = _path_parts(problem.path)
    head = parts[0] if parts else None
    if head == "nodes" and len(parts) > 1 and isinstance(parts[1], int):
        node_id = problem.node_id
        nodes = spec.get("nodes") if isinstance(spec.get("nodes"), list) else []
        if node_id is None and parts[1] < len(nodes) and isinstance(nodes[parts[1]], dict):
            node_id = nodes[parts[1]].get("id")
        rest = parts[2:]
        if len(rest) >= 2 and rest[0] == "routes" and isinstance(rest[1], int):
            inner = rest[2:]
            if inner and inner[0] == "condition":
                key = str(inner[1]) if len(inner) > 1 else "op"
            else:
                key = str(inner[0]) if inner else ""
            return f"node/{node_id}/routes/{rest[1]}", key
        return f"node/{node_id}", str(rest[0]) if rest else ""
    if head in SECTION_MODELS and len(parts) > 1 and isinstance(parts[1], int):
        return f"{head}/{parts[1]}", str(parts[2]) if len(parts) > 2 else ""
    if problem.node_id:
        return f"node/{problem.node_id}", ""
    keys = [str(p) for p in parts]
    return "graph", ".".join(keys)


def _problem_index(
    spec: dict[str, Any], problems: list[Problem]
) -> dict[tuple[str, str], list[str]]:
    index: dict[tuple[str, str], list[str]] = {}
    for problem in problems:
        index.setdefault(problem_target(problem, spec), []).append(problem.message)
    return index


# ---------------------------------------------------------------- forms ---


def _object_fields(
    scope: str,
    model: type | dict[str, Any],
    data: dict[str, Any],
    refs: dict[str, list[Option]],
    problems: dict[tuple[str, str], list[str]],
    drafts: dict[str, tuple[str, str]],
    *,
    skip: tuple[str, ...] = (),
    readonly: tuple[str, ...] = (),
    unset_labels: dict[str, str] | None = None,
) -> list[FormField]:
    props, required, defs = _properties(model) if isinstance(model, type) else model
    defaults = _defaults(model) if isinstance(model, type) else {}
    fields = []
    for key, prop in props.items():
        if key in skip:
            continue
        value = data[key] if key in data else defaults.get(key, prop.get("default"))
        if key in readonly:
            fields.append(
                FormField(
                    scope=scope,
                    key=key,
                    label=_label(key),
                    widget="readonly",
                    value=_text(value, ""),
                    problem=" ".join(problems.get((scope, key), [])),
                )
            )
            continue
        fields.append(
            _field(
                scope,
                key,
                prop,
                defs,
                value,
                required=key in required,
                refs=refs,
                problems=problems,
                drafts=drafts,
                unset_label=(unset_labels or {}).get(key, "None"),
            )
        )
    return fields


def _node(spec: dict[str, Any], node_id: str) -> dict[str, Any] | None:
    return next((n for n in _ids(spec, "nodes") if n["id"] == node_id), None)


def _route_rows(
    node: dict[str, Any],
    refs: dict[str, list[Option]],
    problems: dict[tuple[str, str], list[str]],
    drafts: dict[str, tuple[str, str]],
) -> list[FormRow]:
    props, required, defs = _properties(RouteSpec)
    cond_prop, _ = _unwrap(props["condition"], defs)
    tag, variants = _union_variants(cond_prop, defs)
    routes = node.get("routes") if isinstance(node.get("routes"), list) else []
    rows = []
    for index, route in enumerate(routes):
        route = route if isinstance(route, dict) else {}
        scope = f"node/{node['id']}/routes/{index}"
        own = {k: v for k, v in props.items() if k != "condition"}
        fields = _object_fields(scope, (own, required, defs), route, refs, problems, drafts)
        condition = route.get("condition") if isinstance(route.get("condition"), dict) else None
        chosen = condition.get(tag) if condition else None
        tag_options = [Option(UNSET, "No condition")] + [Option(t, t) for t in variants]
        fields.append(
            FormField(
                scope=scope,
                key=tag,
                label="Condition",
                widget="select",
                value=chosen if isinstance(chosen, str) else UNSET,
                options=tag_options,
                help=props["condition"].get("description", ""),
                problem=" ".join(problems.get((scope, tag), [])),
            )
        )
        if condition and chosen in variants:
            variant = variants[chosen]
            variant_props = {k: v for k, v in variant["properties"].items() if k != tag}
            fields += _object_fields(
                scope,
                (variant_props, set(variant.get("required", [])), defs),
                condition,
                refs,
                problems,
                drafts,
            )
        name = route.get("name") if isinstance(route.get("name"), str) else ""
        rows.append(
            FormRow(
                scope=scope,
                title=name or f"Route {index + 1}",
                fields=fields,
                problem=" ".join(problems.get((scope, ""), [])),
            )
        )
    return rows


def node_form(
    spec: dict[str, Any],
    node_id: str,
    problems: list[Problem],
    drafts: dict[str, tuple[str, str]] | None = None,
) -> NodeForm | None:
    """The form of one node, from its kind's schema; None when there is no such node."""
    node = _node(spec, node_id)
    if node is None or node.get("kind") not in NODE_MODELS:
        return None
    drafts = drafts or {}
    kind = node["kind"]
    refs = _ref_options(spec)
    index = _problem_index(spec, problems)
    scope = f"node/{node_id}"
    default = spec.get("default_model")
    unset = {"model": f"Graph default ({default})" if default else "Graph default (none set)"}
    fields = _object_fields(
        scope,
        NODE_MODELS[kind],
        node,
        refs,
        index,
        drafts,
        skip=("kind",),
        readonly=("id",),
        unset_labels=unset,
    )
    routes = _route_rows(node, refs, index, drafts) if kind == "router" else []
    title = node.get("label") or node.get("name") or node_id
    return NodeForm(
        kind=kind,
        title=str(title),
        fields=fields,
        routes=routes,
        problems=index.get((scope, ""), []),
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


def _section_model(section: str, item: dict[str, Any]) -> type:
    model = SECTION_MODELS[section]
    if isinstance(model, dict):
        return model.get(item.get("kind"), next(iter(model.values())))
    return model


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


# ------------------------------------------------------------- coercion ---


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


class CoerceError(ValueError):
    """What a person typed cannot be stored (only JSON text that does not parse)."""


def coerce(widget: str, prop: dict[str, Any], nullable: bool, raw: Any) -> Any:
    """The spec value for what a widget sent; None removes the field (its default applies).

    Numbers that do not parse are kept as typed, so validation reports them next to
    the field; JSON that does not parse raises ``CoerceError`` and changes nothing.
    """
    if widget == "switch":
        return bool(raw)
    if widget == "multiselect":
        return [str(v) for v in raw] if isinstance(raw, list) else []
    text = raw if isinstance(raw, str) else str(raw)
    if widget == "select":
        return None if text in (UNSET, "") else text
    if widget == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if widget == "json":
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CoerceError(
                f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
            ) from None
    if widget == "number":
        text = text.strip()
        if not text:
            return None
        try:
            return int(text) if prop.get("type") == "integer" else float(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return text
            return int(number) if number.is_integer() else number
    if text == "" and (nullable or "default" in prop):
        return None if nullable or prop.get("default") is None else prop["default"]
    return text


# ---------------------------------------------------------------- edits ---


def _fresh(prefix: str, taken: set[str]) -> str:
    if prefix not in taken:
        return prefix
    n = 2
    while f"{prefix}-{n}" in taken:
        n += 1
    return f"{prefix}-{n}"


def _route_scope(parts: list[str]) -> tuple[str, int] | None:
    if len(parts) == 4 and parts[0] == "node" and parts[2] == "routes" and parts[3].isdigit():
        return parts[1], int(parts[3])
    return None


def _routes_of(spec: dict[str, Any], node_id: str) -> list[Any]:
    node = _node(spec, node_id)
    if node is None:
        raise KeyError(node_id)
    routes = node.get("routes")
    return copy.deepcopy(routes) if isinstance(routes, list) else []


def _set_route_value(route: dict[str, Any], key: str, value: Any) -> None:
    props, _, defs = _properties(RouteSpec)
    tag, variants = _union_variants(_unwrap(props["condition"], defs)[0], defs)
    if key in props:
        if value is None:
            route.pop(key, None)
        else:
            route[key] = value
        return
    condition = route.get("condition") if isinstance(route.get("condition"), dict) else None
    if key == tag:
        if value is None:
            route.pop("condition", None)
            return
        # Keep what the new kind of condition also has (field, case_sensitive, …).
        keep = variants[value]["properties"] if value in variants else {}
        kept = {k: v for k, v in (condition or {}).items() if k in keep and k != tag}
        route["condition"] = {tag: value, **kept}
        return
    condition = dict(condition or {tag: next(iter(variants))})
    if value is None:
        condition.pop(key, None)
    else:
        condition[key] = value
    route["condition"] = condition


def set_field(spec: dict[str, Any], scope: str, key: str, value: Any) -> dict[str, Any]:
    """A new spec with ``key`` of the object at ``scope`` set (``None`` removes it)."""
    parts = scope.split("/")
    if parts == ["graph"]:
        return set_graph_field(spec, key, value)
    if len(parts) == 2 and parts[0] == "node":
        return set_node_field(spec, parts[1], key, value)
    route = _route_scope(parts)
    if route is not None:
        node_id, index = route
        routes = _routes_of(spec, node_id)
        if index >= len(routes) or not isinstance(routes[index], dict):
            raise KeyError(scope)
        _set_route_value(routes[index], key, value)
        return set_node_field(spec, node_id, "routes", routes)
    if len(parts) == 2 and parts[0] in SECTION_MODELS and parts[1].isdigit():
        spec = copy.deepcopy(spec)
        items = spec.get(parts[0])
        index = int(parts[1])
        if not isinstance(items, list) or index >= len(items) or not isinstance(items[index], dict):
            raise KeyError(scope)
        if value is None:
            items[index].pop(key, None)
        else:
            items[index][key] = value
        return spec
    raise KeyError(scope)


def current_value(spec: dict[str, Any], scope: str, key: str) -> Any:
    """The stored value of a field (None when unset)."""
    parts = scope.split("/")
    if parts == ["graph"]:
        target: Any = spec
        for part in key.split("."):
            target = target.get(part) if isinstance(target, dict) else None
        return target
    if len(parts) == 2 and parts[0] == "node":
        return (_node(spec, parts[1]) or {}).get(key)
    route = _route_scope(parts)
    if route is not None:
        routes = _routes_of(spec, route[0])
        item = routes[route[1]] if route[1] < len(routes) else {}
        item = item if isinstance(item, dict) else {}
        condition = item.get("condition") if isinstance(item.get("condition"), dict) else {}
        return item.get(key, condition.get(key))
    items = spec.get(parts[0]) if isinstance(spec.get(parts[0]), list) else []
    index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else len(items)
    item = items[index] if index < len(items) and isinstance(items[index], dict) else {}
    return item.get(key)


def edit_field(spec: dict[str, Any], scope: str, key: str, raw: Any) -> dict[str, Any]:
    """A new spec with what a widget sent stored in the field; ``CoerceError`` for bad JSON."""
    widget, prop, nullable = field_schema(spec, scope, key)
    return set_field(spec, scope, key, coerce(widget, prop, nullable, raw))


def toggle_option(spec: dict[str, Any], scope: str, key: str, option: str) -> dict[str, Any]:
    """Add ``option`` to a multi-select list field, or take it out."""
    current = current_value(spec, scope, key)
    values = [v for v in current if isinstance(v, str)] if isinstance(current, list) else []
    values = [v for v in values if v != option] if option in values else [*values, option]
    return set_field(spec, scope, key, values)


def _new_item(spec: dict[str, Any], section: str, variant: str) -> dict[str, Any]:
    taken = {i["id"] for i in _ids(spec, section)}
    if section == "models":
        return {
            "id": _fresh("model", taken),
            "provider": "openai",
            "model": "gpt-4o-mini",
            "api_key_secret": "OPENAI_API_KEY",
        }
    if section == "memories":
        memory_type = variant or "conversation"
        return {"id": _fresh(memory_type.replace("_", "-"), taken), "type": memory_type}
    if variant == "http":
        return {
            "kind": "http",
            "id": _fresh("http-tool", taken),
            "description": "What this tool does, for the model.",
            "method": "GET",
            "url": "https://api.example.com/items/{item_id}",
            "parameters": {
                "type": "object",
                "properties": {"item_id": {"type": "string"}},
                "required": ["item_id"],
            },
            "allowed_hosts": ["api.example.com"],
        }
    name = variant.removeprefix("builtin:")
    if name not in BUILTIN_TOOLS:
        raise KeyError(variant)
    return {"kind": "builtin", "id": _fresh(name.replace("_", "-"), taken), "name": name}


def add_item(spec: dict[str, Any], scope: str, variant: str = "") -> dict[str, Any]:
    """Append a new item to a list editor: a route (``node/<id>/routes``), a model, a tool
    (``variant`` ``builtin:<registry name>`` or ``http``) or a memory (``variant``: its type)."""
    parts = scope.split("/")
    if len(parts) == 3 and parts[0] == "node" and parts[2] == "routes":
        routes = _routes_of(spec, parts[1])
        taken = {r.get("name") for r in routes if isinstance(r, dict)}
        name = _fresh("route", {t for t in taken if isinstance(t, str)})
        routes.append({"name": name, "condition": {"op": "contains", "value": name}})
        return set_node_field(spec, parts[1], "routes", routes)
    if parts[0] in SECTION_MODELS and len(parts) == 1:
        spec = copy.deepcopy(spec)
        if not isinstance(spec.get(parts[0]), list):
            spec[parts[0]] = []
        spec[parts[0]].append(_new_item(spec, parts[0], variant))
        return spec
    raise KeyError(scope)


def remove_item(spec: dict[str, Any], scope: str) -> dict[str, Any]:
    """Remove the route, model, tool or memory at ``scope``."""
    parts = scope.split("/")
    route = _route_scope(parts)
    if route is not None:
        routes = _routes_of(spec, route[0])
        if route[1] >= len(routes):
            raise KeyError(scope)
        del routes[route[1]]
        return set_node_field(spec, route[0], "routes", routes)
    if len(parts) == 2 and parts[0] in SECTION_MODELS and parts[1].isdigit():
        spec = copy.deepcopy(spec)
        items = spec.get(parts[0])
        if not isinstance(items, list) or int(parts[1]) >= len(items):
            raise KeyError(scope)
        del items[int(parts[1])]
        return spec
    raise KeyError(scope)


def builtin_tool_names() -> list[str]:
    """Registry names of the built-in tools, for "Add a built-in tool"."""
    return sorted(BUILTIN_TOOLS)


def memory_types() -> list[str]:
    """The kinds of memory a graph can declare (from MemorySpec's schema)."""
    props, _, defs = _properties(MemorySpec)
    return list(_unwrap(props["type"], defs)[0]["enum"])
