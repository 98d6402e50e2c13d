"""Which field a validation problem belongs to.

``problem_target`` maps a problem's JSON path to the ``(scope, key)`` of the
field the forms show it next to; the builder's canvas uses it to find a node.
"""

from __future__ import annotations

import re
from typing import Any

from agent_runtime.spec import Problem

from ._schema import SECTION_MODELS

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
