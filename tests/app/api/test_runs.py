"""``/api/v1/…/runs``: start (wait or stream), read, page events, answer a human step, cancel."""

from __future__ import annotations

import time

from starlette.testclient import TestClient

from app.services import graphs
from tests.agent_runtime.conformance._graphs import (
    agent,
    chain,
    graph,
    human,
    input_node,
    linear,
    output_node,
)
from tests.agent_runtime.executors._graphs import (
    SCRIPT,
    approval_graph,
    quick_graph,
    slow_graph,
)
from tests.app.api.conftest import auth, parse_sse, save

__all__ = ["SCRIPT"]


def _start(api: TestClient, key: str, graph_id: str, **body: object):
    return api.post(f"/api/v1/graphs/{graph_id}/runs", json=body, headers=auth(key))


def test_a_run_waited_for_returns_its_output_and_totals(api: TestClient, key: str) -> None:
    graph_id = save(quick_graph())
    answer = _start(api, key, graph_id, input="tell me about bees")
    assert answer.status_code == 200
    run = answer.json()
    assert run["status"] == "succeeded" and run["graph_id"] == graph_id
    assert run["output"] == '[demo model] Alpha: received "tell me about bees"'
    assert run["input"] == {"message": "tell me about bees"} and run["error"] is None
    assert run["totals"]["prompt_tokens"] > 0 and run["totals"]["completion_tokens"] > 0
    assert run["interrupt"] is None and run["backend"] == "langgraph"

    again = api.get(f"/api/v1/runs/{run['id']}", headers=auth(key)).json()
    assert again == run
    same = _start(api, key, graph_id, input={"message": "tell me about bees"})
    assert same.json()["output"] == run["output"]


def test_events_are_paged_and_resumable_from_a_seq(api: TestClient, key: str) -> None:
    run = _start(api, key, save(quick_graph()), input="hi").json()
    url = f"/api/v1/runs/{run['id']}/events"
    everything = api.get(url, headers=auth(key)).json()
    types = [e["type"] for e in everything["events"]]
    assert types[0] == "run_started" and types[-1] == "run_finished" and "token" in types
    assert [e["seq"] for e in everything["events"]] == list(range(1, run["last_seq"] + 1))
    assert everything["has_more"] is False and everything["status"] == "succeeded"

    pages, after = [], 0
    while True:
        page = api.get(url, params={"after": after, "limit": 3}, headers=auth(key)).json()
        pages.append(page["events"])
        after = page["next_after"]
        if not page["has_more"]:
            break
    assert [e for p in pages for e in p] == everything["events"]
    assert all(len(p) == 3 for p in pages[:-1])


def test_a_malformed_body_gets_422_listing_every_problem(api: TestClient, key: str) -> None:
    graph_id = save(quick_graph())
    body = {"input": 3, "wait": "maybe", "timeout_seconds": 999, "backend": "x", "extra": 1}
    answer = api.post(f"/api/v1/graphs/{graph_id}/runs", json=body, headers=auth(key))
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_request"
    assert [(p["field"], p["code"]) for p in error["problems"]] == [
        ("body.input", "input_type"),
        ("body.backend", "literal_error"),
        ("body.wait", "bool_parsing"),
        ("body.timeout_seconds", "less_than_equal"),
        ("body.extra", "extra_forbidden"),
    ]
    assert "999" not in answer.text  # values are not echoed
    missing = api.post(f"/api/v1/graphs/{graph_id}/runs", json={}, headers=auth(key))
    assert missing.json()["error"]["problems"][0]["field"] == "body.input"


def test_input_that_does_not_fit_the_graph_gets_422_per_field(api: TestClient, key: str) -> None:
    fields = [{"name": "topic", "type": "text"}, {"name": "words", "type": "number"}]
    spec = linear("Writer", agent("w", "Writer"))
    spec["nodes"][0] = input_node(fields=fields)
    graph_id = save(spec)
    answer = _start(api, key, graph_id, input={"words": "ten", "colour": "red"})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "bad_input" and error["field"] == "input.topic"
    assert [p["field"] for p in error["problems"]] == ["input.topic", "input.words", "input.colour"]
    as_text = _start(api, key, graph_id, input="just a message")
    assert [p["field"] for p in as_text.json()["error"]["problems"]] == [
        "input.topic",
        "input.words",
        "input.message",
    ]
    ok = _start(api, key, graph_id, input={"topic": "bees", "words": 50})
    assert ok.status_code == 200 and ok.json()["status"] == "succeeded"


