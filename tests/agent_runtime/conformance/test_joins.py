"""Joins receive what reached them, the same on every backend.

A node with several predecessors runs once per wave of its inputs and reads only
the predecessors whose edge was taken: a router's route that was not chosen
brings nothing, even when that route leads straight to the join.
"""

from __future__ import annotations

from tests.agent_runtime.conformance._graphs import (
    agent,
    chain,
    condition,
    edge,
    graph,
    input_node,
    output_node,
    route,
    router,
)
from tests.agent_runtime.conformance._harness import Harness


def _shortcut() -> dict:
    """input → size; "deep" → Analyst → output; default "short" → output directly."""
    size = router("size", [route("deep", condition("contains", value="long"))], default="short")
    nodes = [input_node(), size, agent("analyst", "Analyst"), output_node()]
    edges = [
        edge("input", "size"),
        edge("size", "analyst", "deep"),
        edge("size", "output", "short"),
        edge("analyst", "output"),
    ]
    return graph("Shortcut", nodes, edges)


async def test_a_route_not_taken_brings_nothing_to_the_join(harness: Harness) -> None:
    graph_id = harness.save(_shortcut())

    deep = await harness.run(graph_id, {"message": "a long question"})
    short = await harness.run(graph_id, {"message": "a quick one"})

    assert deep.status == "succeeded", deep.last
    assert deep.started == ["input", "size", "analyst", "output"]
    assert deep.run.output == '[demo model] Analyst: received "a long question"'
    assert short.status == "succeeded", short.last
    assert short.started == ["input", "size", "output"]
    assert short.run.output == "a quick one"


async def test_the_input_feeding_a_join_directly_and_through_a_branch(harness: Harness) -> None:
    nodes = [input_node(), agent("t", "Triage"), agent("j", "Joiner"), output_node()]
    edges = [edge("input", "j"), *chain("input", "t", "j", "output")]

    result = await harness.run(graph("Direct and around", nodes, edges), {"message": "hi"})

    assert result.status == "succeeded", result.last
    assert result.started.count("j") == 1, result.started
    assert result.started.count("output") == 1, result.started
    (joined,) = [e.input for e in result.of("node_started") if e.node_id == "j"]
    assert joined == 'hi\n\n[demo model] Triage: received "hi"'
