"""The work of each node kind (agents and LLM routers are in ``_agents``).

Each function gets the node, the run's scope, the graph's shared clients and
tools, the text the node received and the node's meter, and returns an
``Outcome``: the output ``node_finished`` reports, the text passed on and, for
routers and approvals, the route. The semantics are the LangGraph backend's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from autogen_agentchat.agents import UserProxyAgent
from autogen_agentchat.messages import TextMessage
from autogen_core import CancellationToken

from agent_runtime.compiler import IRNode, as_text, matches, render, render_value
from agent_runtime.compiler._values import lookup
from agent_runtime.events import ToolCalledEvent, ToolResultEvent

from ._agents import Outcome, Shared, route_by_llm, run_agent
from ._client import Meter
from ._state import RunScope

Work = Callable[[str, IRNode, RunScope, Shared, str, Meter], Awaitable["Outcome | None"]]


def input_text(node: IRNode, inputs: dict[str, Any]) -> str:
    """The text the input node passes on: the message, or ``name: value`` lines."""
    names = [f.name for f in node.spec.fields]
    if names == ["message"]:
        return as_text(inputs.get("message"))
    return "\n".join(f"{n}: {as_text(inputs.get(n))}" for n in names if n in inputs)


async def _input(
    name: str, node: IRNode, scope: RunScope, shared: Shared, received: str, meter: Meter
) -> Outcome:
    text = input_text(node, scope.state.inputs)
    return Outcome(output=text, flow=text)


async def _output(
    name: str, node: IRNode, scope: RunScope, shared: Shared, received: str, meter: Meter
) -> Outcome:
    scope.state.output = received
    scope.state.history.append(["assistant", received])
    return Outcome(output=received, flow=received)


async def _tool(
    name: str, node: IRNode, scope: RunScope, shared: Shared, received: str, meter: Meter
) -> Outcome:
    tool = shared.tools(node)[0]
    arguments = render_value(dict(node.spec.arguments), **scope.state.scope(received))
    scope.emit(ToolCalledEvent(node_id=node.id, tool=tool.name, arguments=arguments))
    result = tool.return_value_as_string(await tool.run_json(arguments, scope.token))
    is_error = result.startswith("error:")
    scope.emit(ToolResultEvent(node_id=node.id, tool=tool.name, result=result, is_error=is_error))
    return Outcome(output=result, flow=result)


async def _router(
    name: str, node: IRNode, scope: RunScope, shared: Shared, received: str, meter: Meter
) -> Outcome:
    spec = node.spec
    if spec.strategy == "llm":
        return await route_by_llm(name, node, scope, shared, received, meter)
    names = scope.state.scope(received)
    route = next(
        (r.name for r in spec.routes if matches(r.condition, lookup(r.condition.field, **names))),
        spec.default_route,
    )
    return Outcome(output=route, flow=received, route=route)


async def _memory(
    name: str, node: IRNode, scope: RunScope, shared: Shared, received: str, meter: Meter
) -> Outcome:
    spec, memory = node.spec, node.memories[0]
    memories, where = scope.services.memory, scope.request.memory_scope
    if spec.operation == "store":
        item = await memories.store(memory, received, scope=where, metadata=dict(spec.metadata))
        return Outcome(output=f"stored {item}", flow=received)
    query = render(spec.query, **scope.state.scope(received))
    hits = await memories.retrieve(
        memory,
        query,
        scope=where,
        top_k=spec.top_k,
        filters=dict(spec.filters),
        min_score=spec.min_score,
    )
    found = [h.text for h in hits]
    scope.state.values.update(retrieved=found, retrieved_scores=[h.score for h in hits])
    return Outcome(output=f"{len(found)} result(s)", flow=received)


async def _human(
    name: str, node: IRNode, scope: RunScope, shared: Shared, received: str, meter: Meter
) -> Outcome | None:
    """Waits for a person (``None``), or on resume answers through a ``UserProxyAgent``."""
    spec = node.spec
    if scope.answering != node.id or scope.request.resume is None:
        scope.wait(
            {"node_id": node.id, "mode": spec.mode, "prompt": spec.prompt, "proposal": received}
        )
        return None
    answer, scope.answering = scope.request.resume, None
    said = as_text(answer.get("answer" if spec.mode == "input" else "comment", ""))

    async def person(prompt: str, token: CancellationToken | None = None) -> str:
        return said

    proxy = UserProxyAgent(name, input_func=person)
    reply = await proxy.on_messages([TextMessage(content=received, source="user")], scope.token)
    said = reply.chat_message.to_text()
    if spec.mode == "input":
        return Outcome(output=said, flow=said)
    if answer.get("approved"):
        return Outcome(
            output="approved" + (f": {said}" if said else ""), flow=received, route="approved"
        )
    feedback = f"Rejected by the reviewer: {said or 'no reason given'}\n\nDraft:\n{received}"
    return Outcome(output=f"rejected: {said}", flow=feedback, route="rejected")


WORK: dict[str, Work] = {
    "input": _input,
    "agent": run_agent,
    "tool": _tool,
    "router": _router,
    "human": _human,
    "memory": _memory,
    "output": _output,
}
