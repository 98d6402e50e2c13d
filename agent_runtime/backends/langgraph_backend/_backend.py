"""The LangGraph backend: IR → ``StateGraph`` with conditional edges, interrupts and checkpoints."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from langgraph.errors import GraphRecursionError
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command

from agent_runtime.backends._errors import translate_error
from agent_runtime.compiler import END as IR_END
from agent_runtime.compiler import FEATURES, IRGraph
from agent_runtime.errors import LimitExceededError
from agent_runtime.events import InterruptEvent, RunFinishedEvent
from agent_runtime.execution import BackendServices, RunControl, RunRequest

from ._nodes import RunBinding, Shared, node_function
from ._state import GraphState


def build_state_graph(graph: IRGraph) -> StateGraph:
    """The LangGraph builder for an IR graph (node ids are LangGraph node names)."""
    builder = StateGraph(GraphState, context_schema=RunBinding)
    shared = Shared()
    for node in graph.nodes:
        # a join waits until every branch that will reach it has finished
        builder.add_node(node.id, node_function(node, shared), defer=len(node.predecessors) > 1)
    builder.add_edge(START, graph.entry)
    for node in graph.nodes:
        if node.routes:
            path_map = {route: END if t == IR_END else t for route, t in node.routes.items()}
            builder.add_conditional_edges(node.id, _route_reader(node.id), path_map)
        elif node.targets:
            for target in node.targets:
                builder.add_edge(node.id, target)
        else:
            builder.add_edge(node.id, END)
    return builder


def _route_reader(node_id: str):
    def read_route(state: GraphState) -> str:
        return (state.get("routes") or {})[node_id]

    read_route.__name__ = f"route_{node_id}"
    return read_route


class LangGraphExecutable:
    """A compiled graph; compiled again once with the runtime's checkpointer on first use."""

    backend = "langgraph"

    def __init__(self, graph: IRGraph, services: BackendServices) -> None:
        self.graph = graph
        self.services = services
        self.builder = build_state_graph(graph)
        self.structure = self.builder.compile(name=graph.name)  # no checkpointer: for snapshots
        self._runnable: Any = None
        self._lock = asyncio.Lock()

    async def _compiled(self) -> Any:
        async with self._lock:
            if self._runnable is None:
                saver = await self.services.checkpointer() if self.services.checkpointer else None
                self._runnable = self.builder.compile(checkpointer=saver, name=self.graph.name)
            return self._runnable

    async def _waiting_node(self, runnable: Any, config: dict[str, Any]) -> str | None:
        snapshot = await runnable.aget_state(config)
        for task in snapshot.tasks:
            if task.interrupts:
                return task.name
        return None

    async def stream(self, request: RunRequest, control: RunControl) -> AsyncIterator[Any]:
        """Events of one run (or resume) until it finishes or waits for a person."""
        runnable = await self._compiled()
        config: dict[str, Any] = {
            "configurable": {"thread_id": request.thread_id},
            "recursion_limit": 2 * self.graph.limits.max_steps + 10,
        }
        binding = RunBinding(request=request, control=control, services=self.services)
        if request.resume is not None:
            binding.resumed_node = await self._waiting_node(runnable, config)
            payload: Any = Command(resume=request.resume)
        else:
            payload = {"input": dict(request.input or {})}
        waiting, output = False, ""
        try:
            async for mode, chunk in runnable.astream(
                payload, config, context=binding, stream_mode=["custom", "updates"]
            ):
                if mode == "custom":
                    yield chunk
                elif isinstance(chunk, dict) and "__interrupt__" not in chunk:
                    for update in chunk.values():
                        if isinstance(update, dict) and update.get("output"):
                            output = update["output"]
                elif isinstance(chunk, dict):
                    for item in chunk["__interrupt__"]:
                        value = item.value
                        waiting = True
                        yield InterruptEvent(
                            node_id=value["node_id"],
                            mode=value["mode"],
                            prompt=value["prompt"],
                            proposal=value.get("proposal", ""),
                        )
        except GraphRecursionError as exc:
            raise LimitExceededError(
                f"The run reached its limit of {self.graph.limits.max_steps} steps.",
                limit="max_steps",
            ) from exc
        except Exception as exc:
            raise translate_error(exc, None) from exc
        if not waiting:
            yield RunFinishedEvent(output=output)


class LangGraphBackend:
    """Runs every v1 feature on LangGraph."""

    name = "langgraph"
    capabilities = frozenset(FEATURES)

    def compile(self, graph: IRGraph, services: BackendServices) -> LangGraphExecutable:
        """Build the LangGraph graph for ``graph`` (the capability check has passed)."""
        return LangGraphExecutable(graph, services)
