"""Registry tools as AutoGen ``FunctionTool``s.

A tool comes from the spec's tools section, resolved by the registry into a
``ResolvedTool`` (never from code in the spec). ``RegistryTool`` is a
``FunctionTool`` around its ``invoke``; what differs from a ``FunctionTool``
built from a Python signature is only where the parameters come from: the model
sees the registry's JSON schema as it is, and the arguments reach ``invoke``
as the model sent them (``invoke`` checks them and answers ``error: ...``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from autogen_core import CancellationToken
from autogen_core.tools import FunctionTool, ToolSchema
from pydantic import BaseModel, ConfigDict

from agent_runtime.tools import ResolvedTool


class ToolArguments(BaseModel):
    """Whatever arguments the model sent (the registry tool validates them)."""

    model_config = ConfigDict(extra="allow")


class RegistryTool(FunctionTool):
    """A ``FunctionTool`` calling a registry tool, with the registry's own JSON schema."""

    def __init__(self, tool: ResolvedTool) -> None:
        async def call_tool(arguments: dict[str, Any]) -> str:
            return await tool.invoke(arguments)

        super().__init__(call_tool, description=tool.description, name=tool.name)
        self._args_type = ToolArguments
        self._schema = ToolSchema(
            name=tool.name,
            description=tool.description,
            parameters={"type": "object", "properties": {}, **dict(tool.parameters)},  # type: ignore[typeddict-item]
            strict=False,
        )

    @property
    def schema(self) -> ToolSchema:
        return self._schema

    async def run(self, args: BaseModel, cancellation_token: CancellationToken) -> Any:
        """Call the tool; cancelling the run abandons the call at once (a slow HTTP tool)."""
        call = asyncio.ensure_future(self._func(dict(args.model_extra or {})))
        cancellation_token.link_future(call)
        return await call


def registry_tools(tools: tuple[ResolvedTool, ...], cache: dict[str, RegistryTool]) -> list[Any]:
    """The AutoGen tools for ``tools``, built once per compiled graph (``cache``)."""
    out = []
    for tool in tools:
        if tool.id not in cache:
            cache[tool.id] = RegistryTool(tool)
        out.append(cache[tool.id])
    return out
