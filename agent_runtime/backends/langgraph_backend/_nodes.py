"""One LangGraph node function per spec node kind, each reporting normalised events.

Every node function: counts a step against the run's limits, emits
``node_started``, does its work, emits ``node_finished`` (output, latency,
tokens, cost). Failures become Orchestrall errors naming the node.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langgraph.errors import GraphBubbleUp
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent_runtime.backends._errors import translate_error
from agent_runtime.backends._events import interrupt_fields, node_finished, node_started
from agent_runtime.backends._steps import (
    agent_context,
    earlier_turns,
    human_outcome,
    input_text,
    memory_step,
    person_said,
    received_by_join,
    rule_route,
    tool_step,
)
from agent_runtime.backends._usage import Usage
from agent_runtime.compiler import (
    IRNode,
    agent_system_prompt,
    choose_llm_route,
    router_system_prompt,
)
from agent_runtime.events import NodeFinishedEvent
from agent_runtime.execution import BackendServices, RunControl, RunRequest
from agent_runtime.memory import bind_memory

from ._agent import AgentCall, build_agent_loop, call_model, chat_model, text_of
from ._state import RESET, GraphState, last_text


@dataclass
class RunBinding:
    """LangGraph runtime context of one run: request, limits, services."""

    request: RunRequest
    control: RunControl
    services: BackendServices
    resumed_node: str | None = None
    resume_seen: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


Body = Callable[[GraphState, RunBinding, Any, Usage, int], Awaitable[tuple[dict[str, Any], str]]]
BodyFactory = Callable[[IRNode, "Shared"], Body]


def _scope(state: GraphState) -> dict[str, Any]:
    return {
        "last_output": last_text(state),
        "inputs": state.get("input") or {},
        "state": state.get("state") or {},
    }


class NodeRunner:
    """A node's LangGraph callable: step counting, events and error translation around a body.

    A class instance rather than a closure: LangGraph scans closures for subgraphs,
    which costs milliseconds per node on large graphs.
    """

    def __init__(
        self, node: IRNode, body: Body, then_output: IRNode | None = None, track: bool = True
    ) -> None:
        self.node, self.body, self.then_output = node, body, then_output
        self.track = track  # record what this node passed on: only joins read ``outputs``
        self.__name__ = f"node_{node.id}"

    async def __call__(self, state: GraphState, runtime: Runtime[RunBinding]) -> dict[str, Any]:
        node = self.node
        binding, writer = runtime.context, runtime.stream_writer
        resuming = binding.resumed_node == node.id and not binding.resume_seen
        if resuming:  # the human step re-runs on resume: it was counted and announced already
            binding.resume_seen = True
            step = binding.control.steps
        # Nodes with one predecessor read ``last``; a join reads what is new for it.
        joined = received_by_join(node, state.get("outputs") or {}, state.get("routes") or {})
        if joined is not None:
            state = {**state, "last": [0, joined]}
        if not resuming:
            step = binding.control.begin_step(node.id)
            writer(node_started(node, step, last_text(state)))
        started, usage = time.perf_counter(), Usage()
        try:
            update, output = await self.body(state, binding, writer, usage, step)
        except GraphBubbleUp:  # interrupts are LangGraph control flow, not failures
            raise
        except Exception as exc:
            raise translate_error(exc, node) from exc
        writer(node_finished(node.id, output, started, usage))
        flow = update["last"][1] if "last" in update else last_text(state)
        if self.track:
            update = {**update, "outputs": {node.id: [step, flow]}}
        if self.then_output is not None:
            update.update(_finish_at(self.then_output, flow, binding, writer))
        return update


def _finish_at(output: IRNode, text: str, binding: RunBinding, writer: Any) -> dict[str, Any]:
    """An output node's work, done by its only predecessor (a LangGraph superstep saved).

    Same events, step count and state as when the output node runs on its own.
    """
    step = binding.control.begin_step(output.id)
    writer(node_started(output, step, text))
    writer(NodeFinishedEvent(node_id=output.id, output=text))
    return {"output": text, "history": [["assistant", text]]}


class Shared:
    """Clients and tool loops shared by the nodes of one compiled graph."""

    def __init__(self) -> None:
        self._models: dict[str, Any] = {}
        self._loops: dict[tuple[Any, ...], Any] = {}

    def model(self, endpoint: Any) -> Any:
        key = endpoint.fingerprint() + repr((endpoint.temperature, endpoint.max_tokens))
        if key not in self._models:
            self._models[key] = chat_model(endpoint)
        return self._models[key]

    def loop(self, node: IRNode) -> Any:
        key = (node.model.fingerprint(), tuple(t.id for t in node.tools), node.spec.max_iterations)
        if key not in self._loops:
            self._loops[key] = build_agent_loop(node, self.model(node.model))
        return self._loops[key]


def input_update(node: IRNode, inputs: dict[str, Any], step: int) -> tuple[dict[str, Any], str]:
    """The state a run starts from (the input node's work), and the text it passes on.

    The input node is not a LangGraph node: its update is the graph's input, which
    saves a superstep per run. It resets per-run state; the thread's history stays.
    """
    text = input_text(node, inputs)
    update = {
        "input": inputs,
        "last": [step, text],
        "state": {RESET: True},
        "routes": {RESET: True},
        "outputs": {RESET: True, node.id: [step, text]},
        "history": [["user", text]],
        "output": "",
    }
    return update, text


def agent_body(node: IRNode, shared: Shared) -> Body:
    """With tools: the LangGraph tool loop. Without: one model call (the loop would be one step)."""
    assert node.model is not None
    loop = shared.loop(node) if node.tools else None
    model = None if node.tools else shared.model(node.model)
    recursion_limit = 2 * node.spec.max_iterations + 5

    async def body(state, binding, writer, usage, step):
        task = last_text(state)
        memory, scope = binding.services.memory, binding.request.memory_scope
        values = state.get("state") or {}
        context = await agent_context(node, values, memory, scope, task, writer)
        prompt = [SystemMessage(agent_system_prompt(node.spec, context))]
        for role, text in earlier_turns(state.get("history") or []):
            prompt.append(HumanMessage(text) if role == "user" else AIMessage(text))
        prompt.append(HumanMessage(task))
        call = AgentCall(node.id, writer, binding.control, binding.request.stream_tokens, usage)
        if loop is None:
            output = text_of(await call_model(model, prompt, call, node.model))
        else:
            with bind_memory(memory, scope):  # its remember tool writes to this run's thread
                result = await loop.ainvoke(
                    {"messages": prompt}, {"recursion_limit": recursion_limit}, context=call
                )
            output = text_of(result["messages"][-1])
        return {"last": [step, output]}, output

    return body


def tool_body(node: IRNode, shared: Shared) -> Body:
    async def body(state, binding, writer, usage, step):
        result = await tool_step(node, _scope(state), writer)
        return {"last": [step, result]}, result

    return body


def router_body(node: IRNode, shared: Shared) -> Body:
    spec = node.spec
    model = shared.model(node.model) if spec.strategy == "llm" else None
    names = [r.name for r in spec.routes]

    async def body(state, binding, writer, usage, step):
        if model is None:
            route = rule_route(node, _scope(state))
        else:
            call = AgentCall(node.id, writer, binding.control, False, usage)
            messages = [SystemMessage(router_system_prompt(spec)), HumanMessage(last_text(state))]
            answer = await call_model(model, messages, call, node.model)
            route = choose_llm_route(text_of(answer), names, spec.default_route)
        return {"routes": {node.id: route}}, route

    return body


def human_body(node: IRNode, shared: Shared) -> Body:
    spec = node.spec

    async def body(state, binding, writer, usage, step):
        proposal = last_text(state)
        answer = interrupt(interrupt_fields(node, proposal))
        answer = answer if isinstance(answer, dict) else {"answer": str(answer)}
        said = person_said(spec.mode, answer)
        outcome = human_outcome(spec.mode, said, bool(answer.get("approved")), proposal)
        update: dict[str, Any] = {}
        if outcome.route is not None:
            update["routes"] = {node.id: outcome.route}
        if outcome.route != "approved":  # an approval passes on what it received, unchanged
            update["last"] = [step, outcome.flow]
        return update, outcome.output

    return body


def memory_body(node: IRNode, shared: Shared) -> Body:
    async def body(state, binding, writer, usage, step):
        memory, scope = binding.services.memory, binding.request.memory_scope
        received, names = last_text(state), _scope(state)
        output, values = await memory_step(node, memory, scope, received, names, writer)
        return ({} if values is None else {"state": values}), output

    return body


def output_body(node: IRNode, shared: Shared) -> Body:
    async def body(state, binding, writer, usage, step):
        text = last_text(state)
        return {"output": text, "history": [["assistant", text]]}, text

    return body


BODIES: dict[str, BodyFactory] = {
    "agent": agent_body,
    "tool": tool_body,
    "router": router_body,
    "human": human_body,
    "memory": memory_body,
    "output": output_body,
}


def node_function(
    node: IRNode, shared: Shared, then_output: IRNode | None = None, track: bool = True
) -> NodeRunner:
    """The LangGraph node callable for an IR node (finishing at ``then_output`` if given).

    ``track``: record the node's output for joins (a graph without joins skips it).
    """
    return NodeRunner(node, BODIES[node.kind](node, shared), then_output, track)
