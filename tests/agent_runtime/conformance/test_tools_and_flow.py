"""Agents calling tools, loops and fan-out on every backend."""

from __future__ import annotations

from typing import Any

from tests.agent_runtime.conformance._graphs import (
    agent,
    builtin_tool,
    chain,
    condition,
    edge,
    graph,
    input_node,
    linear,
    output_node,
    route,
    router,
)
from tests.agent_runtime.conformance._harness import Harness

MATH = {"system": "You are Mathlete", "last_role": "user"}

SCRIPT = {
    "rules": [
        {
            "name": "one call",
            "when": {**MATH, "task": "single"},
            "tool_calls": [{"name": "calc", "arguments": {"expression": "6 * 7"}}],
        },
        {
            "name": "two calls in one turn",
            "when": {**MATH, "task": "parallel"},
            "tool_calls": [
                {"name": "calc", "arguments": {"expression": "2 + 2"}},
                {"name": "words", "arguments": {"text": "one two three"}},
            ],
        },
        {
            "name": "a bad expression",
            "when": {**MATH, "task": "broken"},
            "tool_calls": [{"name": "calc", "arguments": {"expression": "2 +* 3"}}],
        },
        {
            "name": "never stops calling",
            "when": {"system": "You are Obsessive"},
            "tool_calls": [{"name": "calc", "arguments": {"expression": "1 + 1"}}],
        },
        {"when": {"system": "You are Looper", "task": "draft 2"}, "content": "FINAL draft"},
        {"when": {"system": "You are Looper", "task": "draft 1"}, "content": "draft 2"},
        {"when": {"system": "You are Looper"}, "content": "draft 1"},
        {"when": {"system": "You are Spinner"}, "content": "still working"},
    ]
}

TOOLS = [builtin_tool("calc", "calculator"), builtin_tool("words", "word_count")]


def _math_graph(**agent_fields: Any) -> dict[str, Any]:
    fields = {"tools": ["calc", "words"], **agent_fields}
    return linear("Math", agent("math", "Mathlete", **fields), tools=TOOLS)


async def test_agent_calls_a_tool_and_answers_from_its_result(harness: Harness) -> None:
    result = await harness.run(_math_graph(), {"message": "single: what is 6 times 7"})

    assert result.status == "succeeded"
    (called,) = result.of("tool_called")
    (answered,) = result.of("tool_result")
    assert (called.node_id, called.tool) == ("math", "calc")
    assert called.arguments == {"expression": "6 * 7"}
    assert (answered.node_id, answered.tool, answered.result) == ("math", "calc", "42")
    assert answered.is_error is False
    assert called.call_id == answered.call_id
    assert result.types.index("tool_called") < result.types.index("tool_result")
    assert result.run.output == '[demo model] Mathlete: calc returned "42"'
    first, second = harness.sent_to("Mathlete")
    assert first.tool_names == ["calc", "words"]  # the model sees the spec's tool ids
    assert second.messages[-1]["role"] == "tool"


async def test_two_tool_calls_in_one_turn(harness: Harness) -> None:
    result = await harness.run(_math_graph(), {"message": "parallel please"})

    assert result.status == "succeeded"
    called = sorted((e.tool, tuple(e.arguments.items())) for e in result.of("tool_called"))
    assert called == [("calc", (("expression", "2 + 2"),)), ("words", (("text", "one two three"),))]
    results = sorted((e.tool, e.result) for e in result.of("tool_result"))
    assert results == [("calc", "4"), ("words", "3")]
    assert {e.call_id for e in result.of("tool_called")} == {
        e.call_id for e in result.of("tool_result")
    }
    assert len({e.call_id for e in result.of("tool_called")}) == 2
    assert result.run.output == '[demo model] Mathlete: calc returned "4"; words returned "3"'
    assert len(harness.sent_to("Mathlete")) == 2  # one turn with both calls, then the answer


async def test_a_failing_tool_is_a_result_the_agent_sees(harness: Harness) -> None:
    result = await harness.run(_math_graph(), {"message": "broken sum"})

    assert result.status == "succeeded"
    (answered,) = result.of("tool_result")
    assert answered.is_error is True
    assert answered.result.startswith("error:")
    assert harness.sent_to("Mathlete")[-1].messages[-1]["content"] == answered.result
    assert result.run.output.startswith('[demo model] Mathlete: calc returned "error:')


async def test_max_iterations_caps_the_tool_loop(harness: Harness) -> None:
    spec = linear(
        "Capped",
        agent("obsessive", "Obsessive", tools=["calc"], max_iterations=2),
        tools=TOOLS,
    )

    result = await harness.run(spec, {"message": "go"})

    assert result.status == "succeeded"
    assert len(result.of("tool_called")) == len(result.of("tool_result")) == 2
    assert len(harness.sent_to("Obsessive")) == 3  # two tool rounds, then it must answer
    assert result.run.output == '[demo model] Obsessive: calc returned "2"'


