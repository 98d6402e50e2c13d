"""Small builders of graph specs (plain dicts, as the canvas saves them) for the conformance suite.

spec = graph(
    "Two agents",
    [input_node(), agent("a", "Alpha"), agent("b", "Beta"), output_node()],
    chain("input", "a", "b", "output"),
)
"""

from __future__ import annotations

import itertools
from typing import Any

__all__ = [
    "agent",
    "builtin_tool",
    "chain",
    "condition",
    "edge",
    "graph",
    "human",
    "input_node",
    "linear",
    "memory_node",
    "output_node",
    "route",
    "router",
    "tool_node",
]


def graph(
    name: str,
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    *,
    tools: list[dict[str, Any]] | None = None,
    memories: list[dict[str, Any]] | None = None,
    limits: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A complete v1 spec using the offline demo model."""
    return {
        "schema_version": 1,
        "name": name,
        "default_model": "demo",
        "models": [{"id": "demo", "provider": "demo", "model": "orchestrall-demo"}],
        "tools": tools or [],
        "memories": memories or [],
        "nodes": nodes,
        "edges": edges,
        "limits": {"max_steps": 25, "timeout_seconds": 30, "max_tokens": 50_000, **(limits or {})},
    }


def input_node(node_id: str = "input", fields: list[dict[str, Any]] | None = None) -> dict:
    node: dict[str, Any] = {"id": node_id, "kind": "input"}
    if fields is not None:
        node["fields"] = fields
    return node


def output_node(node_id: str = "output") -> dict[str, Any]:
    return {"id": node_id, "kind": "output"}


def agent(node_id: str, name: str, **fields: Any) -> dict[str, Any]:
    """An agent node; its system prompt starts with ``You are <name>.``."""
    return {"id": node_id, "kind": "agent", "name": name, **fields}


def tool_node(node_id: str, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"id": node_id, "kind": "tool", "tool": tool, "arguments": arguments}


def builtin_tool(tool_id: str, name: str) -> dict[str, Any]:
    return {"kind": "builtin", "id": tool_id, "name": name}


def condition(op: str, **fields: Any) -> dict[str, Any]:
    return {"op": op, **fields}


def route(name: str, cond: dict[str, Any] | None = None, description: str = "") -> dict:
    out: dict[str, Any] = {"name": name}
    if cond is not None:
        out["condition"] = cond
    if description:
        out["description"] = description
    return out


def router(
    node_id: str,
    routes: list[dict[str, Any]],
    default: str,
    *,
    strategy: str = "rules",
    label: str | None = None,
) -> dict[str, Any]:
    node = {
        "id": node_id,
        "kind": "router",
        "strategy": strategy,
        "routes": routes,
        "default_route": default,
    }
    if label:
        node["label"] = label
    return node


def human(node_id: str, mode: str = "approval", prompt: str = "Go ahead?") -> dict[str, Any]:
    return {"id": node_id, "kind": "human", "mode": mode, "prompt": prompt}


def memory_node(node_id: str, memory: str, operation: str, **fields: Any) -> dict[str, Any]:
    return {"id": node_id, "kind": "memory", "memory": memory, "operation": operation, **fields}


def edge(source: str, target: str, route: str | None = None) -> dict[str, Any]:
    out = {"id": f"e-{source}-{target}" + (f"-{route}" if route else ""), "source": source}
    out["target"] = target
    if route is not None:
        out["route"] = route
    return out


def chain(*node_ids: str) -> list[dict[str, Any]]:
    """Edges linking the nodes one after the other."""
    return [edge(a, b) for a, b in itertools.pairwise(node_ids)]


def linear(name: str, *middle: dict[str, Any], **options: Any) -> dict[str, Any]:
    """input → middle nodes in order → output."""
    nodes = [input_node(), *middle, output_node()]
    return graph(name, nodes, chain(*(n["id"] for n in nodes)), **options)
