"""AutoGen runs beyond the conformance suite: shapes it does not cover, run on both backends.

Each test runs a spec through the real ``Runtime`` against the demo model over
HTTP and compares what a user sees (outputs, node order, statuses, error codes)
with the LangGraph backend, the reference.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from agent_runtime.spec import load_spec_file
from tests.agent_runtime.backends._reference import (
    MATHLETE,
    fan_out_after_an_agent,
    on_both,
    what_a_user_sees,
)
from tests.agent_runtime.conformance._graphs import (
    agent,
    builtin_tool,
    chain,
    graph,
    human,
    input_node,
    linear,
    output_node,
)
from tests.agent_runtime.conformance._harness import MakeHarness
from tests.agent_runtime.conformance._servers import dead_base_url, serving

EXAMPLES = Path(__file__).resolve().parents[4] / "examples"

SCRIPT = {
    "rules": [
        MATHLETE,
        {
            "when": {"system": "You are Fetcher", "last_role": "user"},
            "tool_calls": [{"name": "lookup", "arguments": {"topic": "bees"}}],
        },
    ]
}


async def _on_both(make_harness: MakeHarness, spec: dict[str, Any], message: str) -> list[Any]:
    """The results of ``spec`` on LangGraph, then on AutoGen."""
    return [result for _, result in await on_both(make_harness, "autogen", spec, message)]


async def test_a_join_agent_after_a_later_fan_out_matches_langgraph(
    make_harness: MakeHarness,
) -> None:
    reference, ours = await _on_both(make_harness, fan_out_after_an_agent(), "plan a trip")

    assert ours.status == "succeeded"
    assert ours.run.output == reference.run.output
    assert sorted(ours.started) == sorted(reference.started)
    assert ours.started[:2] == ["input", "lead"] and ours.started[-2:] == ["join", "output"]
    joined = ours.of("node_started")[-2].input
    assert ours.finished("a") in joined and ours.finished("b2") in joined


async def test_tools_and_memory_in_a_straight_path_match_langgraph(
    make_harness: MakeHarness,
) -> None:
    spec = linear(
        "Straight",
        agent("math", "Mathlete", tools=["calc"]),
        {"id": "remember", "kind": "memory", "memory": "facts", "operation": "store"},
        {"id": "twice", "kind": "tool", "tool": "calc", "arguments": {"expression": "2 * 21"}},
        tools=[builtin_tool("calc", "calculator")],
        memories=[{"id": "facts", "type": "long_term"}],
    )
    reference, ours = await _on_both(make_harness, spec, "single")

    assert what_a_user_sees(ours) == what_a_user_sees(reference)
    assert [(e.tool, e.result) for e in ours.of("tool_result")] == [("calc", "42"), ("calc", "42")]


async def test_a_waiting_branch_resumes_after_a_restart_and_the_join_waits_for_both(
    make_harness: MakeHarness,
) -> None:
    """The GraphFlow's own saved state keeps the join waiting for the branch that paused."""
    nodes = [
        input_node(),
        agent("lead", "Lead"),
        human("ask", "input", "Anything to add?"),
        agent("a", "Alpha"),
        agent("b", "Beta"),
        output_node(),
    ]
    edges = [
        *chain("input", "lead", "ask", "a", "output"),
        *chain("lead", "b", "output"),
    ]
    spec = graph("Pause one branch", nodes, edges)
    outcomes = []
    for backend in ("langgraph", "autogen"):
        harness = await make_harness(backend)
        waiting = await harness.run(spec, {"message": "the plan"})
        assert waiting.status == "interrupted"
        assert sorted(waiting.started) == ["ask", "b", "input", "lead"]
        await harness.restart()
        done = await harness.execute(waiting.run.id, resume={"answer": "add snacks"})
        outcomes.append((waiting, done))

    (ref_wait, ref_done), (wait, done) = outcomes
    assert wait.types == ref_wait.types
    assert done.types == ref_done.types
    assert done.status == ref_done.status == "succeeded"
    assert done.started == ref_done.started == ["a", "output"]
    assert done.run.totals.steps == ref_done.run.totals.steps == 6
    # The join waited for the branch that ran before the pause, restored from the
    # GraphFlow's saved state. (``a`` receives exactly the answer, its only
    # predecessor's output; LangGraph also joins b's output into it there, because
    # its resumed step reuses b's step number: see docs/backend-autogen.md.)
    assert done.of("node_started")[0].input == "add snacks"
    assert done.run.output == f"{done.finished('a')}\n\n{wait.finished('b')}"


async def test_a_thread_keeps_a_turn_that_waited_for_a_person(make_harness: MakeHarness) -> None:
    spec = graph(
        "Ask then answer",
        [input_node(), human("ask", "input", "Who?"), agent("chat", "Chatty"), output_node()],
        chain("input", "ask", "chat", "output"),
    )
    harness = await make_harness()
    graph_id = harness.save(spec)
    waiting = await harness.run(graph_id, {"message": "first question"}, thread_id="t")
    await harness.execute(waiting.run.id, resume={"answer": "for Ada"})
    again = await harness.run(graph_id, {"message": "second question"}, thread_id="t")
    await harness.execute(again.run.id, resume={"answer": "for Bob"})

    last = harness.sent_to("Chatty")[-1]
    assert "first question" in last.text  # the earlier turn is history now
    assert last.texts("user")[-1] == "for Bob"


