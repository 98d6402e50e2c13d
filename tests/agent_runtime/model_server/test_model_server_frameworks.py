"""Each framework's own OpenAI client, pointed at the demo model over real HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from agent_runtime.model_server import DEMO_MODEL, ScriptedModelServer

SCRIPT = {
    "rules": [
        {
            "when": {"last_role": "user", "task": {"regex": "weather in (?P<city>\\w+)"}},
            "tool_calls": [{"name": "get_weather", "arguments": {"city": "{city}"}}],
        },
        {"when": {"tool_name": "get_weather"}, "content": "It is {tool_result} there."},
        {"when": {"system": "framework probe"}, "content": "scripted hello to {agent}"},
    ]
}
SYSTEM = "You are Prober. This is a framework probe."


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedModelServer]:
    with ScriptedModelServer(script=SCRIPT) as running:
        yield running


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Fail the test if a framework tries to reach anything but this machine."""
    refused: list[Any] = []
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1"):
            refused.append(address)
            raise OSError(f"test blocked a network connection to {address!r}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield refused
    assert refused == [], f"unexpected network connections: {refused}"


def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


def test_langchain_chat_openai(server: ScriptedModelServer) -> None:
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(model=DEMO_MODEL, base_url=server.base_url, api_key="demo", max_retries=0)
    messages = [("system", SYSTEM), ("human", "hi")]
    reply = llm.invoke(messages)
    assert reply.content == "scripted hello to Prober"
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["total_tokens"] > 0
    streamed = "".join(str(chunk.content) for chunk in llm.stream(messages))
    assert streamed == "scripted hello to Prober"


def test_langchain_bind_tools_round_trip(server: ScriptedModelServer) -> None:
    from langchain_core.messages import HumanMessage, ToolMessage
    from langchain_core.tools import tool
    from langchain_openai import ChatOpenAI

    weather = tool(get_weather)
    llm = ChatOpenAI(model=DEMO_MODEL, base_url=server.base_url, api_key="demo", max_retries=0)
    bound = llm.bind_tools([weather])
    history: list = [HumanMessage("What's the weather in Rome?")]
    call_message = bound.invoke(history)
    [call] = call_message.tool_calls
    assert call["name"] == "get_weather"
    assert call["args"] == {"city": "Rome"}
    history += [call_message, ToolMessage(weather.invoke(call["args"]), tool_call_id=call["id"])]
    assert bound.invoke(history).content == "It is sunny in Rome there."


def test_crewai_llm(server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "CREWAI_DISABLE_TELEMETRY": "true",
        "CREWAI_DISABLE_TRACKING": "true",
        "CREWAI_TRACING_ENABLED": "false",
        "OTEL_SDK_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    from crewai import LLM

    llm = LLM(model=f"openai/{DEMO_MODEL}", base_url=server.base_url, api_key="demo")
    answer = llm.call([{"role": "system", "content": SYSTEM}, {"role": "user", "content": "hi"}])
    assert answer == "scripted hello to Prober"


async def test_autogen_openai_chat_completion_client(server: ScriptedModelServer) -> None:
    from autogen_core import FunctionCall
    from autogen_core.models import ModelInfo, SystemMessage, UserMessage
    from autogen_core.tools import FunctionTool
    from autogen_ext.models.openai import OpenAIChatCompletionClient

    client = OpenAIChatCompletionClient(
        model=DEMO_MODEL,
        base_url=server.base_url,
        api_key="demo",
        model_info=ModelInfo(
            vision=False,
            function_calling=True,
            json_output=False,
            family="unknown",
            structured_output=False,
        ),
    )
    try:
        result = await client.create(
            [SystemMessage(content=SYSTEM), UserMessage(content="hi", source="user")]
        )
        assert result.content == "scripted hello to Prober"
        assert result.finish_reason == "stop"
        assert result.usage.completion_tokens == 4
        tool = FunctionTool(get_weather, description="Weather for a city.")
        calls = await client.create(
            [UserMessage(content="weather in Oslo", source="user")], tools=[tool]
        )
        assert calls.finish_reason == "function_calls"
        assert isinstance(calls.content, list)
        [call] = calls.content
        assert isinstance(call, FunctionCall)
        assert (call.name, call.arguments) == ("get_weather", '{"city": "Oslo"}')
    finally:
        await client.close()
