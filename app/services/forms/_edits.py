"""What a widget sends back, stored in the spec.

``coerce`` turns what a widget sent into the value the spec stores;
``set_field``, ``edit_field`` and ``toggle_option`` set one field, and
``add_item``/``remove_item`` edit the list editors (routes, models, tools,
memories). The edits return a new spec and leave the one they were given alone.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from agent_runtime.spec import MemorySpec, RouteSpec, set_graph_field, set_node_field
from agent_runtime.tools import BUILTIN_TOOLS

from ._schema import (
    SECTION_MODELS,
    _ids,
    _node,
    _optional_groups,
    _properties,
    _union_variants,
    _unwrap,
    field_schema,
)
from ._types import UNSET

# ------------------------------------------------------------- coercion ---


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
    """A new spec with what a widget sent stored in the field; ``CoerceError`` for bad JSON.

    The switch of an optional group of graph settings (``manager``) stores ``{}`` when
    turned on (keeping the settings it has) and removes the group when turned off; a
    field of a group that is off raises ``KeyError`` (a form row that no longer exists).
    """
    widget, prop, nullable = field_schema(spec, scope, key)
    group, _, rest = key.partition(".")
    if scope == "graph" and group in _optional_groups():
        current = spec.get(group)
        if not rest:
            on = current if isinstance(current, dict) else {}
            return set_field(spec, scope, group, on if raw else None)
        if not isinstance(current, dict):
            raise KeyError(key)
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