async def test_without_token_streaming_a_dead_endpoint_still_names_the_node(
    make_harness: MakeHarness,
) -> None:
    harness = await make_harness(base_url=dead_base_url())
    run = harness.start(linear("One", agent("helper", "Helper")), {"message": "hi"})

    events = [e async for e in harness.runtime.execute(run.id, stream_tokens=False)]

    failed = events[-1]
    assert (failed.type, failed.code, failed.node_id) == (
        "run_failed",
        "model_unavailable",
        "helper",
    )


async def test_runs_reuse_the_model_client_and_never_start_an_event_loop(
    make_harness: MakeHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness = await make_harness()
    graph_id = harness.save(linear("Relay", agent("a", "Alpha"), agent("b", "Beta")))
    executable = harness.runtime.prepare(harness.store.get_spec(graph_id, 1), "autogen")
    (client,) = executable.shared._clients.values()  # both agents, one endpoint

    def no_new_loop(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a run must not create an event loop")

    monkeypatch.setattr(asyncio, "new_event_loop", no_new_loop)
    monkeypatch.setattr(asyncio, "run", no_new_loop)
    for _ in range(3):
        result = await harness.run(graph_id, {"message": "hi"})
        assert result.status == "succeeded"

    assert list(executable.shared._clients.values()) == [client]


async def test_a_failing_human_resume_without_saved_state_is_a_clear_error(
    make_harness: MakeHarness,
) -> None:
    spec = graph(
        "Ask",
        [input_node(), human("ask", "input", "Who?"), output_node()],
        chain("input", "ask", "output"),
    )
    harness = await make_harness()
    waiting = await harness.run(spec, {"message": "hello"})
    harness.store.put_thread_state(waiting.run.thread_id, "autogen", {"history": []})

    done = await harness.execute(waiting.run.id, resume={"answer": "x"})

    assert done.status == "failed"
    assert done.run.error["code"] == "run_state"


async def test_the_content_approval_example_rejects_then_approves_like_langgraph(
    make_harness: MakeHarness,
) -> None:
    """A rejection loops back to the writer and waits again; each wait resumes in turn."""
    spec = load_spec_file(EXAMPLES / "content_approval.json")
    seen = []
    for backend in ("langgraph", "autogen"):
        harness = await make_harness(backend)
        first = await harness.run(spec, {"message": "tides", "audience": "surfers"})
        again = await harness.execute(
            first.run.id, resume={"approved": False, "comment": "shorter"}
        )
        await harness.restart()
        done = await harness.execute(first.run.id, resume={"approved": True})
        seen.append([what_a_user_sees(r) for r in (first, again, done)])

    reference, ours = seen
    assert ours == reference
    assert [s[0] for s in ours] == ["interrupted", "interrupted", "succeeded"]


async def test_runs_of_one_compiled_graph_can_overlap(make_harness: MakeHarness) -> None:
    """Each run has its own team; the model client and tools are shared safely."""
    harness = await make_harness()
    graph_id = harness.save(linear("Relay", agent("a", "Alpha"), agent("b", "Beta")))

    results = await asyncio.gather(
        *(harness.run(graph_id, {"message": f"topic {i}"}) for i in range(4))
    )

    for i, result in enumerate(results):
        assert result.status == "succeeded"
        assert result.started == ["input", "a", "b", "output"]
        assert f"topic {i}" in result.run.output


class _Facts(BaseHTTPRequestHandler):
    """A tiny site answering ``GET /facts/<topic>`` with a fact (``/slow/...``: after 3 s)."""

    def do_GET(self) -> None:
        if self.path.startswith("/slow/"):
            time.sleep(3)
        body = f"fact about {self.path.rsplit('/', 1)[-1]}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def facts_url() -> Iterator[str]:
    with serving(_Facts) as url:
        yield url


async def test_an_agent_calls_an_http_tool_like_on_langgraph(
    make_harness: MakeHarness, facts_url: str
) -> None:
    lookup = _lookup(f"{facts_url}/facts/{{topic}}")
    spec = linear("Fetch", agent("fetch", "Fetcher", tools=["lookup"]), tools=[lookup])

    reference, ours = await _on_both(make_harness, spec, "tell me about bees")

    assert what_a_user_sees(ours) == what_a_user_sees(reference)
    (result,) = ours.of("tool_result")
    assert (result.tool, result.result) == ("lookup", "HTTP 200\nfact about bees")


def _lookup(url: str) -> dict[str, Any]:
    return {
        "kind": "http",
        "id": "lookup",
        "description": "Look a topic up.",
        "url": url,
        "parameters": {"type": "object", "properties": {"topic": {"type": "string"}}},
        "allowed_hosts": ["127.0.0.1"],
    }


async def test_cancel_during_a_slow_tool_step_stops_at_once(
    make_harness: MakeHarness, facts_url: str
) -> None:
    step = {"id": "slow", "kind": "tool", "tool": "lookup", "arguments": {"topic": "bees"}}
    spec = linear("Slow tool", step, tools=[_lookup(f"{facts_url}/slow/{{topic}}")])
    harness = await make_harness()
    run = harness.start(spec, {"message": "go"})
    task = asyncio.create_task(harness.execute(run.id))
    while not harness.stored_events(run.id) or harness.stored_events(run.id)[-1].node_id != "slow":
        await asyncio.sleep(0.02)

    cancelled_at = time.monotonic()
    harness.runtime.cancel(run.id)
    result = await asyncio.wait_for(task, 10)

    assert time.monotonic() - cancelled_at < 1  # the HTTP call is not waited for
    assert result.status == "cancelled"
    assert result.started == ["input", "slow"]
