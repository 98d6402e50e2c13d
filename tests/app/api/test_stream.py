"""SSE details: event ids (positions) and the keep-alive of a stream that waits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from app.api.v1._stream import Position, run_events
from tests.agent_runtime.executors._graphs import SCRIPT, approval_graph
from tests.app.api.conftest import auth, save

__all__ = ["SCRIPT"]


@pytest.mark.parametrize(
    ("text", "position"),
    [("0", Position(0)), ("12", Position(12)), ("12:340", Position(12, 340)), (" 7 ", Position(7))],
)
def test_event_ids_are_read_and_written_back(text: str, position: Position) -> None:
    assert Position.parse(text) == position
    assert Position.parse(str(position)) == position


@pytest.mark.parametrize("text", ["", "x", "1:", ":3", "-1", "1:2:3", "1.5", "9" * 13])
def test_anything_else_is_not_an_event_id(text: str) -> None:
    with pytest.raises(ValueError):
        Position.parse(text)


async def test_a_stream_waiting_on_a_person_sends_keepalives(
    api: TestClient, make_key: Callable[..., str]
) -> None:
    graph_id = save(approval_graph())
    run = api.post(
        f"/api/v1/graphs/{graph_id}/runs", json={"input": "a post"}, headers=auth(make_key())
    ).json()
    assert run["status"] == "interrupted"
    stream = run_events(run["id"], Position(run["last_seq"]), keepalive=0.05)
    try:
        got = [await asyncio.wait_for(anext(stream), 5) for _ in range(3)]
    finally:
        await stream.aclose()
    assert got == [b"retry: 2000\n\n", b": keepalive\n\n", b": keepalive\n\n"]