def _loop_graph(name: str, **options: Any) -> dict[str, Any]:
    nodes = [
        input_node(),
        agent("writer", name),
        router("check", [route("done", condition("contains", value="FINAL"))], "again"),
        output_node(),
    ]
    edges = [
        *chain("input", "writer", "check"),
        edge("check", "output", "done"),
        edge("check", "writer", "again"),
    ]
    return graph(f"{name} loop", nodes, edges, **options)


async def test_a_loop_ends_when_its_condition_holds(harness: Harness) -> None:
    result = await harness.run(_loop_graph("Looper"), {"message": "write"})

    assert result.status == "succeeded"
    assert result.started == ["input", *("writer", "check") * 3, "output"]
    assert [result.of("node_finished")[i].output for i in (1, 3, 5)] == [
        "draft 1",
        "draft 2",
        "FINAL draft",
    ]
    assert [e.output for e in result.of("node_finished") if e.node_id == "check"] == [
        "again",
        "again",
        "done",
    ]
    assert result.run.output == "FINAL draft"
    assert result.run.totals.steps == 8


async def test_a_loop_that_never_ends_stops_at_max_steps(harness: Harness) -> None:
    spec = _loop_graph("Spinner", limits={"max_steps": 6})

    result = await harness.run(spec, {"message": "write"})

    assert result.status == "failed"
    failed = result.last
    assert (failed.type, failed.code, failed.limit) == ("run_failed", "limit_exceeded", "max_steps")
    assert failed.node_id in ("writer", "check")
    assert len(result.started) == 6
    assert result.run.error == {
        "code": "limit_exceeded",
        "message": failed.message,
        "node_id": failed.node_id,
        "limit": "max_steps",
    }
    assert "6 steps" in failed.message
    assert result.run.totals.steps == 6
    assert result.run.output is None


async def test_fan_out_branches_all_reach_the_output(harness: Harness) -> None:
    names = {"a": "Alpha", "b": "Beta", "c": "Gamma"}
    nodes = [input_node(), *(agent(i, n) for i, n in names.items()), output_node()]
    edges = [edge("input", i) for i in names] + [edge(i, "output") for i in names]

    result = await harness.run(graph("Fan out", nodes, edges), {"message": "hi"})

    assert result.status == "succeeded"
    assert sorted(result.started[1:4]) == ["a", "b", "c"]
    assert result.started.count("output") == 1
    for name in names.values():
        assert f'[demo model] {name}: received "hi"' in result.run.output
    assert result.finished("output") == result.run.output
    assert {r.agent for r in harness.server.requests} == set(names.values())


async def test_branches_of_different_lengths_join_once(harness: Harness) -> None:
    nodes = [
        input_node(),
        agent("a", "Alpha"),
        agent("b", "Beta"),
        agent("b2", "Beta Two"),
        output_node(),
    ]
    edges = [*chain("input", "a", "output"), *chain("input", "b", "b2", "output")]

    result = await harness.run(graph("Uneven", nodes, edges), {"message": "hi"})

    assert result.status == "succeeded"
    assert result.started.count("output") == 1, result.started
    assert result.started[-1] == "output"
    assert (
        result.finished("b2")
        == '[demo model] Beta Two: received "[demo model] Beta: received "hi""'
    )
    output = result.run.output
    assert '[demo model] Alpha: received "hi"' in output
    assert result.finished("b2") in output


async def test_a_loop_back_edge_brings_only_what_is_new(harness: Harness) -> None:
    """A node reached again by a loop gets the loop's output, not its first input joined in."""
    check = router(
        "check",
        [route("done", condition("contains", value="final"))],
        default="again",
    )
    nodes = [input_node(), agent("w", "Drafter"), check, output_node()]
    edges = [
        edge("input", "w"),
        edge("w", "check"),
        edge("check", "output", "done"),
        edge("check", "w", "again"),
    ]
    spec = graph("Loop", nodes, edges, limits={"max_steps": 12})
    result = await harness.run(spec, {"message": "topic"})

    assert result.status == "failed" and result.last.limit == "max_steps"
    given = [e.input for e in result.of("node_started") if e.node_id == "w"]
    assert given[0] == "topic"
    assert given[1] == '[demo model] Drafter: received "topic"', given[1]
    # What the model heard matches (whatever wrapping a framework adds around a task).
    tasks = [r.task for r in harness.server.requests if r.agent == "Drafter"]
    assert tasks[:2] == given[:2]
