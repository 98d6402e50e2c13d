"""Editing a spec as the canvas does: pure functions that return a new spec dict.

Every function copies its input and never mutates it, so callers can keep the
old spec for undo. They work on draft specs too (an edit may make a graph
invalid; ``validate`` says how). Positions live in ``layout.positions``.
"""

from __future__ import annotations

import copy
import itertools
from collections import defaultdict
from typing import Any

Spec = dict[str, Any]
GRID_X, GRID_Y = 280, 150
PASTE_OFFSET = 40
CLIP_VERSION = 1


def _nodes(spec: Spec) -> list[dict[str, Any]]:
    return [n for n in spec.get("nodes") or [] if isinstance(n, dict)]


def _edges(spec: Spec) -> list[dict[str, Any]]:
    return [e for e in spec.get("edges") or [] if isinstance(e, dict)]


def _positions(spec: Spec) -> dict[str, Any]:
    layout = spec.setdefault("layout", {})
    if not isinstance(layout, dict):
        spec["layout"] = layout = {}
    return layout.setdefault("positions", {})


def _fresh_id(prefix: str, taken: set[str]) -> str:
    for n in itertools.count(1):
        candidate = f"{prefix}-{n}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise AssertionError("unreachable")


def _node_ids(spec: Spec) -> set[str]:
    return {n.get("id") for n in _nodes(spec) if isinstance(n.get("id"), str)}


def _edge_ids(spec: Spec) -> set[str]:
    return {e.get("id") for e in _edges(spec) if isinstance(e.get("id"), str)}


def _first_id(spec: Spec, section: str) -> str:
    items = [i for i in spec.get(section) or [] if isinstance(i, dict)]
    return items[0].get("id", "") if items else ""


def default_node(spec: Spec, kind: str, node_id: str) -> dict[str, Any]:
    """A new node of ``kind`` with sensible defaults for this graph."""
    number = node_id.rsplit("-", 1)[-1]
    defaults: dict[str, dict[str, Any]] = {
        "input": {"label": "Input"},
        "agent": {"name": f"Agent {number}", "role": "", "goal": "", "instructions": ""},
        "tool": {"label": f"Tool step {number}", "tool": _first_id(spec, "tools"), "arguments": {}},
        "router": {
            "label": f"Router {number}",
            "strategy": "rules",
            "routes": [{"name": "yes", "condition": {"op": "contains", "value": "yes"}}],
            "default_route": "other",
        },
        "human": {"label": f"Review {number}", "mode": "approval", "prompt": "Please review."},
        "memory": {
            "label": f"Memory {number}",
            "memory": _first_id(spec, "memories"),
            "operation": "retrieve",
        },
        "output": {"label": "Output"},
    }
    if kind not in defaults:
        raise ValueError(f"unknown node kind {kind!r}")
    return {"id": node_id, "kind": kind, **defaults[kind]}


def add_node(spec: Spec, kind: str, position: dict[str, float] | None = None) -> tuple[Spec, str]:
    """Add a ``kind`` node (at ``position``); returns the new spec and the node's id."""
    spec = copy.deepcopy(spec)
    node_id = _fresh_id(kind, _node_ids(spec))
    spec.setdefault("nodes", []).append(default_node(spec, kind, node_id))
    _positions(spec)[node_id] = dict(position or {"x": 0, "y": 0})
    return spec, node_id


def move_nodes(spec: Spec, positions: dict[str, dict[str, float]]) -> Spec:
    """Set the positions of existing nodes (unknown ids are ignored)."""
    spec = copy.deepcopy(spec)
    ids, stored = _node_ids(spec), _positions(spec)
    for node_id, pos in positions.items():
        if node_id in ids:
            stored[node_id] = {"x": float(pos["x"]), "y": float(pos["y"])}
    return spec


def connect(
    spec: Spec, source: str, target: str, route: str | None = None
) -> tuple[Spec, str | None]:
    """Connect two nodes; returns ``(spec, edge id)`` or ``(spec, None)`` when refused.

    Refused: unknown nodes, a node to itself, anything into an input node or out of
    an output node, an exact duplicate. A route that already has an edge is moved.
    """
    kinds = {n.get("id"): n.get("kind") for n in _nodes(spec)}
    if source not in kinds or target not in kinds or source == target:
        return spec, None
    if kinds[target] == "input" or kinds[source] == "output":
        return spec, None
    if any(
        e.get("source") == source and e.get("target") == target and e.get("route") == route
        for e in _edges(spec)
    ):
        return spec, None
    spec = copy.deepcopy(spec)
    if route is not None:
        spec["edges"] = [
            e for e in _edges(spec) if not (e.get("source") == source and e.get("route") == route)
        ]
    edge_id = f"e-{source}-{target}"
    if edge_id in _edge_ids(spec):
        edge_id = _fresh_id(edge_id, _edge_ids(spec))
    edge: dict[str, Any] = {"id": edge_id, "source": source, "target": target}
    if route is not None:
        edge["route"] = route
    spec.setdefault("edges", []).append(edge)
    return spec, edge_id


