"""SSE streams of a run resume from any event id: nothing missed, nothing repeated.

Live token deltas carry ids like ``5:120`` (stored event 5, then 120 characters of
token text); a reconnect with ``Last-Event-ID`` replays the rest from the store and
the live run. Checked against the run's stored events, which are the truth.
"""

from __future__ import annotations

from typing import Any

import httpx
from starlette.testclient import TestClient

from tests.agent_runtime.conformance._graphs import agent, linear
from tests.agent_runtime.executors._graphs import LONG_ANSWER, SCRIPT
from tests.app.api.conftest import auth, parse_sse, save

__all__ = ["SCRIPT"]


def _graph() -> dict[str, Any]:
    """Verbose (a long answer, several stored token events) → Steady (answers after 0.3 s)."""
    return linear("Chatty", agent("verbose", "Verbose"), agent("steady", "Steady"))


def _story(messages: list[dict[str, Any]]) -> tuple[list[tuple[int, str]], str]:
    """What a client learnt: its non-token events (seq, type) in order, and all token text."""
    events = [(m["data"]["seq"], m["data"]["type"]) for m in messages if m["event"] != "token"]
    text = "".join(m["data"]["delta"] for m in messages if m["event"] == "token")
    return events, text


def _stored_story(client: Any, run_id: str, key: str) -> tuple[list[tuple[int, str]], str]:
    page = client.get(f"/api/v1/runs/{run_id}/events", params={"limit": 1000}, headers=auth(key))
    return _story([{"event": e["type"], "data": e} for e in page.json()["events"]])


def test_a_reconnect_from_any_event_id_misses_and_repeats_nothing(
    api: TestClient, key: str
) -> None:
    first = api.post(
        f"/api/v1/graphs/{save(_graph())}/runs?stream=true", json={"input": "go"}, headers=auth(key)
    )
    run_id = first.headers["x-orchestrall-run-id"]
    full = parse_sse(first.text)
    truth = _stored_story(api, run_id, key)
    assert _story(full) == truth and LONG_ANSWER in truth[1]
    live_ids = [m["id"] for m in full if ":" in m["id"]]
    assert len(live_ids) > 10  # token deltas were streamed live, with resumable ids

    url = f"/api/v1/runs/{run_id}/events/stream"
    changes = {i for i in range(1, len(full)) if full[i]["event"] != full[i - 1]["event"]}
    for cut in sorted((changes | {i - 1 for i in changes} | set(range(1, len(full), 5))) - {0}):
        last_id = full[cut - 1]["id"]
        rest = api.get(url, headers={**auth(key), "Last-Event-ID": last_id})
        assert _story(full[:cut] + parse_sse(rest.text)) == truth, f"after {last_id}"
    via_query = api.get(url, params={"after": live_ids[3]}, headers=auth(key))
    cut = next(i for i, m in enumerate(full) if m["id"] == live_ids[3]) + 1
    assert _story(full[:cut] + parse_sse(via_query.text)) == truth


def _read(response: httpx.Response, enough: int | None = None) -> list[dict[str, Any]]:
    """SSE messages as they arrive; stop (hang up) after ``enough`` token messages."""
    buffer, messages = "", []
    for chunk in response.iter_text():
        buffer += chunk
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            messages += parse_sse(block + "\n\n")
            tokens = sum(m["event"] == "token" for m in messages)
            if enough is not None and tokens >= enough:
                return messages
    return messages


def test_a_client_that_hangs_up_mid_run_resumes_live(live_url: str, key: str) -> None:
    graph_id = save(_graph())
    with httpx.Client(base_url=live_url, headers=auth(key), timeout=30) as client:
        with client.stream(
            "POST",
            f"/api/v1/graphs/{graph_id}/runs",
            json={"input": "go"},
            headers={"Accept": "text/event-stream"},
        ) as first:
            assert first.status_code == 200
            run_id = first.headers["x-orchestrall-run-id"]
            before = _read(first, enough=20)  # then hang up, mid-answer
        last_id = before[-1]["id"]
        assert ":" in last_id

        with client.stream(
            "GET", f"/api/v1/runs/{run_id}/events/stream", headers={"Last-Event-ID": last_id}
        ) as second:
            after = _read(second)
        assert after[-1]["event"] == "run_finished"
        assert _story(before + after) == _stored_story(client, run_id, key)
        steady = [m for m in after if m["event"] == "token" and m["data"]["node_id"] == "steady"]
        assert steady and all(":" in m["id"] for m in steady)  # followed live, not replayed
