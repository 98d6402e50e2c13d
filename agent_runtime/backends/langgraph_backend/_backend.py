"""The LangGraph backend: IR → ``StateGraph`` with conditional edges, interrupts and checkpoints."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from langgraph.errors import GraphRecursionError
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command

from agent_runtime.backends._errors import translate_error
from agent_runtime.backends._events import node_started
from agent_runtime.compiler import END as IR_END
from agent_runtime.compiler import FEATURES, IRGraph, IRNode
from agent_runtime.errors import LimitExceededError
from agent_runtime.events import InterruptEvent, NodeFinishedEvent, RunFinishedEvent
from agent_runtime.execution import BackendServices, RunControl, RunRequest

from ._nodes import RunBinding, Shared, input_update, node_function
from ._state import GraphState


def fused_outputs(graph: IRGraph) -> dict[str, IRNode]:
    """Output nodes whose only predecessor leads only to them: that node does their work.

    Maps predecessor id → output node. Saves one LangGraph superstep per run on the
    usual pipeline ending; routed or joined outputs stay nodes of their own.
    """
    fused = {}
    for node in graph.nodes:
        if node.kind != "output" or len(node.predecessors) != 1:
            continue
        before = graph.node(node.predecessors[0])
        if before.id != graph.entry and not before.routes and before.targets == (node.id,):
            fused[before.id] = node
    return fused


def build_state_graph(graph: IRGraph) -> StateGraph:
    """The LangGraph builder for an IR graph (node ids are LangGraph node names)."""
    builder = StateGraph(GraphState, context_schema=RunBinding)
    shared = Shared()
    fused = fused_outputs(graph)
    joins = any(len(n.predecessors) > 1 for n in graph.nodes)  # only joins read ``outputs``
    folded = {graph.entry} | {o.id for o in fused.values()}
    for node in graph.nodes:
        if node.id not in folded:  # the input node's work is the graph's input
            # a join waits until every branch that will reach it has finished
            defer = len(node.predecessors) > 1
            runner = node_function(node, shared, fused.get(node.id), track=joins)
            builder.add_node(node.id, runner, defer=defer)
    for node in graph.nodes:
        if node.id in folded and node.id != graph.entry:
            continue
        if node.id == graph.entry:
            for target in node.targets:
                builder.add_edge(START, target)
        elif node.routes:
            path_map = {route: END if t == IR_END else t for route, t in node.routes.items()}
            builder.add_conditional_edges(node.id, _route_reader(node.id), path_map)
        elif node.targets and node.id not in fused:
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
        self._durability: dict[str, str] = {}
        self._lock = asyncio.Lock()

    async def _compiled(self) -> Any:
        async with self._lock:
            if self._runnable is None:
                saver = await self.services.checkpointer() if self.services.checkpointer else None
                self._runnable = self.builder.compile(checkpointer=saver, name=self.graph.name)
                self._durability = {"durability": "exit"} if saver is not None else {}
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
            payload = None
            for event in self._start(request, control):
                if isinstance(event, dict):
                    payload = event
                else:
                    yield event
        outputs = {n.id for n in self.graph.nodes if n.kind == "output"}
        output, last = None, ""
        # durability="exit": the checkpoint is written when the run ends or waits for a
        # person — the two points a thread or a resume continues from — not every step.
        try:
            async for event in runnable.astream(
                payload, config, context=binding, stream_mode="custom", **self._durability
            ):
                if isinstance(event, NodeFinishedEvent):
                    last = event.output
                    if event.node_id in outputs:
                        output = event.output
                yield event
        except GraphRecursionError as exc:
            raise LimitExceededError(
                f"The run reached its limit of {self.graph.limits.max_steps} steps.",
                limit="max_steps",
            ) from exc
        except Exception as exc:
            raise translate_error(exc, None) from exc
        waiting = await self._interrupts(runnable, config) if output is None else []
        for event in waiting:
            yield event
        if not waiting:
            yield RunFinishedEvent(output=output if output is not None else last)

    def _start(self, request: RunRequest, control: RunControl) -> list[Any]:
        """The input node's events and the graph's input (the input node's update)."""
        node = self.graph.node(self.graph.entry)
        step = control.begin_step(node.id)
        update, text = input_update(node, dict(request.input or {}), step)
        return [
            node_started(node, step, text),
            NodeFinishedEvent(node_id=node.id, output=text),
            update,
        ]

    async def _interrupts(self, runnable: Any, config: dict[str, Any]) -> list[InterruptEvent]:
        """The human steps the run now waits at (none without human nodes or a checkpointer)."""
        if runnable.checkpointer is None or not any(n.kind == "human" for n in self.graph.nodes):
            return []
        snapshot = await runnable.aget_state(config)
        return [
            InterruptEvent(
                node_id=item.value["node_id"],
                mode=item.value["mode"],
                prompt=item.value["prompt"],
                proposal=item.value.get("proposal", ""),
            )
            for task in snapshot.tasks
            for item in task.interrupts
        ]


class LangGraphBackend:
    """Runs every v1 feature on LangGraph."""

    name = "langgraph"
    capabilities = frozenset(FEATURES) - {"team.manager"}  # a manager is a CrewAI notion

    def compile(self, graph: IRGraph, services: BackendServices) -> LangGraphExecutable:
        """Build the LangGraph graph for ``graph`` (the capability check has passed)."""
        return LangGraphExecutable(graph, services)
