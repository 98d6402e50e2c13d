"""The work of each node kind (agents and LLM routers are in ``_agents``).

Each function gets the node, the run's scope, the graph's shared clients and
tools, the text the node received and the node's meter, and returns an
``Outcome``: the output ``node_finished`` reports, the text passed on and, for
routers and approvals, the route. The semantics are every backend's
(``backends/_steps.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from autogen_agentchat.agents import UserProxyAgent
from autogen_agentchat.messages import TextMessage
from autogen_core import CancellationToken

from agent_runtime.backends._events import interrupt_fields
from agent_runtime.backends._steps import (
    Outcome,
    human_outcome,
    input_text,
    memory_step,
    person_said,
    rule_route,
    tool_step,
)
from agent_runtime.compiler import IRNode

from ._agents import Shared, route_by_llm, run_agent
from ._client import Meter
from ._state import RunScope

Work = Callable[[str, IRNode, RunScope, Shared, str, Meter], Awaitable["Outcome | None"]]


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

    async def call(arguments: dict[str, Any]) -> str:  # AutoGen's tool, cancelled with the run
        return tool.return_value_as_string(await tool.run_json(arguments, scope.token))

    result = await tool_step(node, scope.state.scope(received), scope.emit, call)
    return Outcome(output=result, flow=result)


async def _router(
    name: str, node: IRNode, scope: RunScope, shared: Shared, received: str, meter: Meter
) -> Outcome:
    if node.spec.strategy == "llm":
        return await route_by_llm(name, node, scope, shared, received, meter)
    route = rule_route(node, scope.state.scope(received))
    return Outcome(output=route, flow=received, route=route)


async def _memory(
    name: str, node: IRNode, scope: RunScope, shared: Shared, received: str, meter: Meter
) -> Outcome:
    memory, where = scope.services.memory, scope.request.memory_scope
    names = scope.state.scope(received)
    output, values = await memory_step(node, memory, where, received, names, scope.emit)
    if values is not None:
        scope.state.values.update(values)
    return Outcome(output=output, flow=received)


async def _human(
    name: str, node: IRNode, scope: RunScope, shared: Shared, received: str, meter: Meter
) -> Outcome | None:
    """Waits for a person (``None``), or on resume answers through a ``UserProxyAgent``."""
    spec = node.spec
    if scope.answering != node.id or scope.request.resume is None:
        scope.wait(interrupt_fields(node, received))
        return None
    answer, scope.answering = scope.request.resume, None
    said = person_said(spec.mode, answer)

    async def person(prompt: str, token: CancellationToken | None = None) -> str:
        return said

    proxy = UserProxyAgent(name, input_func=person)
    reply = await proxy.on_messages([TextMessage(content=received, source="user")], scope.token)
    said = reply.chat_message.to_text()
    return human_outcome(spec.mode, said, bool(answer.get("approved")), received)


WORK: dict[str, Work] = {
    "input": _input,
    "agent": run_agent,
    "tool": _tool,
    "router": _router,
    "human": _human,
    "memory": _memory,
    "output": _output,
}
