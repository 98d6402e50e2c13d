"""The OpenAI-compatible endpoint, driven by the real ``openai`` client over real HTTP."""

from __future__ import annotations

from collections.abc import Callable

import openai
import pytest
from starlette.testclient import TestClient

from tests.agent_runtime.conformance._graphs import agent, input_node, linear
from tests.agent_runtime.executors._graphs import LONG_ANSWER, SCRIPT, approval_graph, quick_graph
from tests.app.api.conftest import auth, save

__all__ = ["SCRIPT"]


@pytest.fixture
def client(live_url: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{live_url}/v1", api_key=key, max_retries=0, timeout=30)


def test_models_are_the_graphs_the_key_may_use(client: openai.OpenAI) -> None:
    quick = save({**quick_graph(), "name": "Quick Answers"})
    listed = client.models.list().data
    assert [(m.id, m.owned_by) for m in listed] == [(quick, "orchestrall")]
    assert listed[0].model_extra["slug"] == "quick-answers"
    assert client.models.retrieve("quick-answers").id == quick


def test_a_completion_by_slug_or_id_reports_usage(client: openai.OpenAI) -> None:
    graph_id = save({**quick_graph(), "name": "Quick Answers"})
    for model in ("quick-answers", graph_id):
        completion = client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "tell me about bees"}]
        )
        choice = completion.choices[0]
        assert choice.message.role == "assistant" and choice.finish_reason == "stop"
        assert choice.message.content == '[demo model] Alpha: received "tell me about bees"'
        usage = completion.usage
        assert usage is not None and usage.prompt_tokens > 0 and usage.completion_tokens > 0
        assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
        assert completion.id.startswith("chatcmpl-") and completion.model == model


def test_streaming_sends_the_answer_token_by_token(client: openai.OpenAI) -> None:
    save({**linear("Verbose", agent("verbose", "Verbose")), "name": "Verbose"})
    stream = client.chat.completions.create(
        model="verbose",
        messages=[{"role": "user", "content": "go on"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    pieces = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    assert "".join(pieces) == LONG_ANSWER and len(pieces) > 10
    assert chunks[0].choices[0].delta.role == "assistant"
    finishing = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert [c.choices[0].finish_reason for c in finishing] == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert all(c.object == "chat.completion.chunk" for c in chunks)


def test_only_the_answering_nodes_tokens_are_streamed(client: openai.OpenAI) -> None:
    save(linear("Two step", agent("draft", "Drafter"), agent("final", "Finisher")))
    stream = client.chat.completions.create(
        model="two-step", messages=[{"role": "user", "content": "x"}], stream=True
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text.startswith("[demo model] Finisher:") and "Drafter" in text  # the draft is input


def test_earlier_messages_continue_the_conversation(client: openai.OpenAI) -> None:
    save(quick_graph())
    first = client.chat.completions.with_raw_response.create(
        model="quick", messages=[{"role": "user", "content": "hello"}]
    )
    thread = first.headers["x-orchestrall-thread"]
    reply = first.parse().choices[0].message.content
    history = [
        {"role": "system", "content": "be brief"},  # system messages do not change the thread
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": reply},
        {"role": "user", "content": "and then?"},
    ]
    second = client.chat.completions.with_raw_response.create(model="quick", messages=history)
    assert second.headers["x-orchestrall-thread"] == thread
    fresh = client.chat.completions.with_raw_response.create(
        model="quick", messages=[{"role": "user", "content": "hello"}]
    )
    assert fresh.headers["x-orchestrall-thread"] != thread  # a new conversation

    chosen = client.chat.completions.with_raw_response.create(
        model="quick",
        messages=[{"role": "user", "content": "hi"}],
        extra_headers={"X-Orchestrall-Thread": "my-thread-1"},
    )
    assert chosen.headers["x-orchestrall-thread"] == "my-thread-1"


def test_a_human_step_is_asked_and_answered_in_the_chat(client: openai.OpenAI) -> None:
    save(approval_graph())
    asked = client.chat.completions.create(
        model="approval", messages=[{"role": "user", "content": "a post about bees"}]
    )
    question = asked.choices[0].message.content
    assert question.startswith("Publish this?") and "Writer" in question
    assert asked.model_extra["orchestrall"]["status"] == "interrupted"
    history = [
        {"role": "user", "content": "a post about bees"},
        {"role": "assistant", "content": question},
        {"role": "user", "content": "yes, ship it"},
    ]
    stream = client.chat.completions.create(model="approval", messages=history, stream=True)
    answer = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert answer.startswith("[demo model] Publisher:")


def test_structured_input_is_a_json_object_in_the_message(client: openai.OpenAI) -> None:
    spec = linear("Writer", agent("w", "Writer"))
    spec["nodes"][0] = input_node(fields=[{"name": "topic", "type": "text"}])
    save(spec)
    done = client.chat.completions.create(
        model="writer", messages=[{"role": "user", "content": '{"topic": "bees"}'}]
    )
    assert done.choices[0].message.content == '[demo model] Writer: received "topic: bees"'
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model="writer", messages=[{"role": "user", "content": "x"}])
    assert refused.value.code == "bad_input"


def test_errors_come_in_openai_shape(
    client: openai.OpenAI, live_url: str, make_key: Callable[..., str]
) -> None:
    save(quick_graph())
    with pytest.raises(openai.NotFoundError) as unknown:
        client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "x"}])
    assert unknown.value.code == "model_not_found"
    with pytest.raises(openai.BadRequestError) as not_user:
        client.chat.completions.create(
            model="quick", messages=[{"role": "assistant", "content": "x"}]
        )
    assert not_user.value.code == "bad_messages"
    with pytest.raises(openai.BadRequestError) as malformed:
        client.chat.completions.create(model="quick", messages=[])
    assert malformed.value.code == "invalid_request"
    assert malformed.value.body["type"] == "invalid_request_error"

    stranger = openai.OpenAI(base_url=f"{live_url}/v1", api_key="orch_wrong_key", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        stranger.models.list()
    limited = openai.OpenAI(
        base_url=f"{live_url}/v1", api_key=make_key(per_minute=1), max_retries=0
    )
    limited.models.list()
    with pytest.raises(openai.RateLimitError):
        limited.models.list()


def test_chat_completions_over_asgi_need_a_key(api: TestClient, key: str) -> None:
    save(quick_graph())
    body = {"model": "quick", "messages": [{"role": "user", "content": "hi"}]}
    refused = api.post("/v1/chat/completions", json=body)
    assert refused.status_code == 401
    assert refused.json()["error"]["type"] == "authentication_error"
    assert api.post("/v1/chat/completions", json=body, headers=auth(key)).status_code == 200
