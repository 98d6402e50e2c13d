"""``validate(spec)``: every problem at once, each with an id, a JSON path, a message and a hint.

Validation is lenient on purpose: each model, tool, memory, node and edge is
checked on its own, so one broken node does not hide the problems of the rest;
graph checks then run over everything that parsed.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pydantic import TypeAdapter, ValidationError

from agent_runtime.errors import SpecError
from agent_runtime.spec import _models as m
from agent_runtime.spec._checks import GraphChecker
from agent_runtime.spec._migrate import migrate
from agent_runtime.spec._problems import Problem, json_path, problems_from_validation_error
from agent_runtime.tools import BUILTIN_TOOLS

_SECTIONS: dict[str, TypeAdapter[Any]] = {
    "models": TypeAdapter(m.ModelSpec),
    "tools": TypeAdapter(m.ToolSpec),
    "memories": TypeAdapter(m.MemorySpec),
    "nodes": TypeAdapter(m.NodeSpec),
    "edges": TypeAdapter(m.EdgeSpec),
}
_NOUNS = {
    "models": "model",
    "tools": "tool",
    "memories": "memory",
    "nodes": "node",
    "edges": "edge",
}
_ALLOWED_TOP = set(m.GraphSpec.model_fields)
_HINTS = {
    "id": ("Ids start with a letter and use letters, digits, _ or - (at most 64).",),
    "api_key_secret": ("Give the *name* of a secret, like OPENAI_API_KEY, never the key itself.",),
    "header_secrets": ("Give secret *names*, like CRM_TOKEN, never the values.",),
    "field": ("Use last_output, input.<field> or state.<key>.",),
}


def validate(data: Any, *, builtin_tools: Collection[str] | None = None) -> list[Problem]:
    """Every problem in ``data`` (a spec dict, or a GraphSpec); an empty list means valid.

    Never raises for bad content. ``builtin_tools`` defaults to the built-in registry.
    """
    if isinstance(data, m.GraphSpec):
        data = data.model_dump(mode="json")
    try:
        data = migrate(data)
    except SpecError as exc:
        path = "$.schema_version" if isinstance(data, dict) else "$"
        return [Problem(code=exc.code, message=exc.message, path=path)]
    known_tools = set(BUILTIN_TOOLS) if builtin_tools is None else set(builtin_tools)
    problems: list[Problem] = []
    parsed = _parse_sections(data, problems)
    problems.extend(GraphChecker(data, parsed, known_tools).run())
    return problems


def _parse_sections(data: dict[str, Any], problems: list[Problem]) -> dict[str, list[Any]]:
    """Parse each section item by item; record problems; return what parsed."""
    for key in data:
        if key not in _ALLOWED_TOP:
            problems.append(
                Problem(
                    code="unknown_field",
                    message=f"Unknown top-level field '{key}'.",
                    hint="Allowed: " + ", ".join(sorted(_ALLOWED_TOP)) + ".",
                    path=json_path([key]),
                )
            )
    shell = {k: v for k, v in data.items() if k in _ALLOWED_TOP and k not in _SECTIONS}
    try:
        m.GraphSpec.model_validate(shell)
    except ValidationError as exc:
        problems.extend(problems_from_validation_error(exc, shell, allowed=_HINTS))

    parsed: dict[str, list[Any]] = {}
    for section, adapter in _SECTIONS.items():
        items = data.get(section, [])
        parsed[section] = []
        if not isinstance(items, list):
            problems.append(
                Problem(
                    code="wrong_type",
                    message=f"'{section}' must be an array.",
                    hint=f'Write "{section}": [ ... ].',
                    path=json_path([section]),
                )
            )
            continue
        for i, item in enumerate(items):
            raw_id = item.get("id") if isinstance(item, dict) else None
            raw_id = raw_id if isinstance(raw_id, str) else None
            ids = {"node_id": raw_id} if section == "nodes" else {}
            if section == "edges":
                ids = {"edge_id": raw_id}
            try:
                parsed[section].append((i, adapter.validate_python(item)))
            except ValidationError as exc:
                problems.extend(
                    problems_from_validation_error(
                        exc, item, (section, i), allowed=_HINTS, noun=_NOUNS[section], **ids
                    )
                )
    return parsed
