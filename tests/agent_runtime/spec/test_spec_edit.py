"""Spec edits as the canvas makes them: pure, id-safe, and valid where they should be."""

from __future__ import annotations

import copy

import pytest

from agent_runtime.spec import (
    NODE_KINDS,
    add_node,
    apply_ops,
    auto_layout,
    connect,
    copy_nodes,
    delete_items,
    duplicate_nodes,
    move_nodes,
    new_graph_spec,
    paste_nodes,
    set_graph_field,
    set_node_field,
    validate,
)


@pytest.fixture
def pipeline():
    """input → agent-1 → output, built with the edit functions."""
    spec = delete_items(new_graph_spec("p"), edge_ids=["e-input-output"])
    spec, agent = add_node(spec, "agent", {"x": 300, "y": 0})
    spec, _ = connect(spec, "input", agent)
    spec, _ = connect(spec, agent, "output")
    assert validate(spec) == []
    return spec


def test_edits_never_mutate_their_input(pipeline):
    before = copy.deepcopy(pipeline)
    add_node(pipeline, "tool")
    move_nodes(pipeline, {"agent-1": {"x": 1, "y": 2}})
    connect(pipeline, "agent-1", "agent-1")
    delete_items(pipeline, ["agent-1"])
    duplicate_nodes(pipeline, ["agent-1"])
    set_node_field(pipeline, "agent-1", "name", "X")
    set_graph_field(pipeline, "limits.max_steps", 3)
    auto_layout(pipeline)
    assert pipeline == before


@pytest.mark.parametrize("kind", NODE_KINDS)
def test_every_kind_can_be_added_with_defaults(kind):
    spec, node_id = add_node(new_graph_spec("k"), kind, {"x": 10, "y": 20})
    node = next(n for n in spec["nodes"] if n["id"] == node_id)
    assert node["kind"] == kind and node_id.startswith(kind + "-")
    assert spec["layout"]["positions"][node_id] == {"x": 10, "y": 20}
    codes = {p.code for p in validate(spec) if p.node_id == node_id}
    assert "wrong_type" not in codes and "missing_field" not in codes, codes


def test_ids_are_fresh(pipeline):
    spec, first = add_node(pipeline, "agent")
    spec, second = add_node(spec, "agent")
    assert len({first, second, "agent-1"}) == 3


def test_connect_refuses_nonsense_and_moves_a_route(pipeline):
    assert connect(pipeline, "agent-1", "agent-1")[1] is None
    assert connect(pipeline, "agent-1", "input")[1] is None
    assert connect(pipeline, "output", "agent-1")[1] is None
    assert connect(pipeline, "input", "agent-1")[1] is None  # duplicate
    assert connect(pipeline, "nope", "agent-1")[1] is None
    spec, router = add_node(pipeline, "router")
    spec, a = add_node(spec, "agent")
    spec, first = connect(spec, router, "agent-1", "yes")
    spec, second = connect(spec, router, a, "yes")
    yes_edges = [e for e in spec["edges"] if e["source"] == router and e.get("route") == "yes"]
    assert first and second and [e["target"] for e in yes_edges] == [a]


def test_delete_removes_edges_and_positions(pipeline):
    spec = delete_items(pipeline, ["agent-1"])
    assert all(e["source"] != "agent-1" and e["target"] != "agent-1" for e in spec["edges"])
    assert "agent-1" not in spec["layout"]["positions"]
    assert ("unreachable", "output") in {(p.code, p.node_id) for p in validate(spec)}


def test_copy_paste_between_graphs_brings_tools(pipeline):
    source = set_node_field(pipeline, "agent-1", "tools", ["calc"])
    source["tools"] = [{"kind": "builtin", "id": "calc", "name": "calculator"}]
    clip = copy_nodes(source, ["agent-1", "output"])
    assert [e["source"] for e in clip["edges"]] == ["agent-1"]
    other = new_graph_spec("other")
    pasted, ids = paste_nodes(other, clip, {"x": 500, "y": 500})
    assert sorted(ids) == ["agent-1", "output-1"]  # fresh ids in the target graph
    assert any(t["id"] == "calc" for t in pasted["tools"])
    positions = [pasted["layout"]["positions"][i] for i in ids]
    assert min(p["x"] for p in positions) == 500
    assert sum(1 for e in pasted["edges"] if e["source"] in ids and e["target"] in ids) == 1
    assert paste_nodes(other, {"garbage": True}) == (other, [])


def test_duplicate_renames_agents_and_offsets(pipeline):
    spec, [copy_id] = duplicate_nodes(pipeline, ["agent-1"])
    node = next(n for n in spec["nodes"] if n["id"] == copy_id)
    assert node["name"] == "Agent 1 (copy)"
    old, new = spec["layout"]["positions"]["agent-1"], spec["layout"]["positions"][copy_id]
    assert (new["x"] - old["x"], new["y"] - old["y"]) == (40, 40)


def test_field_edits(pipeline):
    spec = set_node_field(pipeline, "agent-1", "instructions", "Be brief.")
    assert next(n for n in spec["nodes"] if n["id"] == "agent-1")["instructions"] == "Be brief."
    spec = set_node_field(spec, "agent-1", "instructions", None)
    assert "instructions" not in next(n for n in spec["nodes"] if n["id"] == "agent-1")
    with pytest.raises(ValueError):
        set_node_field(spec, "agent-1", "id", "x")
    with pytest.raises(KeyError):
        set_node_field(spec, "ghost", "name", "x")
    spec = set_graph_field(spec, "limits.max_steps", 7)
    assert spec["limits"]["max_steps"] == 7 and validate(spec) == []


def test_auto_layout_orders_layers_and_survives_loops(pipeline):
    spec, router = add_node(pipeline, "router")
    spec = delete_items(spec, edge_ids=[e["id"] for e in spec["edges"] if e["source"] == "agent-1"])
    spec, _ = connect(spec, "agent-1", router)
    spec, _ = connect(spec, router, "output", "yes")
    spec, _ = connect(spec, router, "agent-1", "other")  # a loop back
    laid = auto_layout(spec)["layout"]["positions"]
    assert laid["input"]["x"] < laid["agent-1"]["x"] < laid[router]["x"] < laid["output"]["x"]


def test_apply_ops_as_the_canvas_sends_them(pipeline):
    ops = [
        {"op": "add_node", "kind": "tool", "position": {"x": 5, "y": 5}},
        {"op": "move", "positions": {"agent-1": {"x": 9, "y": 9}}},
        {"op": "connect", "source": "agent-1", "target": "agent-1", "route": None},
        {"op": "undo"},
    ]
    spec, info = apply_ops(pipeline, ops)
    assert info == {"selected": ["tool-1"], "changed": True}
    assert spec["layout"]["positions"]["agent-1"] == {"x": 9.0, "y": 9.0}
    clip = copy_nodes(spec, ["agent-1"])
    spec, info = apply_ops(spec, [{"op": "paste", "position": None}], clip=clip)
    assert len(info["selected"]) == 1
    spec, info = apply_ops(spec, [{"op": "layout"}, {"op": "delete", "nodes": ["tool-1"]}])
    assert info["changed"] and all(n["id"] != "tool-1" for n in spec["nodes"])
