"""Reading values out of a run's state: value references, templates and router conditions.

Shared by every backend so routing and templating behave identically. A value
reference is ``last_output``, ``input.<field>`` or ``state.<key>``; a template
replaces ``{{ ref }}`` with the value's text. Nothing is ever evaluated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from agent_runtime.spec import TEMPLATE_RE, ContainsCondition, EqualsCondition, RegexCondition

Condition = EqualsCondition | ContainsCondition | RegexCondition


def as_text(value: Any) -> str:
    """A value as text: strings as they are, other JSON values as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n\n".join(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def lookup(
    ref: str, *, last_output: str, inputs: Mapping[str, Any], state: Mapping[str, Any]
) -> Any:
    """The value a reference names; missing fields and keys are None."""
    if ref == "last_output":
        return last_output
    root, _, key = ref.partition(".")
    source = inputs if root == "input" else state
    return source.get(key)


def render(template: str, **scope: Any) -> str:
    """Fill ``{{ ref }}`` placeholders from ``lookup``; the rest of the text is kept."""
    return TEMPLATE_RE.sub(lambda m: as_text(lookup(m.group(1).strip(), **scope)), template)


def render_value(value: Any, **scope: Any) -> Any:
    """Render templates inside strings, lists and dicts (tool arguments)."""
    if isinstance(value, str):
        only = TEMPLATE_RE.fullmatch(value.strip())
        if only:  # a lone placeholder keeps the value's own type
            return lookup(only.group(1).strip(), **scope)
        return render(value, **scope)
    if isinstance(value, list):
        return [render_value(v, **scope) for v in value]
    if isinstance(value, dict):
        return {k: render_value(v, **scope) for k, v in value.items()}
    return value


def matches(condition: Condition, value: Any) -> bool:
    """Whether a router condition holds for ``value``."""
    if condition.op == "equals":
        expected = condition.value
        if isinstance(value, bool | int | float) and isinstance(expected, bool | int | float):
            return value == expected and isinstance(value, bool) == isinstance(expected, bool)
        left, right = as_text(value).strip(), as_text(expected).strip()
        return left == right if condition.case_sensitive else left.lower() == right.lower()
    text = as_text(value)
    if condition.op == "contains":
        if condition.case_sensitive:
            return condition.value in text
        return condition.value.lower() in text.lower()
    flags = 0 if condition.case_sensitive else re.IGNORECASE
    return re.search(condition.pattern, text, flags) is not None


def choose_llm_route(answer: str, routes: list[str], default: str) -> str:
    """The route an LLM router's answer names: exact name first, then a mention, else default."""
    cleaned = answer.strip().strip("\"'`.").lower()
    by_lower = {r.lower(): r for r in routes}
    if cleaned in by_lower:
        return by_lower[cleaned]
    for route in sorted(routes, key=len, reverse=True):
        if re.search(rf"\b{re.escape(route.lower())}\b", answer.lower()):
            return route
    return default
