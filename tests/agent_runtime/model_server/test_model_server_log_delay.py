"""The request log (what tests read to see what an agent was sent) and slow rules."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import openai
import pytest

from agent_runtime.errors import ScriptError
from agent_runtime.model_server import DEMO_MODEL, RecordedRequest, ScriptedModelServer, load_script

Start = Callable[[Any], ScriptedModelServer]
DELAY = 0.4

TOOL = {
    "type": "function",
    "function": {
        "name": "calc",
        "description": "Compute.",
        "parameters": {"type": "object", "properties": {"expression": {"type": "string"}}},
    },
}


def _chat(server: ScriptedModelServer, **body: Any) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/chat/completions", json={"model": DEMO_MODEL, **body}, timeout=10
    )


def test_answered_requests_are_logged_in_order(make_server: Start) -> None:
    server = make_server([{"when": {"task": "use calc"}, "tool_calls": [{"name": "calc"}]}])
    messages = [
        {"role": "system", "content": "You are Researcher. Be brief."},
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "use calc"},
    ]
    with openai.OpenAI(base_url=server.base_url, api_key="demo", max_retries=0) as client:
        client.chat.completions.create(model=DEMO_MODEL, messages=messages, tools=[TOOL])
        stream = client.chat.completions.create(
            model=DEMO_MODEL, messages=[{"role": "user", "content": "hi"}], stream=True
        )
        assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices)

    first, second = server.requests
    assert isinstance(first, RecordedRequest)
    assert first.model == DEMO_MODEL
    assert first.messages == messages
    assert first.tools == [TOOL]
    assert first.tool_names == ["calc"]
    assert (first.stream, first.rule) == (False, 0)
    assert first.system == "You are Researcher. Be brief."
    assert first.agent == "Researcher"
    assert first.texts("user") == ["first question", "use calc"]
    assert "first answer" in first.text
    assert (second.stream, second.rule, second.tools, second.agent) == (True, None, [], "assistant")


def test_malformed_requests_are_not_logged_and_clear_forgets(make_server: Start) -> None:
    server = make_server(None)
    assert _chat(server, messages=[]).status_code == 400
    assert _chat(server, model="nope", messages=[{"role": "user", "content": "x"}]).status_code
    assert server.requests == []
    assert _chat(server, messages=[{"role": "user", "content": "x"}]).status_code == 200
    assert len(server.requests) == 1
    server.clear_requests()
    assert server.requests == []


def test_the_log_keeps_the_last_200_and_survives_a_restart() -> None:
    server = ScriptedModelServer()
    with server, httpx.Client(base_url=server.base_url, timeout=10) as http:
        for i in range(205):
            body = {"model": DEMO_MODEL, "messages": [{"role": "user", "content": f"m{i}"}]}
            assert http.post("/chat/completions", json=body).status_code == 200
    logged = server.requests
    assert len(logged) == 200
    assert [r.texts("user")[0] for r in (logged[0], logged[-1])] == ["m5", "m204"]
    with server:
        assert len(server.requests) == 200


def test_a_rule_can_delay_its_answer(make_server: Start) -> None:
    server = make_server(
        [
            {"when": {"task": "slow"}, "content": "late", "delay_seconds": DELAY},
            {"content": "quick"},
        ]
    )
    with openai.OpenAI(base_url=server.base_url, api_key="demo", max_retries=0) as client:
        for task, expected, stream in (("slow", "late", False), ("slow", "late", True)):
            started = time.monotonic()
            reply = client.chat.completions.create(
                model=DEMO_MODEL, messages=[{"role": "user", "content": task}], stream=stream
            )
            text = (
                "".join(c.choices[0].delta.content or "" for c in reply if c.choices)
                if stream
                else reply.choices[0].message.content
            )
            assert text == expected
            assert time.monotonic() - started >= DELAY
        started = time.monotonic()
        reply = client.chat.completions.create(
            model=DEMO_MODEL, messages=[{"role": "user", "content": "fast"}]
        )
        assert reply.choices[0].message.content == "quick"
        assert time.monotonic() - started < DELAY  # other rules answer at once


def test_a_client_that_gives_up_does_not_hold_the_server() -> None:
    server = ScriptedModelServer([{"content": "late", "delay_seconds": 30}]).start()
    try:
        with (
            openai.OpenAI(
                base_url=server.base_url, api_key="demo", max_retries=0, timeout=0.2
            ) as client,
            pytest.raises(openai.APITimeoutError),
        ):
            client.chat.completions.create(
                model=DEMO_MODEL, messages=[{"role": "user", "content": "x"}]
            )
        assert len(server.requests) == 1
    finally:
        started = time.monotonic()
        server.stop()
    assert time.monotonic() - started < 1.5  # the waiting handler saw the client leave


@pytest.mark.parametrize(
    ("delay", "message"),
    [
        (-1, "greater than or equal to 0"),
        (61, "less than or equal to 60"),
        ("soon", "valid number"),
        (float("nan"), "finite number"),
    ],
)
def test_delay_is_validated(delay: Any, message: str) -> None:
    with pytest.raises(ScriptError, match=r"rules\[0\] \('slow'\), field 'delay_seconds'") as info:
        load_script([{"name": "slow", "content": "x", "delay_seconds": delay}])
    assert message in str(info.value)


def test_delay_defaults_to_zero_and_accepts_the_bounds() -> None:
    script = load_script([{"content": "a"}, {"content": "b", "delay_seconds": 60}])
    assert [r.delay_seconds for r in script.rules] == [0, 60]
