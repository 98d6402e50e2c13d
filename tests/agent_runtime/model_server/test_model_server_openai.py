"""The demo model through the real ``openai`` client (sync and async) over real HTTP."""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from agent_runtime.model_server import DEMO_MODEL, ScriptedModelServer, count_tokens

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
            "required": ["city"],
        },
    },
}
FLIGHTS_TOOL = {
    "type": "function",
    "function": {
        "name": "search_flights",
        "description": "Flights to a destination.",
        "parameters": {"type": "object", "properties": {"destination": {"type": "string"}}},
    },
}
PLANNER = {"role": "system", "content": "You are Planner. You plan things."}


def ask(client: openai.OpenAI, *messages: dict, **kwargs):
    return client.chat.completions.create(model=DEMO_MODEL, messages=list(messages), **kwargs)


def test_models_lists_only_the_demo_model(client: openai.OpenAI) -> None:
    models = client.models.list()
    assert [m.id for m in models.data] == [DEMO_MODEL]
    card = client.models.retrieve(DEMO_MODEL)
    assert card.id == DEMO_MODEL
    assert "demo" in card.owned_by


def test_default_answer_names_agent_and_echoes_task(client: openai.OpenAI) -> None:
    result = ask(client, PLANNER, {"role": "user", "content": "Summarise the Q3 report"})
    choice = result.choices[0]
    assert choice.message.content == '[demo model] Planner: received "Summarise the Q3 report"'
    assert choice.finish_reason == "stop"
    assert choice.message.tool_calls is None
    assert result.object == "chat.completion"
    assert result.model == DEMO_MODEL


def test_default_answer_without_system_prompt(client: openai.OpenAI) -> None:
    result = ask(client, {"role": "user", "content": [{"type": "text", "text": "Hi there"}]})
    assert result.choices[0].message.content == '[demo model] assistant: received "Hi there"'


def test_rule_matching_the_system_prompt(client: openai.OpenAI) -> None:
    system = {"role": "system", "content": "You are a senior RESEARCHER. Be thorough."}
    result = ask(client, system, {"role": "user", "content": "quantum batteries"})
    assert result.choices[0].message.content == (
        'Research notes by senior RESEARCHER: three sources agree on "quantum batteries".'
    )


def test_rule_matching_the_last_message_ignores_case(client: openai.OpenAI) -> None:
    result = ask(client, PLANNER, {"role": "user", "content": "  HELLO "})
    assert result.choices[0].message.content.startswith("Hello! I am the Orchestrall offline demo")


def test_usage_counts_words_and_punctuation(client: openai.OpenAI) -> None:
    result = ask(client, {"role": "user", "content": "hello"})
    content = result.choices[0].message.content
    assert content == "Hello! I am the Orchestrall offline demo model, not a real LLM."
    assert result.usage is not None
    assert result.usage.prompt_tokens == 1
    assert result.usage.completion_tokens == count_tokens(content) == 15
    assert result.usage.total_tokens == 16


def test_regex_rule_makes_one_tool_call(client: openai.OpenAI) -> None:
    result = ask(
        client,
        PLANNER,
        {"role": "user", "content": "What's the weather in Paris?"},
        tools=[WEATHER_TOOL],
    )
    choice = result.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    [call] = choice.message.tool_calls
    assert call.type == "function"
    assert call.id.startswith("call_")
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris", "unit": "celsius"}
    assert result.usage.completion_tokens > 0


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"tools": [FLIGHTS_TOOL]}, {"tools": [WEATHER_TOOL], "tool_choice": "none"}],
    ids=["no-tools", "other-tool", "tool-choice-none"],
)
def test_tool_call_rule_needs_the_tool_offered(client: openai.OpenAI, kwargs: dict) -> None:
    result = ask(client, PLANNER, {"role": "user", "content": "weather in Paris"}, **kwargs)
    assert result.choices[0].message.content == '[demo model] Planner: received "weather in Paris"'


def test_several_tool_calls_in_one_turn(client: openai.OpenAI) -> None:
    result = ask(
        client,
        PLANNER,
        {"role": "user", "content": "Please plan a trip to Portugal"},
        tools=[WEATHER_TOOL, FLIGHTS_TOOL],
    )
    calls = result.choices[0].message.tool_calls
    assert [c.function.name for c in calls] == ["get_weather", "search_flights"]
    assert json.loads(calls[1].function.arguments) == {"destination": "Lisbon"}
    assert len({c.id for c in calls}) == 2
    assert result.choices[0].finish_reason == "tool_calls"


def test_tool_result_round_trip(client: openai.OpenAI) -> None:
    user = {"role": "user", "content": "weather in Paris"}
    first = ask(client, PLANNER, user, tools=[WEATHER_TOOL]).choices[0].message
    call = first.tool_calls[0]
    result = {"role": "tool", "tool_call_id": call.id, "content": "Sunny, 21 C"}
    second = ask(
        client, PLANNER, user, first.model_dump(exclude_none=True), result, tools=[WEATHER_TOOL]
    )
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content == "Planner: the forecast says Sunny, 21 C."


