"""Spec builders shared by the store tests."""

from __future__ import annotations

from typing import Any

from agent_runtime.spec import new_graph_spec


def broken_spec(name: str = "Broken") -> dict[str, Any]:
    """A spec that parses but has one problem: an edge to a node that does not exist."""
    spec = new_graph_spec(name)
    spec["edges"].append({"id": "e-ghost", "source": "input", "target": "ghost"})
    return spec