def test_an_invalid_graph_gets_409_with_its_problems(api: TestClient, key: str) -> None:
    graph_id = save({**quick_graph(), "edges": []})
    answer = _start(api, key, graph_id, input="hi")
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "graph_invalid" and error["problems"]
    assert {"code", "message", "path", "node_id"} <= set(error["problems"][0])


def test_unknown_ids_are_404(api: TestClient, key: str) -> None:
    for method, path in [
        ("POST", "/api/v1/graphs/nope/runs"),
        ("GET", "/api/v1/runs/nope"),
        ("GET", "/api/v1/runs/nope/events"),
        ("GET", "/api/v1/runs/nope/events/stream"),
        ("POST", "/api/v1/runs/nope/answer"),
        ("POST", "/api/v1/runs/nope/cancel"),
    ]:
        body = {"input": "x"} if path.endswith("runs") else {"approved": True}
        answer = api.request(method, path, json=body, headers=auth(key))
        assert answer.status_code == 404, path
        assert answer.json()["error"]["code"] in ("graph_not_found", "run_not_found")


def test_a_spec_version_can_be_chosen(api: TestClient, key: str) -> None:
    graph_id = save(quick_graph())
    graphs.get_store().save_graph(graph_id, linear("Quick", agent("beta", "Beta")))
    old = _start(api, key, graph_id, input="hi", version=1).json()
    new = _start(api, key, graph_id, input="hi").json()
    assert (old["graph_version"], new["graph_version"]) == (1, 2)
    assert "Alpha" in old["output"] and "Beta" in new["output"]
    missing = _start(api, key, graph_id, input="hi", version=9)
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "version"


def test_without_wait_or_past_the_timeout_the_answer_is_202(api: TestClient, key: str) -> None:
    graph_id = save(slow_graph())
    at_once = _start(api, key, graph_id, input="a", wait=False)
    assert at_once.status_code == 202
    run_id = at_once.json()["id"]
    assert at_once.headers["location"] == f"/api/v1/runs/{run_id}"
    api.post(f"/api/v1/runs/{run_id}/cancel", headers=auth(key))

    started = time.monotonic()
    timed_out = _start(api, key, graph_id, input="b", timeout_seconds=0.3)
    assert timed_out.status_code == 202 and time.monotonic() - started < 5
    assert timed_out.json()["status"] in ("queued", "running")
    cancelled = api.post(f"/api/v1/runs/{timed_out.json()['id']}/cancel", headers=auth(key))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = api.post(f"/api/v1/runs/{timed_out.json()['id']}/cancel", headers=auth(key))
    assert again.status_code == 409 and again.json()["error"]["code"] == "run_ended"


def test_a_thread_continues_and_a_busy_thread_is_409(api: TestClient, key: str) -> None:
    graph_id = save(approval_graph())
    first = _start(api, key, graph_id, input="a post", thread_id="customer-42").json()
    assert first["status"] == "interrupted" and first["thread_id"] == "customer-42"
    busy = _start(api, key, graph_id, input="another", thread_id="customer-42")
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "thread_busy"
    bad = _start(api, key, graph_id, input="x", thread_id="no spaces please")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "body.thread_id"


def test_streaming_a_run_sends_its_events_as_sse(api: TestClient, key: str) -> None:
    graph_id = save(quick_graph())
    for params, headers in [
        ({"stream": "true"}, auth(key)),
        ({}, {**auth(key), "Accept": "text/event-stream"}),
    ]:
        answer = api.post(
            f"/api/v1/graphs/{graph_id}/runs", params=params, json={"input": "hi"}, headers=headers
        )
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        run_id = answer.headers["x-orchestrall-run-id"]
        messages = parse_sse(answer.text)
        assert messages[0]["event"] == "run_started" and messages[0]["id"] == "1"
        assert messages[-1]["event"] == "run_finished"
        assert all(m["data"]["run_id"] == run_id for m in messages)
        assert all(m["event"] == m["data"]["type"] for m in messages)
        tokens = "".join(m["data"]["delta"] for m in messages if m["event"] == "token")
        assert tokens == '[demo model] Alpha: received "hi"'
        stored = [m for m in messages if m["event"] != "token"]
        assert [int(m["id"]) for m in stored] == [m["data"]["seq"] for m in stored]


