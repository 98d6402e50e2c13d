"""Registry tools as CrewAI tools: the model sees the spec's tool, calls report tool events.

Only tools resolved from the registry (``IRNode.tools``: ``ResolvedTool``) are
wrapped; nothing from a spec is ever code. CrewAI runs native tool calls from
worker threads (several at once when the model asks for several), while the
tool itself is async: the call is run on the run's event loop and the thread
waits for it. Each wrapped tool belongs to one kit and is bound to a run and
node for that run's duration.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from crewai.tools import BaseTool
from crewai.utilities.pydantic_schema_utils import create_model_from_schema
from pydantic import PrivateAttr

from agent_runtime.backends._events import tool_result
from agent_runtime.events import ToolCalledEvent
from agent_runtime.memory import bind_memory
from agent_runtime.tools import ResolvedTool

from ._llm import Meter

__all__ = ["CrewTool", "crew_tool"]


class CrewTool(BaseTool):
    """A ``ResolvedTool`` behind CrewAI's tool interface."""

    _tool: ResolvedTool = PrivateAttr()
    _meter: Meter | None = PrivateAttr(default=None)

    def bind(self, meter: Meter | None) -> None:
        self._meter = meter

    def _arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        # CrewAI validates against the schema and fills optional arguments the model
        # left out with None; the tool gets only what was given.
        required = set(self._tool.parameters.get("required", ()))
        return {k: v for k, v in arguments.items() if v is not None or k in required}

    def _announce(self, arguments: dict[str, Any]) -> tuple[Meter, str]:
        meter = self._meter
        if meter is None:
            raise RuntimeError(f"Tool {self._tool.name!r} is not bound to a run.")
        meter.run.check_open(meter.node.id)
        call_id = f"call_{uuid.uuid4().hex[:24]}"
        meter.run.sink.put(
            ToolCalledEvent(
                node_id=meter.node.id, tool=self._tool.name, call_id=call_id, arguments=arguments
            )
        )
        return meter, call_id

    def _report(self, meter: Meter, call_id: str, result: str) -> str:
        meter.run.sink.put(tool_result(meter.node.id, self._tool.name, result, call_id))
        return result

    def _run(self, **arguments: Any) -> str:
        """From CrewAI's worker thread: run the async tool on the run's loop and wait."""
        arguments = self._arguments(arguments)
        meter, call_id = self._announce(arguments)
        sink = meter.run.sink
        if sink.on_loop_thread():  # would wait for itself; CrewAI calls tools from threads
            raise RuntimeError("A CrewAI tool was called on the event loop thread.")
        future = asyncio.run_coroutine_threadsafe(self._invoke(meter, arguments), sink.loop)
        return self._report(meter, call_id, future.result())

    async def _arun(self, **arguments: Any) -> str:
        arguments = self._arguments(arguments)
        meter, call_id = self._announce(arguments)
        return self._report(meter, call_id, await self._invoke(meter, arguments))

    async def _invoke(self, meter: Meter, arguments: dict[str, Any]) -> str:
        """The call, with the run's memory bound (CrewAI's threads do not carry our context)."""
        run = meter.run
        with bind_memory(run.services.memory, run.request.memory_scope):
            return await self._tool.invoke(arguments)


def crew_tool(tool: ResolvedTool) -> CrewTool:
    """The CrewAI tool for a registry tool: same name, description and argument schema."""
    wrapped = CrewTool(
        name=tool.name,
        description=tool.description,
        args_schema=create_model_from_schema(dict(tool.parameters)),
    )
    wrapped._tool = tool
    return wrapped