def delete_items(spec: Spec, node_ids: list[str] = (), edge_ids: list[str] = ()) -> Spec:
    """Delete nodes (with their edges and positions) and edges."""
    gone, gone_edges = set(node_ids), set(edge_ids)
    spec = copy.deepcopy(spec)
    spec["nodes"] = [n for n in _nodes(spec) if n.get("id") not in gone]
    spec["edges"] = [
        e
        for e in _edges(spec)
        if e.get("id") not in gone_edges
        and e.get("source") not in gone
        and e.get("target") not in gone
    ]
    positions = _positions(spec)
    for node_id in gone:
        positions.pop(node_id, None)
    return spec


def copy_nodes(spec: Spec, node_ids: list[str]) -> dict[str, Any]:
    """A JSON-able clip of nodes, the edges among them, their positions and what they use."""
    wanted = set(node_ids)
    nodes = [copy.deepcopy(n) for n in _nodes(spec) if n.get("id") in wanted]
    present = {n["id"] for n in nodes}
    edges = [
        copy.deepcopy(e)
        for e in _edges(spec)
        if e.get("source") in present and e.get("target") in present
    ]
    positions = (spec.get("layout") or {}).get("positions") or {}
    used: dict[str, set[str]] = {"tools": set(), "memories": set(), "models": set()}
    for node in nodes:
        used["tools"].update(node.get("tools") or [])
        used["memories"].update(node.get("memory") or [] if node.get("kind") == "agent" else [])
        for key, section in (("tool", "tools"), ("memory", "memories"), ("model", "models")):
            if isinstance(node.get(key), str):
                used[section].add(node[key])
    return {
        "orchestrall_clip": CLIP_VERSION,
        "nodes": nodes,
        "edges": edges,
        "positions": {i: positions[i] for i in present if i in positions},
        **{
            section: [
                copy.deepcopy(item)
                for item in spec.get(section) or []
                if isinstance(item, dict) and item.get("id") in ids
            ]
            for section, ids in used.items()
        },
    }


def paste_nodes(
    spec: Spec, clip: dict[str, Any], position: dict[str, float] | None = None
) -> tuple[Spec, list[str]]:
    """Paste a clip with fresh ids (at ``position``, else offset); returns the new node ids.

    Tools, memories and models the clip uses are added when the graph lacks them.
    """
    if not isinstance(clip, dict) or clip.get("orchestrall_clip") != CLIP_VERSION:
        return spec, []
    spec = copy.deepcopy(spec)
    for section in ("tools", "memories", "models"):
        have = {i.get("id") for i in spec.get(section) or [] if isinstance(i, dict)}
        for item in clip.get(section) or []:
            if item.get("id") not in have:
                spec.setdefault(section, []).append(copy.deepcopy(item))
    taken, mapping, new_ids = _node_ids(spec), {}, []
    old_positions = clip.get("positions") or {}
    xs = [p["x"] for p in old_positions.values()] or [0]
    ys = [p["y"] for p in old_positions.values()] or [0]
    dx = position["x"] - min(xs) if position else PASTE_OFFSET
    dy = position["y"] - min(ys) if position else PASTE_OFFSET
    stored = _positions(spec)
    for node in clip.get("nodes") or []:
        new = copy.deepcopy(node)
        new["id"] = mapping[node["id"]] = _fresh_id(node.get("kind", "node"), taken)
        spec.setdefault("nodes", []).append(new)
        new_ids.append(new["id"])
        old = old_positions.get(node["id"], {"x": 0, "y": 0})
        stored[new["id"]] = {"x": old["x"] + dx, "y": old["y"] + dy}
    edge_taken = _edge_ids(spec)
    for edge in clip.get("edges") or []:
        new = {
            **copy.deepcopy(edge),
            "source": mapping[edge["source"]],
            "target": mapping[edge["target"]],
        }
        new["id"] = _fresh_id(f"e-{new['source']}-{new['target']}", edge_taken)
        spec.setdefault("edges", []).append(new)
    return spec, new_ids


def duplicate_nodes(spec: Spec, node_ids: list[str]) -> tuple[Spec, list[str]]:
    """Copy and paste nodes next to themselves; agents get " (copy)" after their name."""
    clip = copy_nodes(spec, node_ids)
    for node in clip["nodes"]:
        if node.get("kind") == "agent" and isinstance(node.get("name"), str):
            node["name"] = f"{node['name']} (copy)"[:100]
    return paste_nodes(spec, clip)


