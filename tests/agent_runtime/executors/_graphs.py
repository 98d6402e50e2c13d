"""Graphs and the model script the executor tests share."""

from __future__ import annotations

from typing import Any

from tests.agent_runtime.conformance._graphs import (
    agent,
    chain,
    edge,
    graph,
    human,
    input_node,
    linear,
    output_node,
)

__all__ = [
    "LONG_ANSWER",
    "SCRIPT",
    "approval_graph",
    "pair_graph",
    "quick_graph",
    "slow_graph",
    "steady_graph",
    "verbose_graph",
]

SLOW_SECONDS = 20  # long enough to cancel or kill it mid-call
STEADY_SECONDS = 0.3

LONG_ANSWER = " ".join(f"word{i}" for i in range(300))  # about 2,000 characters

SCRIPT = {
    "rules": [
        {"when": {"system": "You are Verbose"}, "content": LONG_ANSWER},
        {"when": {"system": "You are Slow"}, "content": "finally", "delay_seconds": SLOW_SECONDS},
        {
            "when": {"system": "You are Steady"},
            "content": "steady as she goes",
            "delay_seconds": STEADY_SECONDS,
        },
    ]
}


def quick_graph() -> dict[str, Any]:
    """input → Alpha → output, answered at once (tokens streamed)."""
    return linear("Quick", agent("alpha", "Alpha"))


def pair_graph() -> dict[str, Any]:
    """input → Alpha → Steady → output: tokens, then a pause, then more tokens."""
    return linear("Pair", agent("alpha", "Alpha"), agent("steady", "Steady"))


def verbose_graph() -> dict[str, Any]:
    """input → Verbose (a long answer: several stored token events) → Alpha → output."""
    return linear("Verbose", agent("verbose", "Verbose"), agent("alpha", "Alpha"))


def slow_graph() -> dict[str, Any]:
    return linear("Slow", agent("slow", "Slow"))


def steady_graph() -> dict[str, Any]:
    return linear("Steady", agent("steady", "Steady"))


def approval_graph() -> dict[str, Any]:
    """input → Writer → review (approval) → Publisher → output."""
    nodes = [
        input_node(),
        agent("writer", "Writer"),
        human("review", "approval", "Publish this?"),
        agent("publisher", "Publisher"),
        output_node(),
    ]
    edges = [*chain("input", "writer", "review"), edge("review", "publisher", "approved")]
    edges.append(edge("publisher", "output"))
    return graph("Approval", nodes, edges)
