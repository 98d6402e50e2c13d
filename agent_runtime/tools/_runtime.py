"""Tools as the runtime calls them: resolved from a spec's tools section, backend-neutral.

A ``ResolvedTool`` has the name the model sees (the spec's tool id), a
description, JSON-schema parameters and an async ``invoke``. ``invoke`` never
raises for a tool's own failure: bad arguments, HTTP errors, timeouts and the
like come back as a result text starting with ``error:``, so the agent can react.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent_runtime.errors import ToolError
from agent_runtime.tools._builtin import BUILTIN_TOOLS
from agent_runtime.tools._http import Invoke, http_tool_invoke
from agent_runtime.tools._results import MAX_RESULT_CHARS, cut_result

if TYPE_CHECKING:  # pragma: no cover  (agent_runtime.spec imports this package)
    from agent_runtime.spec import BuiltinToolSpec, HttpToolSpec

__all__ = ["MAX_RESULT_CHARS", "Invoke", "ResolvedTool", "resolve_tool"]


@dataclass(frozen=True)
class ResolvedTool:
    """A callable tool: model-visible name, description, JSON-schema parameters, ``invoke``."""

    id: str
    name: str
    description: str
    parameters: Mapping[str, Any]
    invoke: Invoke = field(repr=False, compare=False)


def _missing_required(parameters: Mapping[str, Any], arguments: dict[str, Any]) -> list[str]:
    return [name for name in parameters.get("required", []) if name not in arguments]


def _builtin_invoke(spec: BuiltinToolSpec) -> Invoke:
    tool = BUILTIN_TOOLS[spec.name]
    properties = tool.parameters.get("properties", {})

    async def invoke(arguments: dict[str, Any]) -> str:
        missing = _missing_required(tool.parameters, arguments)
        if missing:
            return f"error: missing argument(s) {', '.join(missing)} for {spec.id}"
        known = {k: v for k, v in arguments.items() if k in properties}
        try:
            if tool.is_async:
                result = await tool.function(**known, allowed_hosts=tuple(spec.allowed_hosts))
            else:
                result = await asyncio.to_thread(tool.function, **known)
        except (TypeError, ValueError) as exc:
            return f"error: {exc}"
        return cut_result(str(result))

    return invoke


def resolve_tool(spec: BuiltinToolSpec | HttpToolSpec, secrets: Mapping[str, str]) -> ResolvedTool:
    """The callable form of one spec tool; ``secrets`` fills secret-named headers."""
    if spec.kind == "builtin":
        if spec.name not in BUILTIN_TOOLS:
            raise ToolError(f"There is no built-in tool named '{spec.name}'.", code="unknown_tool")
        builtin = BUILTIN_TOOLS[spec.name]
        return ResolvedTool(
            id=spec.id,
            name=spec.id,
            description=spec.description or builtin.description,
            parameters=dict(builtin.parameters),
            invoke=_builtin_invoke(spec),
        )
    return ResolvedTool(
        id=spec.id,
        name=spec.id,
        description=spec.description,
        parameters=dict(spec.parameters),
        invoke=http_tool_invoke(spec, secrets),
    )