def set_node_field(spec: Spec, node_id: str, field: str, value: Any) -> Spec:
    """Set one field of a node (``None`` removes it); ``id`` and ``kind`` cannot change."""
    if field in ("id", "kind"):
        raise ValueError(f"a node's {field} cannot be edited")
    spec = copy.deepcopy(spec)
    for node in _nodes(spec):
        if node.get("id") == node_id:
            if value is None:
                node.pop(field, None)
            else:
                node[field] = value
            return spec
    raise KeyError(node_id)


def set_graph_field(spec: Spec, path: str, value: Any) -> Spec:
    """Set a graph-level field by dotted path (``name``, ``limits.max_steps``…); None removes."""
    spec = copy.deepcopy(spec)
    *parents, last = path.split(".")
    target = spec
    for key in parents:
        child = target.get(key)
        if not isinstance(child, dict):
            child = target[key] = {}
        target = child
    if value is None:
        target.pop(last, None)
    else:
        target[last] = value
    return spec


def auto_layout(spec: Spec) -> Spec:
    """Left-to-right layers by longest path from the sources (loops broken), ordered by parents."""
    ids = [n["id"] for n in _nodes(spec) if isinstance(n.get("id"), str)]
    known = set(ids)
    succ: dict[str, list[str]] = defaultdict(list)
    for e in _edges(spec):
        if e.get("source") in known and e.get("target") in known:
            succ[e["source"]].append(e["target"])
    kinds = {n["id"]: n.get("kind") for n in _nodes(spec) if n.get("id") in known}
    order = sorted(ids, key=lambda i: (kinds.get(i) != "input", ids.index(i)))
    back, state = set(), {}
    for root in order:  # iterative DFS marking back edges
        if root in state:
            continue
        stack = [(root, iter(succ[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(succ[child])))
    layer = dict.fromkeys(ids, 0)
    indegree = dict.fromkeys(ids, 0)
    for s in ids:
        for t in succ[s]:
            if (s, t) not in back:
                indegree[t] += 1
    ready = [i for i in order if indegree[i] == 0]
    topo = []
    while ready:
        node = ready.pop(0)
        topo.append(node)
        for t in succ[node]:
            if (node, t) in back:
                continue
            layer[t] = max(layer[t], layer[node] + 1)
            indegree[t] -= 1
            if indegree[t] == 0:
                ready.append(t)
    columns: dict[int, list[str]] = defaultdict(list)
    for node in topo:
        columns[layer[node]].append(node)
    rank: dict[str, float] = {}
    preds: dict[str, list[str]] = defaultdict(list)
    for s in ids:
        for t in succ[s]:
            if (s, t) not in back:
                preds[t].append(s)
    for col in sorted(columns):
        nodes = columns[col]
        nodes.sort(key=lambda n: sum(rank[p] for p in preds[n]) / len(preds[n]) if preds[n] else 0)
        for i, n in enumerate(nodes):
            rank[n] = i
    spec = copy.deepcopy(spec)
    positions = _positions(spec)
    for col, nodes in columns.items():
        top = -(len(nodes) - 1) * GRID_Y / 2
        for i, n in enumerate(nodes):
            positions[n] = {"x": float(col * GRID_X), "y": float(top + i * GRID_Y)}
    return spec


def apply_ops(
    spec: Spec, ops: list[dict[str, Any]], clip: dict[str, Any] | None = None
) -> tuple[Spec, dict[str, Any]]:
    """Apply canvas ops in order (see docs/canvas-contract.md); ``info["selected"]`` = new ids.

    Handles add_node, move, connect, delete, duplicate, paste (with ``clip``) and
    layout; other ops (undo, redo, copy) belong to the caller and are skipped.
    """
    selected: list[str] = []
    changed = False
    for op in ops:
        kind = op.get("op")
        if kind == "add_node":
            spec, node_id = add_node(spec, op["kind"], op.get("position"))
            selected = [node_id]
        elif kind == "move":
            spec = move_nodes(spec, op.get("positions") or {})
        elif kind == "connect":
            spec, edge_id = connect(spec, op["source"], op["target"], op.get("route"))
            if edge_id is None:
                continue
        elif kind == "delete":
            spec = delete_items(spec, op.get("nodes") or [], op.get("edges") or [])
        elif kind == "duplicate":
            spec, selected = duplicate_nodes(spec, op.get("nodes") or [])
        elif kind == "paste":
            spec, selected = paste_nodes(spec, op.get("clip") or clip or {}, op.get("position"))
        elif kind == "layout":
            spec = auto_layout(spec)
        else:
            continue
        changed = True
    return spec, {"selected": selected, "changed": changed}