def test_default_answer_summarises_several_tool_results(client: openai.OpenAI) -> None:
    user = {"role": "user", "content": "plan a trip"}
    tools = [WEATHER_TOOL, FLIGHTS_TOOL]
    first = ask(client, PLANNER, user, tools=tools).choices[0].message
    results = [
        {"role": "tool", "tool_call_id": first.tool_calls[0].id, "content": "Mild"},
        {"role": "tool", "tool_call_id": first.tool_calls[1].id, "content": "TP123 at 9:05"},
    ]
    second = ask(client, PLANNER, user, first.model_dump(exclude_none=True), *results, tools=tools)
    assert second.choices[0].message.content == (
        '[demo model] Planner: get_weather returned "Mild"; search_flights returned "TP123 at 9:05"'
    )


def test_same_request_same_answer(client: openai.OpenAI) -> None:
    messages = (PLANNER, {"role": "user", "content": "plan a trip"})
    tools = [WEATHER_TOOL, FLIGHTS_TOOL]
    one, two = ask(client, *messages, tools=tools), ask(client, *messages, tools=tools)
    assert one.id == two.id
    assert one.choices[0].message == two.choices[0].message
    other = ask(client, PLANNER, {"role": "user", "content": "plan a trip!"}, tools=tools)
    assert other.choices[0].message.tool_calls[0].id != one.choices[0].message.tool_calls[0].id


def test_streaming_content_matches_non_streaming(client: openai.OpenAI) -> None:
    messages = (PLANNER, {"role": "user", "content": "Write the launch plan"})
    whole = ask(client, *messages)
    chunks = list(ask(client, *messages, stream=True, stream_options={"include_usage": True}))
    assert all(c.object == "chat.completion.chunk" and c.id == whole.id for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 3
    finish = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finish[-1] == "stop" and set(finish[:-1]) == {None}
    assert chunks[-1].choices == []
    assert chunks[-1].usage == whole.usage
    assert all(c.usage is None for c in chunks[:-1])


def test_streaming_without_usage_option_sends_no_usage_chunk(client: openai.OpenAI) -> None:
    chunks = list(ask(client, {"role": "user", "content": "hello"}, stream=True))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.choices and c.usage is None for c in chunks)


def test_streaming_tool_calls_accumulate_by_index(client: openai.OpenAI) -> None:
    messages = (PLANNER, {"role": "user", "content": "plan a trip"})
    tools = [WEATHER_TOOL, FLIGHTS_TOOL]
    whole = ask(client, *messages, tools=tools).choices[0].message
    calls: dict[int, dict[str, str]] = {}
    finish = None
    for chunk in ask(client, *messages, tools=tools, stream=True):
        choice = chunk.choices[0]
        finish = choice.finish_reason or finish
        for delta in choice.delta.tool_calls or ():
            call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
            call["id"] += delta.id or ""
            call["name"] += delta.function.name or ""
            call["arguments"] += delta.function.arguments or ""
    assert finish == "tool_calls"
    assert [calls[i] for i in sorted(calls)] == [
        {"id": c.id, "name": c.function.name, "arguments": c.function.arguments}
        for c in whole.tool_calls
    ]


def test_stream_helper_builds_the_final_completion(client: openai.OpenAI) -> None:
    """openai's own stream accumulator agrees with the chunk format."""
    with client.chat.completions.stream(
        model=DEMO_MODEL,
        messages=[PLANNER, {"role": "user", "content": "weather in Oslo"}],
        tools=[WEATHER_TOOL],
        stream_options={"include_usage": True},
    ) as stream:
        final = stream.get_final_completion()
    [call] = final.choices[0].message.tool_calls
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Oslo", "unit": "celsius"}
    assert final.usage is not None and final.usage.total_tokens > 0


def test_raw_sse_lines(demo_server: ScriptedModelServer) -> None:
    body = {"model": DEMO_MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": True}
    with httpx.stream("POST", f"{demo_server.base_url}/chat/completions", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    first = json.loads(lines[0].removeprefix("data: "))
    assert first["object"] == "chat.completion.chunk"
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": "", "refusal": None}


async def test_async_client_completion_stream_and_tools(demo_server: ScriptedModelServer) -> None:
    async with openai.AsyncOpenAI(
        base_url=demo_server.base_url, api_key="demo", max_retries=0
    ) as client:
        result = await client.chat.completions.create(
            model=DEMO_MODEL, messages=[PLANNER, {"role": "user", "content": "Draft an agenda"}]
        )
        assert result.choices[0].message.content == (
            '[demo model] Planner: received "Draft an agenda"'
        )
        stream = await client.chat.completions.create(
            model=DEMO_MODEL,
            messages=[PLANNER, {"role": "user", "content": "Draft an agenda"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        text = ""
        usage = None
        async for chunk in stream:
            text += "".join(c.delta.content or "" for c in chunk.choices)
            usage = chunk.usage or usage
        assert text == result.choices[0].message.content
        assert usage == result.usage
        tools = await client.chat.completions.create(
            model=DEMO_MODEL,
            messages=[PLANNER, {"role": "user", "content": "plan a trip"}],
            tools=[WEATHER_TOOL, FLIGHTS_TOOL],
        )
        assert len(tools.choices[0].message.tool_calls) == 2
