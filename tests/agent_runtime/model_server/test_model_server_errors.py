"""Malformed requests get OpenAI-style JSON errors, seen through httpx and the openai client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_runtime.model_server import DEMO_MODEL, ScriptedModelServer

USER = {"role": "user", "content": "hi"}


@pytest.fixture(scope="module")
def http(demo_server: ScriptedModelServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=demo_server.base_url) as client:
        yield client


def post(server: ScriptedModelServer, content: bytes) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/chat/completions",
        content=content,
        headers={"content-type": "application/json"},
    )


def assert_error(response: httpx.Response, status: int, code: str, param: str | None) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["code"] == code
    assert error["param"] == param
    assert error["message"]
    return error


@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe", b'{"model": "x",}'])
def test_body_that_is_not_json(demo_server: ScriptedModelServer, raw: bytes) -> None:
    error = assert_error(post(demo_server, raw), 400, "invalid_json", None)
    assert error["type"] == "invalid_request_error"
    assert "not valid JSON" in error["message"]


BAD_BODIES: list[tuple[str, Any, int, str, str | None]] = [
    ("array body", [USER], 400, "invalid_json", None),
    ("no model", {"messages": [USER]}, 400, "missing_required_parameter", "model"),
    ("model not str", {"model": 3, "messages": [USER]}, 400, "invalid_type", "model"),
    ("unknown model", {"model": "gpt-4o", "messages": [USER]}, 404, "model_not_found", "model"),
    ("no messages", {"model": DEMO_MODEL}, 400, "missing_required_parameter", "messages"),
    ("messages not list", {"model": DEMO_MODEL, "messages": "hi"}, 400, "invalid_type", "messages"),
    ("empty messages", {"model": DEMO_MODEL, "messages": []}, 400, "empty_array", "messages"),
    (
        "message not object",
        {"model": DEMO_MODEL, "messages": ["hi"]},
        400,
        "invalid_type",
        "messages[0]",
    ),
    (
        "no role",
        {"model": DEMO_MODEL, "messages": [{"content": "hi"}]},
        400,
        "missing_required_parameter",
        "messages[0].role",
    ),
    (
        "bad role",
        {"model": DEMO_MODEL, "messages": [USER, {"role": "bot", "content": "x"}]},
        400,
        "invalid_value",
        "messages[1].role",
    ),
    (
        "content not text",
        {"model": DEMO_MODEL, "messages": [{"role": "user", "content": 5}]},
        400,
        "invalid_type",
        "messages[0].content",
    ),
    (
        "user without content",
        {"model": DEMO_MODEL, "messages": [{"role": "user"}]},
        400,
        "missing_required_parameter",
        "messages[0].content",
    ),
    (
        "tool without id",
        {"model": DEMO_MODEL, "messages": [USER, {"role": "tool", "content": "x"}]},
        400,
        "missing_required_parameter",
        "messages[1].tool_call_id",
    ),
    (
        "tool call without name",
        {"model": DEMO_MODEL, "messages": [{"role": "assistant", "tool_calls": [{"id": "c"}]}]},
        400,
        "missing_required_parameter",
        "messages[0].tool_calls[0].function.name",
    ),
    (
        "tools not list",
        {"model": DEMO_MODEL, "messages": [USER], "tools": {}},
        400,
        "invalid_type",
        "tools",
    ),
    (
        "tool without name",
        {"model": DEMO_MODEL, "messages": [USER], "tools": [{"type": "x"}]},
        400,
        "missing_required_parameter",
        "tools[0].function.name",
    ),
    (
        "stream not bool",
        {"model": DEMO_MODEL, "messages": [USER], "stream": "yes"},
        400,
        "invalid_type",
        "stream",
    ),
    (
        "stream_options not object",
        {"model": DEMO_MODEL, "messages": [USER], "stream_options": True},
        400,
        "invalid_type",
        "stream_options",
    ),
    (
        "n above one",
        {"model": DEMO_MODEL, "messages": [USER], "n": 2},
        422,
        "unsupported_value",
        "n",
    ),
]


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [case[1:] for case in BAD_BODIES],
    ids=[case[0] for case in BAD_BODIES],
)
def test_malformed_request(
    demo_server: ScriptedModelServer, body: Any, status: int, code: str, param: str | None
) -> None:
    response = httpx.post(f"{demo_server.base_url}/chat/completions", json=body)
    assert_error(response, status, code, param)


def test_bad_role_through_openai_client(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model=DEMO_MODEL,
            messages=[{"role": "robot", "content": "hi"}],  # type: ignore[misc]
        )
    assert caught.value.status_code == 400
    assert caught.value.code == "invalid_value"
    assert caught.value.param == "messages[0].role"
    assert "'robot'" in caught.value.message


def test_unknown_model_through_openai_client(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=[USER])
    assert caught.value.code == "model_not_found"
    assert DEMO_MODEL in caught.value.message
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")


def test_unsupported_n_through_openai_client(client: openai.OpenAI) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        client.chat.completions.create(model=DEMO_MODEL, messages=[USER], n=3)
    assert caught.value.param == "n"


async def test_streaming_request_errors_before_streaming(demo_server: ScriptedModelServer) -> None:
    async with openai.AsyncOpenAI(
        base_url=demo_server.base_url, api_key="demo", max_retries=0
    ) as client:
        with pytest.raises(openai.BadRequestError) as caught:
            await client.chat.completions.create(
                model=DEMO_MODEL,
                messages=[{"role": "tool", "content": "orphan"}],  # type: ignore[list-item]
                stream=True,
            )
    assert caught.value.param == "messages[0].tool_call_id"


def test_unknown_path_and_wrong_method(demo_server: ScriptedModelServer) -> None:
    missing = httpx.post(f"{demo_server.base_url}/completions", json={})
    error = assert_error(missing, 404, "not_found", None)
    assert "/v1/chat/completions" in error["message"]
    wrong = httpx.get(f"{demo_server.base_url}/chat/completions")
    assert_error(wrong, 405, "method_not_allowed", None)


def test_junk_in_unchecked_places_is_ignored(demo_server: ScriptedModelServer) -> None:
    body = {
        "model": DEMO_MODEL,
        "messages": [
            {"role": "user", "content": "x", "tool_calls": "junk"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "a", "function": {"name": "f", "arguments": 5}}],
            },
            {"role": "tool", "tool_call_id": "a", "content": [{"type": "text", "text": "ok"}]},
        ],
        "temperature": "warm",
    }
    response = httpx.post(f"{demo_server.base_url}/chat/completions", json=body)
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"] == (
        '[demo model] assistant: f returned "ok"'
    )


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_message = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "tool", "system", "bot"]) | _json},
    optional={"content": _json, "tool_calls": _json, "tool_call_id": _json},
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.fixed_dictionaries(
        {"model": st.just(DEMO_MODEL), "messages": st.lists(_message, max_size=4)},
        optional={
            "tools": _json,
            "tool_choice": _json,
            "stream": _json,
            "stream_options": _json,
            "n": _json,
        },
    )
)
def test_any_json_body_gets_an_answer_or_a_client_error(body: dict, http: httpx.Client) -> None:
    response = http.post("/chat/completions", json=body)
    assert response.status_code in (200, 400, 422), response.text
    if response.status_code != 200:
        assert set(response.json()["error"]) == {"message", "type", "param", "code"}
