"""An agent as a LangGraph tool loop: a model node and LangGraph's ``ToolNode``.

One loop graph is compiled per agent node (with ``checkpointer=False``: the
outer graph checkpoints) and reused by every run. Per-run objects — the event
writer, the run's limits — arrive through LangGraph's runtime context, never
through globals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.tools import StructuredTool
from langgraph.graph import END, START, StateGraph
from langgraph.prebuilt import ToolNode, ToolRuntime
from langgraph.runtime import Runtime

from agent_runtime.backends._events import tool_result
from agent_runtime.backends._usage import Usage
from agent_runtime.compiler import IRNode
from agent_runtime.events import TokenEvent, ToolCalledEvent
from agent_runtime.execution import RunControl
from agent_runtime.models import ModelEndpoint
from agent_runtime.tools import ResolvedTool

from ._state import AgentState


@dataclass
class AgentCall:
    """Runtime context of one agent execution."""

    node_id: str
    writer: Any
    control: RunControl
    stream_tokens: bool
    usage: Usage = field(default_factory=Usage)


def chat_model(endpoint: ModelEndpoint) -> Any:
    """LangChain's chat client for an endpoint (Azure or any OpenAI-compatible URL)."""
    common = {
        "api_key": endpoint.api_key,
        "temperature": endpoint.temperature,
        "max_tokens": endpoint.max_tokens,
        "timeout": endpoint.request_timeout,
        "max_retries": 0,
        "stream_usage": True,
    }
    if endpoint.provider == "azure_openai":
        from langchain_openai import AzureChatOpenAI

        return AzureChatOpenAI(
            azure_endpoint=endpoint.base_url,
            azure_deployment=endpoint.model,
            api_version=endpoint.api_version,
            **common,
        )
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(model=endpoint.model, base_url=endpoint.base_url, **common)


def text_of(message: BaseMessage) -> str:
    """A message's text content (joining text parts of list content)."""
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)


async def call_model(
    model: Any, messages: list[BaseMessage], call: AgentCall, endpoint: ModelEndpoint
) -> AIMessage:
    """One model call: streamed as token events when asked, counted against the limits."""
    if call.stream_tokens:
        merged = None
        async for chunk in model.astream(messages):
            if isinstance(chunk.content, str) and chunk.content:
                call.writer(TokenEvent(node_id=call.node_id, delta=chunk.content))
            merged = chunk if merged is None else merged + chunk
        if merged is None:
            raise ValueError("empty completion stream")
        message = AIMessage(
            content=merged.content,
            tool_calls=merged.tool_calls,
            usage_metadata=merged.usage_metadata,
            id=merged.id,
        )
    else:
        message = await model.ainvoke(messages)
    usage = message.usage_metadata or {}
    prompt, completion = usage.get("input_tokens", 0), usage.get("output_tokens", 0)
    cost = endpoint.cost(prompt, completion)
    call.usage.add(prompt, completion, cost)
    call.control.add_tokens(call.node_id, prompt, completion, cost)
    return message


def _lc_tool(tool: ResolvedTool) -> StructuredTool:
    async def run_tool(runtime: ToolRuntime, **arguments: Any) -> str:
        call: AgentCall = runtime.context
        call_id = runtime.tool_call_id or ""
        call.writer(
            ToolCalledEvent(
                node_id=call.node_id, tool=tool.name, call_id=call_id, arguments=arguments
            )
        )
        result = await tool.invoke(arguments)
        call.writer(tool_result(call.node_id, tool.name, result, call_id))
        return result

    return StructuredTool(
        name=tool.name,
        description=tool.description,
        args_schema=dict(tool.parameters),
        coroutine=run_tool,
    )


def build_agent_loop(node: IRNode, model: Any) -> Any:
    """The compiled tool loop of an agent node (shared by agents with the same model and tools)."""
    assert node.model is not None
    endpoint = node.model
    tools = [_lc_tool(t) for t in node.tools]
    with_tools = model.bind_tools(tools) if tools else model
    max_iterations = node.spec.max_iterations

    async def agent_model(state: AgentState, runtime: Runtime[AgentCall]) -> dict[str, Any]:
        rounds = sum(1 for m in state["messages"] if isinstance(m, AIMessage) and m.tool_calls)
        chosen = with_tools if tools and rounds < max_iterations else model
        message = await call_model(chosen, state["messages"], runtime.context, endpoint)
        return {"messages": [message]}

    def after_model(state: AgentState) -> str:
        last = state["messages"][-1]
        return "tools" if isinstance(last, AIMessage) and last.tool_calls else END

    builder = StateGraph(AgentState, context_schema=AgentCall)
    builder.add_node("model", agent_model)
    builder.add_edge(START, "model")
    if tools:
        builder.add_node("tools", ToolNode(tools))
        builder.add_conditional_edges("model", after_model, ["tools", END])
        builder.add_edge("tools", "model")
    else:
        builder.add_edge("model", END)
    return builder.compile(checkpointer=False, name="agent_tool_loop")