def test_a_human_step_is_answered_over_the_api(api: TestClient, key: str) -> None:
    graph_id = save(approval_graph())
    waiting = _start(api, key, graph_id, input="a post about bees")
    assert waiting.status_code == 200
    run = waiting.json()
    assert run["status"] == "interrupted"
    assert run["interrupt"]["mode"] == "approval" and run["interrupt"]["node_id"] == "review"
    assert run["interrupt"]["prompt"] == "Publish this?"
    assert "Writer" in run["interrupt"]["proposal"]
    url = f"/api/v1/runs/{run['id']}/answer"

    wrong = api.post(url, json={"answer": "sure"}, headers=auth(key))
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "approved"
    neither = api.post(url, json={"comment": "hm"}, headers=auth(key))
    assert neither.status_code == 422 and neither.json()["error"]["code"] == "invalid_request"

    done = api.post(url, json={"approved": True, "comment": "lovely"}, headers=auth(key))
    assert done.status_code == 200
    assert done.json()["status"] == "succeeded" and "Publisher" in done.json()["output"]
    assert done.json()["interrupt"] is None
    late = api.post(url, json={"approved": True}, headers=auth(key))
    assert late.status_code == 409 and late.json()["error"]["code"] == "run_not_waiting"


def test_a_question_step_is_answered_and_followed_by_stream(api: TestClient, key: str) -> None:
    spec = graph(
        "Ask",
        [
            input_node(),
            agent("writer", "Writer"),
            human("ask", "input", "Which tone?"),
            agent("editor", "Editor"),
            output_node(),
        ],
        chain("input", "writer", "ask", "editor", "output"),
    )
    graph_id = save(spec)
    streamed = api.post(
        f"/api/v1/graphs/{graph_id}/runs?stream=true", json={"input": "hi"}, headers=auth(key)
    )
    messages = parse_sse(streamed.text)
    assert messages[-1]["event"] == "interrupt"  # the stream ends where the run waits
    interrupt_id = messages[-1]["id"]
    run_id = streamed.headers["x-orchestrall-run-id"]

    accepted = api.post(
        f"/api/v1/runs/{run_id}/answer",
        json={"answer": "cheerful", "wait": False},
        headers=auth(key),
    )
    assert accepted.status_code == 202
    rest = api.get(
        f"/api/v1/runs/{run_id}/events/stream", params={"after": interrupt_id}, headers=auth(key)
    )
    following = parse_sse(rest.text)
    assert int(following[0]["id"]) == int(interrupt_id) + 1
    assert following[-1]["event"] == "run_finished"
    assert "Editor" in following[-1]["data"]["output"]
    assert 'received "cheerful"' in following[-1]["data"]["output"]


def test_a_bad_event_id_is_422(api: TestClient, key: str) -> None:
    run = _start(api, key, save(quick_graph()), input="hi").json()
    url = f"/api/v1/runs/{run['id']}/events/stream"
    for params, headers, field in [
        ({"after": "x"}, {}, "query.after"),
        ({}, {"Last-Event-ID": "3:x"}, "header.last-event-id"),
    ]:
        answer = api.get(url, params=params, headers={**auth(key), **headers})
        assert answer.status_code == 422 and answer.json()["error"]["field"] == field
    finished = api.get(url, params={"after": run["last_seq"]}, headers=auth(key))
    assert parse_sse(finished.text) == []  # nothing after the final event


def test_a_graph_whose_model_lacks_its_secret_says_which(api: TestClient, key: str) -> None:
    spec = quick_graph()
    spec["models"] = [
        {"id": "gpt", "provider": "openai", "model": "gpt-4o", "api_key_secret": "CRM_OPENAI_KEY"}
    ]
    spec["default_model"] = "gpt"
    answer = _start(api, key, save(spec), input="hi")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "missing_secret"
    assert "CRM_OPENAI_KEY" in answer.json()["error"]["message"]
