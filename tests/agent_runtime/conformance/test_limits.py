"""Limits and cancellation on every backend: every run ends cleanly, with a clear reason."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from agent_runtime.errors import RunStateError
from tests.agent_runtime.conformance._graphs import agent, linear
from tests.agent_runtime.conformance._harness import Harness, Result

SLOW = 1.5

SCRIPT = {
    "rules": [
        {"when": {"system": "You are Sleepy"}, "content": "finally awake", "delay_seconds": SLOW},
    ]
}

THREE_AGENTS = (agent("a", "Alpha"), agent("b", "Beta"), agent("c", "Gamma"))


@pytest.mark.parametrize(
    ("nodes", "limits", "limit", "node_id"),
    [
        (THREE_AGENTS, {"max_steps": 3}, "max_steps", "c"),
        ((agent("a", "Alpha"),), {"max_tokens": 10}, "max_tokens", "a"),
        (
            (agent("sleepy", "Sleepy"), agent("b", "Beta")),
            {"timeout_seconds": 0.5},
            "timeout",
            None,
        ),
    ],
    ids=["max_steps", "max_tokens", "timeout"],
)
async def test_each_limit_fails_the_run_cleanly(
    harness: Harness,
    nodes: tuple[dict[str, Any], ...],
    limits: dict[str, Any],
    limit: str,
    node_id: str | None,
) -> None:
    started = time.monotonic()
    result = await harness.run(linear(f"Limit {limit}", *nodes, limits=limits), {"message": "go"})
    elapsed = time.monotonic() - started

    assert result.status == "failed"
    failed = result.last
    assert (failed.type, failed.code, failed.limit) == ("run_failed", "limit_exceeded", limit)
    if node_id is not None:
        assert failed.node_id == node_id
    assert result.run.error is not None
    assert result.run.error["code"] == "limit_exceeded"
    assert result.run.error["limit"] == limit
    assert result.run.error["message"] == failed.message
    assert result.run.output is None
    assert "run_finished" not in result.types
    assert result.run.totals.model_dump() | {"latency_ms": 0} == failed.totals | {"latency_ms": 0}
    if limit == "timeout":
        assert elapsed < SLOW  # the run does not wait for the slow model
    assert [e.type for e in harness.stored_events(result.run.id)][-1] == "run_failed"


async def test_the_token_limit_counts_every_model_call(harness: Harness) -> None:
    spec = linear("Tokens", *THREE_AGENTS, limits={"max_tokens": 60})

    result = await harness.run(spec, {"message": "go"})

    assert result.status == "failed"
    assert result.last.limit == "max_tokens"
    assert result.run.totals.tokens > 60
    assert result.last.node_id in ("b", "c")  # not the first call alone


async def _execute_in_background(harness: Harness, run_id: str) -> asyncio.Task[Result]:
    task = asyncio.create_task(harness.execute(run_id))
    deadline = time.monotonic() + 10
    while not harness.sent_to("Sleepy"):  # the slow model call is in progress
        assert time.monotonic() < deadline, "the slow model was never called"
        assert not task.done(), task
        await asyncio.sleep(0.01)
    return task


async def test_a_slow_consumer_still_gets_a_clean_timeout(harness: Harness) -> None:
    spec = linear("Slow reader", *THREE_AGENTS, limits={"timeout_seconds": 0.3})
    run = harness.start(spec, {"message": "go"})
    events = []
    async for event in harness.runtime.execute(run.id):
        events.append(event)
        await asyncio.sleep(0.05)  # e.g. sending each event to a slow browser

    assert (events[-1].type, events[-1].limit) == ("run_failed", "timeout")
    assert harness.store.get_run(run.id).status.value == "failed"


@pytest.mark.parametrize("from_thread", [False, True], ids=["same_loop", "other_thread"])
async def test_cancel_during_a_slow_model_call_stops_the_run(
    harness: Harness, from_thread: bool
) -> None:
    spec = linear("Cancel me", agent("sleepy", "Sleepy"), agent("after", "After"))
    run = harness.start(spec, {"message": "go"})
    task = await _execute_in_background(harness, run.id)

    cancelled_at = time.monotonic()
    if from_thread:
        await asyncio.to_thread(harness.runtime.cancel, run.id)
    else:
        harness.runtime.cancel(run.id)
    result = await asyncio.wait_for(task, 10)

    assert time.monotonic() - cancelled_at < SLOW / 2  # the model call is not waited for

    assert result.status == "cancelled"
    assert result.last.type == "run_cancelled"
    assert result.started == ["input", "sleepy"]  # nothing after the cancel point starts
    assert harness.sent_to("After") == []
    assert result.run.output is None
    assert [e.type for e in harness.stored_events(run.id)][-1] == "run_cancelled"
    with pytest.raises(RunStateError):
        harness.runtime.cancel(run.id)  # already ended


async def test_a_queued_run_can_be_cancelled_before_it_runs(harness: Harness) -> None:
    run = harness.start(linear("Queued", agent("a", "Alpha")), {"message": "go"})

    assert harness.runtime.cancel(run.id).status.value == "cancelled"

    with pytest.raises(RunStateError):
        await harness.execute(run.id)
    assert harness.sent_to("Alpha") == []
