"""The event log on every backend: stored in order, tokens coalesced, totals that add up."""

from __future__ import annotations

from collections import defaultdict

from agent_runtime.events import event_from_record
from tests.agent_runtime.conformance._graphs import (
    agent,
    builtin_tool,
    chain,
    edge,
    graph,
    input_node,
    output_node,
    route,
    router,
)
from tests.agent_runtime.conformance._harness import Harness

LONG_ANSWER = " ".join(f"word{i}" for i in range(300))  # about 2,000 characters

SCRIPT = {
    "rules": [
        {"when": {"system": "You are Verbose"}, "content": LONG_ANSWER},
        {
            "when": {"system": "You are Mathlete", "last_role": "user"},
            "tool_calls": [{"name": "calc", "arguments": {"expression": "6 * 7"}}],
        },
        {"when": {"system": "You are Picker"}, "content": "long"},
    ]
}


def _busy_graph() -> dict:
    """An LLM router, a tool-using agent and a long-winded agent: every kind of event."""
    nodes = [
        input_node(),
        router("pick", [route("long", description="Long answers")], "short", strategy="llm"),
        agent("math", "Mathlete", tools=["calc"]),
        agent("verbose", "Verbose"),
        agent("brief", "Brief"),
        output_node(),
    ]
    nodes[1]["label"] = "Picker"
    edges = [
        *chain("input", "pick"),
        edge("pick", "math", "long"),
        edge("pick", "brief", "short"),
        *chain("math", "verbose", "output"),
        edge("brief", "output"),
    ]
    return graph("Busy", nodes, edges, tools=[builtin_tool("calc", "calculator")])


async def test_events_are_stored_in_order_with_tokens_coalesced(harness: Harness) -> None:
    result = await harness.run(_busy_graph(), {"message": "tell me everything"})
    assert result.status == "succeeded"
    assert result.started == ["input", "pick", "math", "verbose", "output"]

    stored = harness.stored_events(result.run.id)

    assert [e.seq for e in stored] == list(range(1, len(stored) + 1))
    # Everything but token deltas is stored exactly as it was streamed, in order.
    streamed = [e for e in result.events if e.type != "token"]
    kept = [e for e in stored if e.type != "token"]
    assert [(e.type, e.node_id) for e in kept] == [(e.type, e.node_id) for e in streamed]
    assert [e.seq for e in kept] == [e.seq for e in streamed]
    for record, event in zip(kept, streamed, strict=True):
        rebuilt = event_from_record(
            record.run_id, record.seq, record.type, record.node_id, record.payload
        )
        assert rebuilt == event.model_copy(update={"run_id": result.run.id})
    # Token deltas: streamed one by one, stored coalesced; the text is the node's output.
    streamed_tokens = result.of("token")
    stored_tokens = [e for e in stored if e.type == "token"]
    assert 0 < len(stored_tokens) < len(streamed_tokens)
    text: dict[str, str] = defaultdict(str)
    for record in stored_tokens:
        text[record.node_id] += record.payload["delta"]
    live: dict[str, str] = defaultdict(str)
    for event in streamed_tokens:
        live[event.node_id] += event.delta
    assert text == live
    assert text["verbose"] == result.finished("verbose") == LONG_ANSWER
    assert text["math"] == result.finished("math")
    # Tokens of a node are stored between its start and its finish.
    for record in stored_tokens:
        around = [e.type for e in stored if e.node_id == record.node_id]
        assert around[0] == "node_started"
        assert around[-1] == "node_finished"


async def test_run_totals_match_the_events(harness: Harness) -> None:
    result = await harness.run(_busy_graph(), {"message": "tell me everything"})

    totals = result.run.totals
    finished = result.of("node_finished")
    assert totals.steps == len(result.of("node_started")) == 5
    assert [e.step for e in result.of("node_started")] == [1, 2, 3, 4, 5]
    assert totals.prompt_tokens == sum(e.prompt_tokens for e in finished)
    assert totals.completion_tokens == sum(e.completion_tokens for e in finished)
    assert totals.tokens == totals.prompt_tokens + totals.completion_tokens
    model_nodes = {e.node_id for e in finished if e.prompt_tokens}
    assert model_nodes == {"pick", "math", "verbose"}  # the router's model call counts too
    final = result.last
    assert final.type == "run_finished"
    assert final.totals["tokens"] == totals.tokens
    assert final.totals["steps"] == totals.steps
    assert final.output == result.run.output
    assert totals.latency_ms > 0
