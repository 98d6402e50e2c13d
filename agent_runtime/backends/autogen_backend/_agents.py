"""Agent nodes and LLM routers as AutoGen ``AssistantAgent``s.

An agent node runs one ``AssistantAgent`` per execution (cheap: the model client
and the tools are the compiled graph's, shared by every run). It gets what a
LangGraph agent gets: the system prompt from ``compiler._prompts`` (with memory
context), the thread's history under the shared policy (``trim_history``), and
the text the node received as the user's task. The tool loop is AutoGen's own
(``max_tool_iterations`` rounds, then one answer without tools:
``reflect_on_tool_use``); its stream becomes normalised token and tool events.
"""

from __future__ import annotations

import json
from typing import Any

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.base import Response
from autogen_agentchat.messages import (
    ModelClientStreamingChunkEvent,
    TextMessage,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
)
from autogen_core.model_context import UnboundedChatCompletionContext
from autogen_core.models import AssistantMessage, ChatCompletionClient, LLMMessage, UserMessage

from agent_runtime.backends._steps import Outcome, agent_context, earlier_turns
from agent_runtime.compiler import (
    IRNode,
    agent_system_prompt,
    choose_llm_route,
    router_system_prompt,
)
from agent_runtime.events import TokenEvent, ToolCalledEvent, ToolResultEvent
from agent_runtime.memory import bind_memory
from agent_runtime.models import ModelEndpoint

from ._client import Meter, MeteredClient, endpoint_client
from ._state import RunScope
from ._tools import RegistryTool, registry_tools


class Shared:
    """Model clients and tools shared by every run of one compiled graph."""

    def __init__(self) -> None:
        self._clients: dict[str, ChatCompletionClient] = {}
        self._tools: dict[str, RegistryTool] = {}

    def client(self, endpoint: ModelEndpoint) -> ChatCompletionClient:
        key = endpoint.fingerprint() + repr((endpoint.temperature, endpoint.max_tokens))
        if key not in self._clients:
            self._clients[key] = endpoint_client(endpoint)
        return self._clients[key]

    def tools(self, node: IRNode) -> list[Any]:
        return registry_tools(node.tools, self._tools)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()


def _history(scope: RunScope) -> list[LLMMessage]:
    """The thread's earlier turns under the shared policy (the current input excluded)."""
    return [
        UserMessage(content=text, source="user")
        if role == "user"
        else AssistantMessage(content=text, source="assistant")
        for role, text in earlier_turns(scope.state.history)
    ]


def _translate(node_id: str, item: Any, scope: RunScope) -> None:
    """Normalised events for an item of the agent's stream (others are AutoGen's own)."""
    if isinstance(item, ModelClientStreamingChunkEvent):
        if item.content:
            scope.emit(TokenEvent(node_id=node_id, delta=item.content))
    elif isinstance(item, ToolCallRequestEvent):
        for call in item.content:
            try:
                arguments = json.loads(call.arguments) if call.arguments else {}
            except json.JSONDecodeError:
                arguments = {"_raw": call.arguments}
            if not isinstance(arguments, dict):
                arguments = {"_raw": call.arguments}
            scope.emit(
                ToolCalledEvent(
                    node_id=node_id, tool=call.name, call_id=call.id, arguments=arguments
                )
            )
    elif isinstance(item, ToolCallExecutionEvent):
        for result in item.content:
            scope.emit(
                ToolResultEvent(
                    node_id=node_id,
                    tool=result.name,
                    call_id=result.call_id,
                    result=result.content,
                    is_error=result.is_error or result.content.startswith("error:"),
                )
            )


async def run_agent(
    name: str, node: IRNode, scope: RunScope, shared: Shared, received: str, meter: Meter
) -> Outcome:
    """One execution of an agent node: an ``AssistantAgent`` with AutoGen's tool loop."""
    assert node.model is not None
    memory, where = scope.services.memory, scope.request.memory_scope
    context = await agent_context(node, scope.state.values, memory, where, received, scope.emit)
    tools = shared.tools(node)
    agent = AssistantAgent(
        name,
        MeteredClient(shared.client(node.model), meter),
        tools=tools or None,
        system_message=agent_system_prompt(node.spec, context),
        model_context=UnboundedChatCompletionContext(_history(scope)),
        model_client_stream=scope.request.stream_tokens,
        reflect_on_tool_use=bool(tools),
        max_tool_iterations=node.spec.max_iterations,
    )
    task = TextMessage(content=received, source="user")
    response: Response | None = None
    with bind_memory(memory, where):  # its remember tool writes to this run's thread
        async for item in agent.on_messages_stream([task], scope.token):
            if isinstance(item, Response):
                response = item
            else:
                _translate(node.id, item, scope)
    assert response is not None
    output = response.chat_message.to_text()
    return Outcome(output=output, flow=output)


async def route_by_llm(
    name: str, node: IRNode, scope: RunScope, shared: Shared, received: str, meter: Meter
) -> Outcome:
    """An LLM router: an ``AssistantAgent`` names a route; we read it as LangGraph does."""
    assert node.model is not None
    spec = node.spec
    agent = AssistantAgent(
        name,
        MeteredClient(shared.client(node.model), meter),
        system_message=router_system_prompt(spec),
    )
    response = await agent.on_messages([TextMessage(content=received, source="user")], scope.token)
    names = [r.name for r in spec.routes]
    route = choose_llm_route(response.chat_message.to_text(), names, spec.default_route)
    return Outcome(output=route, flow=received, route=route)
