"""The canvas's view of a spec: React Flow nodes and edges, and the problems list.

``to_canvas`` is the canvas's ``graph`` prop (``docs/canvas-contract.md``);
``problem_items`` are the rows of the problems list.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from agent_runtime.spec import Problem as SpecProblem
from app.services.forms import problem_target

from ._editor import Spec

GRID_X, GRID_Y = 280, 150
KIND_TITLES = {
    "input": "Input",
    "agent": "Agent",
    "tool": "Tool",
    "router": "Router",
    "human": "Human",
    "memory": "Memory",
    "output": "Output",
}


def _items(spec: Spec, section: str) -> list[dict[str, Any]]:
    items = spec.get(section)
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _node_label(node: dict[str, Any]) -> str:
    for key in ("label", "name"):
        if isinstance(node.get(key), str) and node[key].strip():
            return node[key]
    return KIND_TITLES.get(node.get("kind"), str(node.get("id")))


def _subtitle(node: dict[str, Any], spec: Spec) -> str:
    kind = node.get("kind")
    if kind == "agent":
        model = node.get("model")
        default = spec.get("default_model")
        return str(model) if model else (f"{default} (default)" if default else "no model")
    if kind == "tool":
        return str(node.get("tool") or "no tool")
    if kind == "router":
        routes = node.get("routes") if isinstance(node.get("routes"), list) else []
        return f"{node.get('strategy', 'rules')} · {len(routes)} route{'s' * (len(routes) != 1)}"
    if kind == "human":
        return str(node.get("mode", "approval"))
    if kind == "memory":
        return f"{node.get('operation', '?')} · {node.get('memory') or 'no memory'}"
    if kind == "input":
        fields = node.get("fields", [{"name": "message"}])
        fields = fields if isinstance(fields, list) else []
        return ", ".join(str(f["name"]) for f in fields if isinstance(f, dict) and f.get("name"))
    return ""


def _handles(node: dict[str, Any]) -> list[str]:
    kind = node.get("kind")
    if kind == "router":
        routes = node.get("routes") if isinstance(node.get("routes"), list) else []
        names = [r.get("name") for r in routes if isinstance(r, dict)]
        names.append(node.get("default_route"))
        return list(dict.fromkeys(n for n in names if isinstance(n, str) and n))
    if kind == "human" and node.get("mode", "approval") == "approval":
        return ["approved", "rejected"]
    return []


def _node_problems(spec: Spec, problems: list[SpecProblem]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in problems:
        scope, _ = problem_target(problem, spec)
        if scope.startswith("node/"):
            found.setdefault(scope.split("/")[1], []).append(problem.message)
    return found


def to_canvas(spec: Spec, problems: list[SpecProblem]) -> dict[str, list[dict[str, Any]]]:
    """The canvas's ``graph`` prop: React Flow nodes and edges (see the canvas contract)."""
    layout = spec.get("layout") if isinstance(spec.get("layout"), dict) else {}
    positions = layout.get("positions") if isinstance(layout.get("positions"), dict) else {}
    by_node = _node_problems(spec, problems)
    nodes, kinds = [], {}
    for index, node in enumerate(_items(spec, "nodes")):
        node_id = node.get("id")
        if not isinstance(node_id, str) or node_id in kinds:
            continue
        kind = node.get("kind") if node.get("kind") in KIND_TITLES else "agent"
        kinds[node_id] = kind
        pos = positions.get(node_id)
        try:
            position = {"x": float(pos["x"]), "y": float(pos["y"])}
        except (KeyError, TypeError, ValueError):
            position = {"x": float(index % 4 * GRID_X), "y": float(index // 4 * GRID_Y)}
        mine = by_node.get(node_id, [])
        tools = node.get("tools") if kind == "agent" and isinstance(node.get("tools"), list) else []
        nodes.append(
            {
                "id": node_id,
                "type": kind,
                "position": position,
                "data": {
                    "label": _node_label(node),
                    "kind": kind,
                    "subtitle": _subtitle(node, spec),
                    "tools": [str(t) for t in tools],
                    "handles": _handles(node),
                    "problems": len(mine),
                    "problem_text": mine[0] if mine else "",
                },
            }
        )
    edges, seen = [], set()
    for edge in _items(spec, "edges"):
        edge_id, source, target = edge.get("id"), edge.get("source"), edge.get("target")
        if not isinstance(edge_id, str) or edge_id in seen:
            continue
        if source not in kinds or target not in kinds:
            continue  # a dangling edge: the problems list names it
        seen.add(edge_id)
        route = edge.get("route") if isinstance(edge.get("route"), str) else None
        if (
            route is None
            and kinds[source] == "human"
            and "approved"
            in _handles(next(n for n in _items(spec, "nodes") if n.get("id") == source))
        ):
            route = "approved"  # no route out of an approval means approved
        edges.append(
            {
                "id": edge_id,
                "source": source,
                "target": target,
                "sourceHandle": route,
                "label": route or "",
            }
        )
    return {"nodes": nodes, "edges": edges}


@dataclasses.dataclass(frozen=True)
class ProblemItem:
    """One row of the problems list; clicking it selects ``node_id`` (or the graph)."""

    index: int
    code: str
    where: str
    message: str
    hint: str
    node_id: str


def problem_items(spec: Spec, problems: list[SpecProblem]) -> list[ProblemItem]:
    labels = {n.get("id"): _node_label(n) for n in _items(spec, "nodes")}
    items = []
    for index, problem in enumerate(problems):
        scope, _ = problem_target(problem, spec)
        parts = scope.split("/")
        node_id = parts[1] if parts[0] == "node" and parts[1] in labels else ""
        if node_id:
            where = labels[node_id]
        elif problem.edge_id:
            where = f"Edge {problem.edge_id}"
        elif parts[0] in ("models", "tools", "memories"):
            where = f"{parts[0].capitalize()} #{int(parts[1]) + 1}"
        else:
            where = "Graph settings"
        items.append(
            ProblemItem(
                index=index,
                code=problem.code,
                where=where,
                message=problem.message,
                hint=problem.hint,
                node_id=node_id,
            )
        )
    return items
