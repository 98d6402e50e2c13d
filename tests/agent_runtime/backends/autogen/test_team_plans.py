"""Which AutoGen team a graph becomes: round robin for a straight path, GraphFlow otherwise.

The example specs are snapshot-tested like the LangGraph structures: a change in
how specs map to AutoGen teams shows up as a diff. When it is intended::

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/agent_runtime/backends/autogen/test_team_plans.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from autogen_agentchat.teams import GraphFlow, RoundRobinGroupChat

from agent_runtime.errors import UnsupportedFeatureError
from agent_runtime.spec import load_spec_file
from tests.agent_runtime.backends._offline import EXAMPLES, check_snapshot, compile_offline
from tests.agent_runtime.backends._reference import routed_beside_a_branch
from tests.agent_runtime.conformance._graphs import (
    agent,
    chain,
    condition,
    edge,
    graph,
    human,
    input_node,
    linear,
    output_node,
    route,
    router,
)

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def compile_spec(spec: Any) -> Any:
    return compile_offline(spec, "autogen")


def describe(executable: Any) -> str:
    """The team a run of this graph builds, as reviewable text."""
    plan = executable.plan
    team = plan.team(None, executable.shared)
    lines = [f"team: {type(team).__name__}"]
    lines.append("participants: " + ", ".join(n.id for n in plan.members))
    if plan.fused:
        fused = ", ".join(f"{before} finishes {out.id}" for before, out in plan.fused.items())
        lines.append(f"output finished by: {fused}")
    if plan.entry is not None:
        lines.append(f"entry: {plan.entry}")
    for e in plan.edges:
        condition_text = "" if e.condition is None else f" if {e.condition!r}"
        lines.append(f"edge {e.source} -> {e.target}{condition_text} [group {e.group}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_team_snapshots(path: Path) -> None:
    text = describe(compile_spec(load_spec_file(path)))
    check_snapshot(f"{path.stem}.txt", text, SNAPSHOTS)


def test_a_straight_path_is_a_round_robin_team() -> None:
    executable = compile_spec(linear("Three", agent("a", "A"), agent("b", "B"), agent("c", "C")))

    team = executable.plan.team(None, executable.shared)

    assert isinstance(team, RoundRobinGroupChat)
    assert [n.id for n in executable.plan.members] == ["a", "b", "c"]  # output: c finishes it
    assert team._max_turns == 3


def test_branches_are_a_graph_flow_with_route_conditions() -> None:
    nodes = [
        input_node(),
        router("pick", [route("x", condition("contains", value="x"))], "y"),
        agent("a", "A"),
        agent("b", "B"),
        output_node(),
    ]
    edges = [
        edge("input", "pick"),
        edge("pick", "a", "x"),
        edge("pick", "b", "y"),
        *chain("a", "output"),
        edge("b", "output"),
    ]
    executable = compile_spec(graph("Routes", nodes, edges))

    team = executable.plan.team(None, executable.shared)

    assert isinstance(team, GraphFlow)
    into_output = [e for e in executable.plan.edges if e.target == "output"]
    assert len({e.group for e in into_output}) == 2  # alternatives: either one activates it


def test_parallel_branches_join_in_one_activation_group() -> None:
    nodes = [input_node(), agent("a", "A"), agent("b", "B"), agent("b2", "B2"), output_node()]
    edges = [*chain("input", "a", "output"), *chain("input", "b", "b2", "output")]
    executable = compile_spec(graph("Uneven", nodes, edges))

    plan = executable.plan
    into_output = [e for e in plan.edges if e.target == "output"]
    assert plan.input_in_team  # the input leads to two nodes: it starts the flow
    assert {e.source for e in into_output} == {"a", "b2"}
    assert len({e.group for e in into_output}) == 1  # waits for both branches


def test_a_human_step_can_wait_on_an_edge_to_itself() -> None:
    spec = graph(
        "Ask",
        [input_node(), human("ask", "input", "Who?"), agent("a", "A"), output_node()],
        chain("input", "ask", "a", "output"),
    )
    plan = compile_spec(spec).plan

    waiting = [e for e in plan.edges if e.source == e.target == "ask"]
    assert len(waiting) == 1
    assert waiting[0].group.endswith("~waiting")


def test_a_join_of_a_conditional_and_a_parallel_branch_is_refused() -> None:
    """GraphFlow cannot wait for a branch that may not come: refused before anything runs."""
    with pytest.raises(UnsupportedFeatureError) as info:
        compile_spec(routed_beside_a_branch())

    assert (info.value.node_id, info.value.feature) == ("output", "fan_out")
    assert "GraphFlow" in info.value.message
