"""CrewAI runs beyond the conformance suite, compared with LangGraph (the reference).

Each test runs a spec through the real ``Runtime`` against the demo model over
HTTP and compares what a user sees (outputs, node order, node outputs, event
types, statuses) on both backends, or checks what only CrewAI's mapping has
(a crew's prompts, Flow-only refusals).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent_runtime.errors import UnsupportedFeatureError
from agent_runtime.spec import load_spec_file
from tests.agent_runtime.backends._reference import (
    MATHLETE,
    fan_out_after_an_agent,
    on_both,
    routed_beside_a_branch,
    what_a_user_sees,
)
from tests.agent_runtime.conformance._graphs import (
    agent,
    builtin_tool,
    chain,
    condition,
    edge,
    graph,
    human,
    input_node,
    linear,
    memory_node,
    output_node,
    route,
    router,
    tool_node,
)
from tests.agent_runtime.conformance._harness import Harness, MakeHarness, Result

EXAMPLES = Path(__file__).resolve().parents[4] / "examples"

SCRIPT = {
    "rules": [
        MATHLETE,
        {"when": {"system": "You are Polisher", "task": "draft 2"}, "content": "FINAL text"},
        {"when": {"system": "You are Polisher", "task": "draft 1"}, "content": "draft 2"},
        {"when": {"system": "You are Polisher"}, "content": "draft 1"},
    ]
}


async def _on_both(
    make_harness: MakeHarness, spec: dict[str, Any], message: str
) -> list[tuple[Harness, Result]]:
    """``spec`` on LangGraph, then on CrewAI: each harness and its result."""
    return await on_both(make_harness, "crewai", spec, message)


@pytest.mark.parametrize(
    ("example", "message"),
    [
        ("research_crew", "bees"),
        ("support_triage", "my invoice is wrong"),
        ("support_triage", "the app keeps crashing"),
        ("support_triage", "hello there"),
    ],
)
async def test_the_examples_match_langgraph(
    make_harness: MakeHarness, example: str, message: str
) -> None:
    spec = load_spec_file(EXAMPLES / f"{example}.json")
    (_, reference), (_, ours) = await _on_both(make_harness, spec, message)

    assert ours.status == "succeeded"
    assert what_a_user_sees(ours) == what_a_user_sees(reference)


@pytest.mark.parametrize(
    "answer",
    [{"approved": True, "comment": "ship it"}, {"approved": False, "comment": "too long"}],
    ids=["approved", "rejected"],
)
async def test_the_approval_example_matches_langgraph_across_a_restart(
    make_harness: MakeHarness, answer: dict[str, Any]
) -> None:
    spec = load_spec_file(EXAMPLES / "content_approval.json")
    outcomes = []
    for harness, waiting in await _on_both(make_harness, spec, "launch day"):
        assert waiting.status == "interrupted"
        await harness.restart()
        outcomes.append((waiting, await harness.execute(waiting.run.id, resume=answer)))

    (ref_wait, ref_done), (wait, done) = outcomes
    assert what_a_user_sees(wait) == what_a_user_sees(ref_wait)
    assert (wait.last.type, wait.last.proposal) == ("interrupt", ref_wait.last.proposal)
    assert what_a_user_sees(done) == what_a_user_sees(ref_done)
    assert done.run.totals.steps == ref_done.run.totals.steps


async def test_tools_memory_and_a_chain_in_a_straight_path_match_langgraph(
    make_harness: MakeHarness,
) -> None:
    spec = linear(
        "Straight",
        agent("math", "Mathlete", tools=["calc"]),
        agent("checker", "Checker"),
        memory_node("remember", "facts", "store"),
        tool_node("twice", "calc", {"expression": "2 * 21"}),
        agent("reporter", "Reporter", memory=["facts"]),
        tools=[builtin_tool("calc", "calculator")],
        memories=[{"id": "facts", "type": "long_term"}],
    )
    (_, reference), (_, ours) = await _on_both(make_harness, spec, "single")

    assert what_a_user_sees(ours) == what_a_user_sees(reference)
    assert [(e.tool, e.result) for e in ours.of("tool_result")] == [("calc", "42"), ("calc", "42")]


def _revise_loop() -> dict[str, Any]:
    """A chain of two agents (one crew) inside a loop that ends on a condition."""
    nodes = [
        input_node(),
        agent("polish", "Polisher"),
        agent("proof", "Proofreader"),
        router("check", [route("done", condition("contains", value="FINAL"))], "again"),
        output_node(),
    ]
    edges = [
        *chain("input", "polish", "proof", "check"),
        edge("check", "output", "done"),
        edge("check", "polish", "again"),
    ]
    return graph("Revise", nodes, edges)


async def test_a_loop_through_a_crew_matches_langgraph(make_harness: MakeHarness) -> None:
    (_, reference), (_, ours) = await _on_both(make_harness, _revise_loop(), "write")

    assert ours.status == "succeeded"
    assert what_a_user_sees(ours) == what_a_user_sees(reference)
    assert ours.started == ["input", *("polish", "proof", "check") * 3, "output"]
    assert ours.run.totals.steps == reference.run.totals.steps == 11


async def test_a_loop_back_edge_brings_only_what_is_new(make_harness: MakeHarness) -> None:
    """The conformance test of the same name, read through CrewAI's task prompt.

    CrewAI sends a task as "Current Task: <task>" with its own criteria around it,
    so the model's *task* (what the demo model answers) is compared, not the raw
    last message.
    """
    nodes = [
        input_node(),
        agent("w", "Drafter"),
        router("check", [route("done", condition("contains", value="final"))], "again"),
        output_node(),
    ]
    edges = [*chain("input", "w", "check"), edge("check", "output", "done")]
    edges.append(edge("check", "w", "again"))
    harness = await make_harness()
    spec = graph("Loop", nodes, edges, limits={"max_steps": 12})
    result = await harness.run(spec, {"message": "topic"})

    assert result.status == "failed" and result.last.limit == "max_steps"
    sent = harness.sent_to("Drafter")
    assert sent[0].messages[-1]["content"].startswith("\nCurrent Task: topic\n\n")
    first = '[demo model] Drafter: received "topic"'
    assert sent[1].messages[-1]["content"].startswith(f"\nCurrent Task: {first}\n\n")
    drafts = [e.input for e in result.of("node_started") if e.node_id == "w"]
    assert drafts[:2] == ["topic", first]


async def test_parallel_branches_with_routing_are_refused_naming_the_fan_out(
    make_harness: MakeHarness,
) -> None:
    """A Flow cannot wait at a join for every branch that will still come."""
    harness = await make_harness()
    graph_id = harness.save(routed_beside_a_branch())

    with pytest.raises(UnsupportedFeatureError) as info:
        harness.runtime.start(graph_id, {"message": "hi"}, backend="crewai")

    assert (info.value.node_id, info.value.feature) == ("input", "fan_out")
    assert "pick" in info.value.message
    assert harness.store.list_runs(graph_id=graph_id) == []
    langgraph = await make_harness("langgraph", store=harness.store)
    reference = await langgraph.run(graph_id, {"message": "hi"})
    assert reference.status == "succeeded"  # LangGraph runs it


async def test_a_human_input_inside_a_chain_resumes_after_a_restart_on_a_thread(
    make_harness: MakeHarness,
) -> None:
    spec = graph(
        "Ask in between",
        [
            input_node(),
            agent("lead", "Lead"),
            human("ask", "input", "Anything to add?"),
            agent("a", "Alpha"),
            agent("b", "Beta"),
            output_node(),
        ],
        chain("input", "lead", "ask", "a", "b", "output"),
    )
    outcomes = []
    for backend in ("langgraph", "crewai"):
        harness = await make_harness(backend)
        graph_id = harness.save(spec)
        first = await harness.run(graph_id, {"message": "the plan"}, thread_id="t")
        await harness.restart()
        done = await harness.execute(first.run.id, resume={"answer": "add snacks"})
        again = await harness.run(graph_id, {"message": "and drinks?"}, thread_id="t")
        outcomes.append((first, done, again))

    for ref, ours in zip(*outcomes, strict=True):
        assert what_a_user_sees(ours) == what_a_user_sees(ref)
    # The second run's lead sees the first turn, as CrewAI writes a conversation into a task.
    task = harness.sent_to("Lead")[-1].texts("user")[-1]
    assert task.startswith("\nCurrent Task: and drinks?\n\n")
    assert "User: the plan\n" in task
    assert f"Assistant: {outcomes[1][1].run.output}" in task


async def test_a_failed_run_still_leaves_its_turn_in_the_thread(make_harness: MakeHarness) -> None:
    spec = linear("Short", agent("a", "Alpha"), agent("b", "Beta"), limits={"max_steps": 3})
    seen = {}
    for backend in ("langgraph", "crewai"):
        harness = await make_harness(backend)
        graph_id = harness.save(spec)
        first = await harness.run(graph_id, {"message": "first"}, thread_id="t")
        second = await harness.run(graph_id, {"message": "second"}, thread_id="t")
        assert first.status == second.status == "failed"  # the output is step 4
        seen[backend] = harness.sent_to("Alpha")[-1]

    assert "first" in seen["langgraph"].texts("user")[0]
    assert "User: first" in seen["crewai"].texts("user")[-1]


async def test_parallel_crews_and_a_join_agent_match_langgraph(make_harness: MakeHarness) -> None:
    """input → lead → (a | b → b2) → joiner → output: two crews at once, then a join crew."""
    spec = fan_out_after_an_agent()
    (_, reference), (_, ours) = await _on_both(make_harness, spec, "a trip")

    assert ours.status == "succeeded"
    assert ours.run.output == reference.run.output
    assert sorted(ours.started) == sorted(reference.started)
    assert ours.started[:2] == ["input", "lead"] and ours.started[-2:] == ["join", "output"]
    finished = {e.node_id: e.output for e in ours.of("node_finished")}
    assert finished == {e.node_id: e.output for e in reference.of("node_finished")}
    joined = ours.of("node_started")[-2].input
    assert joined == f"{finished['a']}\n\n{finished['b2']}"
