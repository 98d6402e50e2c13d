"""Checking a run's input against the input node's declared fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent_runtime.errors import RunError
from agent_runtime.spec import InputField

_TYPES: dict[str, tuple[type, ...]] = {
    "text": (str,),
    "number": (int, float),
    "boolean": (bool,),
}


def check_input(fields: tuple[InputField, ...], given: Mapping[str, Any]) -> dict[str, Any]:
    """The input restricted to declared fields; a missing or mistyped field is a RunError."""
    if not isinstance(given, Mapping):
        raise RunError("The run input must be an object of named fields.", code="bad_input")
    problems, checked = [], {}
    for f in fields:
        if f.name not in given or given[f.name] in (None, ""):
            if f.required:
                problems.append(f"'{f.name}' is required")
            continue
        value = given[f.name]
        is_bool = isinstance(value, bool)
        if not isinstance(value, _TYPES[f.type]) or (f.type == "number" and is_bool):
            problems.append(f"'{f.name}' must be {f.type}")
            continue
        checked[f.name] = value
    unknown = sorted(set(given) - {f.name for f in fields})
    if unknown:
        problems.append("unknown field(s) " + ", ".join(repr(u) for u in unknown))
    if problems:
        raise RunError("The run input is not right: " + "; ".join(problems) + ".", code="bad_input")
    return checked
