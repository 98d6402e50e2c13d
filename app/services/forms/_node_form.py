"""The form of one node, from its kind's schema; a router's routes are rows."""

from __future__ import annotations

from typing import Any

from agent_runtime.spec import Problem, RouteSpec

from ._fields import _object_fields
from ._problems import _problem_index
from ._schema import NODE_MODELS, _node, _properties, _ref_options, _union_variants, _unwrap
from ._types import UNSET, FormField, FormRow, NodeForm, Option


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
