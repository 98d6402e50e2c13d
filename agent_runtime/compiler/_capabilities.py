"""The capability check: refuse, before anything runs, what a backend cannot do."""

from __future__ import annotations

from collections.abc import Set

from agent_runtime.compiler._ir import IRGraph
from agent_runtime.errors import UnsupportedFeatureError

FEATURES: dict[str, str] = {
    "node.input": "input node",
    "node.output": "output node",
    "node.agent": "agent node",
    "node.tool": "tool step",
    "node.router": "router",
    "node.human": "human step",
    "node.memory": "memory step",
    "router.rules": "rule-based routing",
    "router.llm": "LLM routing",
    "human.approval": "human approval",
    "human.input": "human input",
    "memory.retrieve": "memory retrieval",
    "memory.store": "memory storage",
    "agent.tools": "agent tools",
    "tool.http": "HTTP tools",
    "agent.memory": "agent memory",
    "agent.remember": "agent remember tool",
    "fan_out": "parallel branches (one node leading to several)",
    "loop": "loops",
    "threads": "conversation threads",
    "checkpoints": "resumable checkpoints",
    "team.manager": "a manager who delegates (hierarchical team)",
}
"""Every feature a backend may declare, with the words a person reads."""


def unsupported(graph: IRGraph, backend: str, capabilities: Set[str]) -> list[tuple[str, str]]:
    """(feature, node id) pairs the backend cannot run, in graph order."""
    return [(f, node) for f, node in graph.features if f not in capabilities]


def check_capabilities(graph: IRGraph, backend: str, capabilities: Set[str]) -> None:
    """Raise UnsupportedFeatureError naming the first node (and listing every one) if needed."""
    missing = unsupported(graph, backend, capabilities)
    if not missing:
        return
    parts = [f"node '{node}' uses {FEATURES.get(f, f)}" for f, node in missing]
    feature, node_id = missing[0]
    raise UnsupportedFeatureError(
        f"The {backend} backend cannot run this graph: " + "; ".join(parts) + ".",
        node_id=node_id,
        feature=feature,
    )
