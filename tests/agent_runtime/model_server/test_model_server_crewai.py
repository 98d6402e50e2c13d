"""The demo model reads through CrewAI's prompt wrapper: the task is CrewAI's "Current Task".

Checked over real HTTP with the openai client (the exact texts CrewAI 1.15
sends), and end to end with a real CrewAI crew.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from agent_runtime.model_server import DEMO_MODEL, ScriptedModelServer

SCRIPT = {
    "rules": [
        {"when": {"task": {"equals": "ping"}}, "content": "pong: {task}"},
        {
            "when": {"last_role": "user", "task": "weather"},
            "tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}],
        },
    ]
}
SYSTEM = {"role": "system", "content": "You are Prober. \nYour personal goal is: Answer"}
CRITERIA = (
    "\n\nThis is the expected criteria for your final answer: A complete answer."
    "\nyou MUST return the actual complete content as the final answer, not a summary."
)
HISTORY = (
    "\n\nYou are a member of a crew collaborating to achieve a common goal. Your task is a "
    "specific action that contributes to this larger objective.\n\nUser: earlier\nAssistant: reply"
)
FORCE = (
    "Now it's time you MUST give your absolute best final answer. You'll ignore all previous "
    "instructions, stop using any tools, and just return your absolute BEST Final answer."
)
TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}},
}


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedModelServer]:
    with ScriptedModelServer(script=SCRIPT) as running:
        yield running


def answer(server: ScriptedModelServer, *messages: dict[str, Any], **kwargs: Any) -> Any:
    with openai.OpenAI(base_url=server.base_url, api_key="demo", max_retries=0) as client:
        reply = client.chat.completions.create(
            model=DEMO_MODEL, messages=[SYSTEM, *messages], **kwargs
        )
    return reply.choices[0].message


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


@pytest.mark.parametrize(
    "prompt",
    [
        f"\nCurrent Task: ping{CRITERIA}\n\nProvide your complete response:",  # no tools
        f"\nCurrent Task: ping{CRITERIA}",  # native tool calling
        f"\nCurrent Task: ping{CRITERIA}\n\nBegin! This is VERY important to you, use the tools",
        f"\nCurrent Task: ping{CRITERIA}\n\nThis is the context you're working with:\nearlier",
        f"\nCurrent Task: ping{HISTORY}{CRITERIA}\n\nProvide your complete response:",
        "\nCurrent Task: ping\n\nProvide your complete response:",  # Agent.kickoff
    ],
    ids=["no-tools", "native-tools", "react", "context", "conversation", "kickoff"],
)
def test_the_task_is_crewais_current_task(server: ScriptedModelServer, prompt: str) -> None:
    assert answer(server, user(prompt)).content == "pong: ping"


def test_the_default_answer_echoes_the_task_only(server: ScriptedModelServer) -> None:
    prompt = f"\nCurrent Task: hello there{HISTORY}{CRITERIA}\n\nProvide your complete response:"
    assert answer(server, user(prompt)).content == '[demo model] Prober: received "hello there"'


@pytest.mark.parametrize(
    "text",
    ["Current Task: ping", "Current Task: ping\n\nmore words", "ping\n\nCurrent Task: other"],
)
def test_other_messages_are_tasks_as_they_are(server: ScriptedModelServer, text: str) -> None:
    assert (
        answer(server, user(text)).content
        == f'[demo model] Prober: received "{" ".join(text.split())}"'
    )


def test_the_final_answer_request_is_answered_from_the_tool_results(
    server: ScriptedModelServer,
) -> None:
    task = user(f"\nCurrent Task: weather please{CRITERIA}")
    call = answer(server, task, tools=[TOOL]).tool_calls[0]
    turn = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": call.id, "type": "function", "function": call.function.model_dump()}],
    }
    result = {"role": "tool", "tool_call_id": call.id, "content": "sunny"}

    final = answer(server, task, turn, result, user(FORCE))

    assert final.content == '[demo model] Prober: get_weather returned "sunny"'
    assert final.tool_calls is None


def test_a_final_answer_request_alone_is_an_ordinary_task(server: ScriptedModelServer) -> None:
    reply = answer(server, user(FORCE))
    assert reply.content.startswith("[demo model] Prober: received \"Now it's time you MUST")


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if CrewAI tries to reach anything but this machine."""
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1"):
            raise OSError(f"test blocked a network connection to {address!r}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield


# Plain CrewAI reads its own deprecated fields on every agent (our backend's agents do not warn).
@pytest.mark.filterwarnings("ignore:.*deprecated:DeprecationWarning")
def test_a_real_crew_gets_the_default_answer_to_its_task(
    server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch, loopback_only: None
) -> None:
    monkeypatch.setenv("CREWAI_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("CREWAI_TRACING_ENABLED", "false")
    from crewai import LLM, Agent, Crew, Task

    llm = LLM(model=f"openai/{DEMO_MODEL}", base_url=server.base_url, api_key="demo")
    prober = Agent(role="Prober", goal="Answer", backstory="", llm=llm, max_retry_limit=0)
    crew = Crew(
        agents=[prober],
        tasks=[Task(description="ping", expected_output="A complete answer.", agent=prober)],
        tracing=False,
    )

    assert crew.kickoff().raw == "pong: ping"
    assert server.requests[-1].agent == "Prober"
