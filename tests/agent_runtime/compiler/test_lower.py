"""Lowering a spec to the IR, and the capability check that runs before any backend."""

from __future__ import annotations

from typing import Any

import pytest

from agent_runtime.compiler import END, FEATURES, IRGraph, check_capabilities, lower, unsupported
from agent_runtime.errors import UnsupportedFeatureError
from agent_runtime.settings import Settings
from agent_runtime.spec import parse_spec
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

BASE_URL = "http://127.0.0.1:9/v1"


def _lower(spec: dict[str, Any]) -> IRGraph:
    settings = Settings(_env_file=None, default_base_url=BASE_URL)
    return lower(parse_spec(spec), settings=settings, secrets={})


def _approval(*, rejected_edge: bool) -> dict[str, Any]:
    nodes = [input_node(), agent("writer", "Writer"), human("review"), output_node()]
    edges = [*chain("input", "writer", "review"), edge("review", "output", "approved")]
    if rejected_edge:
        edges.append(edge("review", "writer", "rejected"))
    return graph("Approval", nodes, edges)


def _everything() -> dict[str, Any]:
    """One graph using every feature: routers, human steps, memory, tools, fan-out, a loop."""
    nodes = [
        input_node(fields=[{"name": "message"}, {"name": "tier", "required": False}]),
        memory_node("recall", "facts", "retrieve"),
        router(
            "triage",
            [route("gold", condition("equals", field="input.tier", value="gold"))],
            "other",
        ),
        router("pick", [route("a", description="A")], "b", strategy="llm"),
        agent("helper", "Helper", tools=["calc", "orders"], memory=["facts"]),
        tool_node("count", "calc", {"expression": "1 + 1"}),
        human("ask", "input", "More?"),
        human("review", "approval", "OK?"),
        memory_node("save", "facts", "store"),
        output_node(),
    ]
    edges = [
        *chain("input", "recall", "triage"),
        edge("triage", "pick", "gold"),
        edge("triage", "helper", "other"),
        edge("pick", "helper", "a"),
        edge("pick", "count", "b"),
        edge("helper", "ask"),
        edge("helper", "count"),  # fan-out
        edge("ask", "review"),
        edge("count", "review"),
        edge("review", "save", "approved"),
        edge("review", "helper", "rejected"),  # a loop
        edge("save", "output"),
    ]
    tools = [
        builtin_tool("calc", "calculator"),
        {
            "kind": "http",
            "id": "orders",
            "description": "Look up an order.",
            "url": "https://shop.example.com/orders/{order_id}",
            "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}},
            "allowed_hosts": ["shop.example.com"],
        },
    ]
    memories = [{"id": "facts", "type": "long_term"}]
    return graph("Everything", nodes, edges, tools=tools, memories=memories)


def test_a_straight_path_has_targets_predecessors_and_labels() -> None:
    ir = _lower(
        linear(
            "Straight",
            agent("a", "Alpha"),
            tool_node("t", "calc", {}),
            tools=[builtin_tool("calc", "calculator")],
        )
    )

    assert ir.name == "Straight"
    assert ir.entry == "input"
    assert ir.outputs == ("output",)
    assert [n.id for n in ir.nodes] == ["input", "a", "t", "output"]
    assert [n.targets for n in ir.nodes] == [("a",), ("t",), ("output",), ()]
    assert [n.predecessors for n in ir.nodes] == [(), ("input",), ("a",), ("t",)]
    assert [n.label for n in ir.nodes] == ["input", "Alpha", "t", "output"]
    assert not any(n.is_branching for n in ir.nodes)
    assert ir.node("a").model is not None
    assert ir.node("a").model.base_url == BASE_URL
    assert [t.name for t in ir.node("t").tools] == ["calc"]
    assert [f.name for f in ir.input_fields] == ["message"]
    assert ir.limits.max_steps == 25
    assert [e.id for e in ir.endpoints] == ["demo"]
    with pytest.raises(KeyError):
        ir.node("nope")


def test_routers_get_named_routes_and_a_default() -> None:
    ir = _lower(_everything())

    triage = ir.node("triage")
    assert triage.is_branching
    assert dict(triage.routes) == {"gold": "pick", "other": "helper"}
    assert triage.default_route == "other"
    assert triage.targets == ()
    assert triage.model is None  # rules need no model
    pick = ir.node("pick")
    assert dict(pick.routes) == {"a": "helper", "b": "count"}
    assert pick.model is not None  # an LLM router does


@pytest.mark.parametrize("rejected_edge", [True, False])
def test_an_approval_routes_approved_and_rejected(rejected_edge: bool) -> None:
    review = _lower(_approval(rejected_edge=rejected_edge)).node("review")

    expected = "writer" if rejected_edge else END  # no rejected edge: the run ends there
    assert dict(review.routes) == {"approved": "output", "rejected": expected}
    assert review.default_route == "approved"


def test_an_approval_edge_without_a_route_means_approved() -> None:
    nodes = [input_node(), human("review"), output_node()]
    review = _lower(graph("Plain", nodes, chain("input", "review", "output"))).node("review")
    assert dict(review.routes) == {"approved": "output", "rejected": END}


def test_an_input_step_is_not_branching() -> None:
    ask = _lower(_everything()).node("ask")
    assert ask.targets == ("review",)
    assert not ask.is_branching


def test_features_list_what_each_node_uses() -> None:
    ir = _lower(_everything())
    features = set(ir.features)

    assert {
        ("node.input", "input"),
        ("memory.retrieve", "recall"),
        ("router.rules", "triage"),
        ("router.llm", "pick"),
        ("agent.tools", "helper"),
        ("tool.http", "helper"),
        ("agent.memory", "helper"),
        ("fan_out", "helper"),
        ("node.tool", "count"),
        ("human.input", "ask"),
        ("human.approval", "review"),
        ("memory.store", "save"),
        ("node.output", "output"),
    } <= features
    assert {f for f, _ in features} <= set(FEATURES)
    loops = [node for f, node in features if f == "loop"]
    assert len(loops) == 1
    assert loops[0] in {"helper", "ask", "count", "review"}
    plain = {f for f, _ in _lower(linear("Plain", agent("a", "A"))).features}
    assert plain == {"node.input", "node.agent", "node.output"}


def test_a_self_loop_is_a_loop() -> None:
    nodes = [
        input_node(),
        router("again", [route("done", condition("contains", value="x"))], "more"),
        output_node(),
    ]
    edges = [edge("input", "again"), edge("again", "output", "done")]
    edges.append(edge("again", "again", "more"))
    assert ("loop", "again") in _lower(graph("Self", nodes, edges)).features


def test_the_capability_check_names_the_node() -> None:
    ir = _lower(_everything())
    limited = frozenset(FEATURES) - {"human.approval", "router.llm"}

    assert unsupported(ir, "fake", limited) == [
        ("router.llm", "pick"),
        ("human.approval", "review"),
    ]
    with pytest.raises(UnsupportedFeatureError) as info:
        check_capabilities(ir, "fake", limited)

    error = info.value
    assert error.code == "unsupported_feature"
    assert (error.node_id, error.feature) == ("pick", "router.llm")
    assert "The fake backend cannot run this graph" in error.message
    assert "node 'pick' uses LLM routing" in error.message
    assert "node 'review' uses human approval" in error.message
    check_capabilities(ir, "full", frozenset(FEATURES))  # everything supported: no error
