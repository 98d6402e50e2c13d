"""A model chosen for one run, and what each step received, on every backend."""

from __future__ import annotations

import pytest

from agent_runtime.errors import RunError
from tests.agent_runtime.conformance._graphs import agent, chain, graph, input_node, output_node
from tests.agent_runtime.conformance._harness import Harness

DEMO = {"provider": "demo", "model": "orchestrall-demo"}


def _unreachable_model_graph() -> dict:
    """Two agents whose saved models (one per agent, one default) cannot be reached."""
    spec = graph(
        "Saved elsewhere",
        [input_node(), agent("a", "Alpha"), agent("b", "Beta"), output_node()],
        chain("input", "a", "b", "output"),
    )
    dead = {"provider": "openai_compatible", "base_url": "http://127.0.0.1:9/v1"}
    spec["models"] = [{"id": "far", "model": "far-1", **dead}, {"id": "near", "model": "n", **dead}]
    spec["default_model"] = "far"
    spec["nodes"][2]["model"] = "near"
    return spec


async def test_a_run_on_a_chosen_model_uses_it_for_every_agent(harness: Harness) -> None:
    graph_id = harness.save(_unreachable_model_graph())
    result = await harness.run(graph_id, {"message": "hi"}, model=DEMO)

    assert result.status == "succeeded", result.run.error
    assert result.run.options == {"model": {**DEMO, "id": "run_model"}}
    assert [r.agent for r in harness.server.requests] == ["Alpha", "Beta"]
    assert {r.model for r in harness.server.requests} == {"orchestrall-demo"}
    # The saved graph is untouched: without the choice the run fails at the first agent.
    plain = await harness.run(graph_id, {"message": "hi"})
    assert plain.status == "failed"
    assert plain.run.error["code"] == "model_unavailable"


async def test_a_wrong_model_choice_is_refused_before_the_run(harness: Harness) -> None:
    graph_id = harness.save(_unreachable_model_graph())
    with pytest.raises(RunError, match="provider") as caught:
        harness.start(graph_id, {"message": "hi"}, model={"provider": "nope", "model": "x"})
    assert caught.value.code == "bad_model"
    assert harness.store.list_runs(graph_id=graph_id) == []


async def test_node_started_events_carry_what_the_step_received(harness: Harness) -> None:
    spec = graph(
        "Relay",
        [input_node(), agent("a", "Alpha"), agent("b", "Beta"), output_node()],
        chain("input", "a", "b", "output"),
    )
    result = await harness.run(spec, {"message": "the bees"})

    given = {e.node_id: e.input for e in result.of("node_started")}
    assert given["input"] == "the bees"
    assert given["a"] == "the bees"
    assert given["b"] == result.finished("a")
    assert given["output"] == result.finished("b")
