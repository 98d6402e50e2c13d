"""The builder's services: the canvas view of a spec, generated property forms, the editor."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from agent_runtime.spec import (
    NODE_KINDS,
    MemorySpec,
    add_node,
    new_graph_spec,
    validate,
)
from app.services import builder, forms
from app.services.builder import GraphEditor, apply_canvas_ops, to_canvas
from app.services.forms import UNSET, CoerceError, graph_form, node_form

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def by_key(fields: list[forms.FormField]) -> dict[str, forms.FormField]:
    return {f.key: f for f in fields}


def full_spec() -> dict[str, Any]:
    """A graph with every node kind and something in every section."""
    spec = new_graph_spec("Everything")
    spec["tools"] = [
        {"kind": "builtin", "id": "calc", "name": "calculator"},
        {
            "kind": "http",
            "id": "orders",
            "description": "Look up an order.",
            "url": "https://shop.example.com/orders/{order_id}",
            "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}},
            "allowed_hosts": ["shop.example.com"],
        },
    ]
    spec["memories"] = [{"id": "chat", "type": "conversation"}]
    for kind in ("agent", "tool", "router", "human", "memory"):
        spec, _ = add_node(spec, kind)
    return spec


# ------------------------------------------------------------- to_canvas ---


def test_to_canvas_gives_react_flow_nodes_with_the_contract_data() -> None:
    spec = example("support_triage")
    graph = to_canvas(spec, validate(spec))

    nodes = {n["id"]: n for n in graph["nodes"]}
    assert list(nodes) == [n["id"] for n in spec["nodes"]]
    triage = nodes["triage"]
    assert triage["type"] == "router"
    assert triage["position"] == {
        "x": float(spec["layout"]["positions"]["triage"]["x"]),
        "y": float(spec["layout"]["positions"]["triage"]["y"]),
    }
    data = triage["data"]
    assert set(data) == {
        "label",
        "kind",
        "subtitle",
        "tools",
        "handles",
        "problems",
        "problem_text",
    }
    route_names = [
        r["name"] for r in next(n for n in spec["nodes"] if n["id"] == "triage")["routes"]
    ]
    assert data["handles"][: len(route_names)] == route_names
    assert data["handles"][-1] == spec["nodes"][1]["default_route"]
    assert data["problems"] == 0 and data["problem_text"] == ""
    assert nodes["billing"]["data"]["handles"] == []
    assert nodes["billing"]["data"]["label"]  # the agent's label or name
    assert nodes["message"]["type"] == "input"


def test_to_canvas_edges_carry_their_route_as_source_handle_and_label() -> None:
    spec = example("support_triage")
    edges = {e["id"]: e for e in to_canvas(spec, [])["edges"]}
    for edge in spec["edges"]:
        shown = edges[edge["id"]]
        assert (shown["source"], shown["target"]) == (edge["source"], edge["target"])
        assert shown["sourceHandle"] == edge.get("route")
        assert shown["label"] == (edge.get("route") or "")


def test_to_canvas_human_approval_has_two_handles_and_no_route_means_approved() -> None:
    spec = example("content_approval")
    spec["edges"] = [
        {**e, "route": None} if e.get("route") == "approved" else e for e in spec["edges"]
    ]
    graph = to_canvas(spec, [])
    review = next(n for n in graph["nodes"] if n["id"] == "review")
    assert review["data"]["handles"] == ["approved", "rejected"]
    out = {e["target"]: e["sourceHandle"] for e in graph["edges"] if e["source"] == "review"}
    assert out == {"save": "approved", "writer": "rejected"}


def test_to_canvas_counts_each_nodes_problems_and_shows_the_first() -> None:
    spec = new_graph_spec("Broken")
    spec, agent = add_node(spec, "agent")
    spec = forms.set_field(spec, f"node/{agent}", "model", "missing")  # and it is not wired
    problems = validate(spec)
    node = next(n for n in to_canvas(spec, problems)["nodes"] if n["id"] == agent)
    mine = [p for p in problems if p.node_id == agent]
    assert node["data"]["problems"] == len(mine) >= 2  # unknown model, unreachable
    assert node["data"]["problem_text"] == mine[0].message


def test_to_canvas_survives_a_malformed_draft() -> None:
    spec = {
        "schema_version": 1,
        "nodes": [{"kind": "agent"}, "nonsense", {"id": "a", "kind": "mystery"}, {"id": "b"}],
        "edges": [
            {"id": "e1", "source": "a", "target": "nowhere"},
            {"id": "e2", "source": "a", "target": "b"},
        ],
        "layout": {"positions": {"a": {"x": "left"}}},
    }
    graph = to_canvas(spec, validate(spec))
    assert [n["id"] for n in graph["nodes"]] == ["a", "b"]
    assert graph["nodes"][0]["position"] == {"x": 280.0, "y": 0.0}  # placed by index
    assert [e["id"] for e in graph["edges"]] == ["e2"]  # the dangling edge is left out


def test_problem_items_name_where_each_problem_is() -> None:
    spec = full_spec()
    spec["models"].append({"id": "gpt", "provider": "openai", "model": ""})
    items = builder.problem_items(spec, validate(spec))
    assert any(i.node_id == "agent-1" and i.where == "Agent 1" for i in items)
    model_item = next(i for i in items if i.where == "Models #2")
    assert model_item.node_id == "" and "model" in model_item.message


# ----------------------------------------------------------------- forms ---


@pytest.mark.parametrize("kind", NODE_KINDS)
def test_every_node_kind_gets_a_form_from_its_schema(kind: str) -> None:
    spec = full_spec()
    node_id = kind if kind in ("input", "output") else f"{kind}-1"
    form = node_form(spec, node_id, validate(spec))
    assert form is not None and form.kind == kind
    schema_keys = set(forms.NODE_MODELS[kind].model_json_schema()["properties"]) - {"kind"}
    assert set(by_key(form.fields)) == schema_keys
    assert all(f.widget in forms.WIDGETS for f in form.fields)
    assert by_key(form.fields)["id"].widget == "readonly"


def test_agent_form_widgets() -> None:
    spec = full_spec()
    fields = by_key(node_form(spec, "agent-1", validate(spec)).fields)
    assert fields["name"].widget == "text" and fields["name"].required
    assert fields["role"].widget == "text"
    assert fields["instructions"].widget == "textarea"
    assert fields["goal"].widget == "textarea"
    model = fields["model"]
    assert model.widget == "select"
    assert [o.value for o in model.options] == [UNSET, "demo"]
    assert model.options[0].label == "Graph default (demo)"
    assert model.value == UNSET
    tools = fields["tools"]
    assert tools.widget == "multiselect"
    assert [o.value for o in tools.options] == ["calc", "orders"]
    assert tools.selected == []
    memory = fields["memory"]
    assert memory.widget == "multiselect" and [o.value for o in memory.options] == ["chat"]
    remember = fields["remember"]  # memories that take facts: not knowledge bases
    assert remember.widget == "select" and [o.value for o in remember.options] == [UNSET, "chat"]
    spec["memories"].append({"id": "docs", "type": "knowledge_base"})
    fields = by_key(node_form(spec, "agent-1", validate(spec)).fields)
    assert [o.value for o in fields["memory"].options] == ["chat", "docs"]
    assert [o.value for o in fields["remember"].options] == [UNSET, "chat"]
    iterations = fields["max_iterations"]
    assert iterations.widget == "number"
    assert (iterations.minimum, iterations.maximum, iterations.step) == ("1", "50", "1")
    assert iterations.value == "5"  # the default, shown


def test_router_form_has_a_route_list_editor_generated_from_route_spec() -> None:
    spec = example("support_triage")
    form = node_form(spec, "triage", validate(spec))
    fields = by_key(form.fields)
    assert fields["routes"].widget == "routes"
    assert fields["strategy"].widget == "select"
    assert [o.value for o in fields["strategy"].options] == ["rules", "llm"]
    assert fields["default_route"].widget == "text"
    assert len(form.routes) == len(spec["nodes"][1]["routes"])
    row = form.routes[0]
    assert row.scope == "node/triage/routes/0"
    row_fields = by_key(row.fields)
    assert {"name", "description", "op", "field", "case_sensitive"} <= set(row_fields)
    assert row_fields["op"].widget == "select"
    assert [o.value for o in row_fields["op"].options] == [UNSET, "equals", "contains", "regex"]
    assert row_fields["case_sensitive"].widget == "switch"
    op = row_fields["op"].value
    assert ("pattern" in row_fields) == (op == "regex")
    assert ("value" in row_fields) == (op in ("equals", "contains"))


def test_tool_memory_human_input_forms() -> None:
    spec = full_spec()
    problems = validate(spec)
    tool = by_key(node_form(spec, "tool-1", problems).fields)
    assert tool["tool"].widget == "select"
    assert [o.value for o in tool["tool"].options] == ["calc", "orders"]
    assert tool["arguments"].widget == "json" and tool["arguments"].value == "{}"
    memory = by_key(node_form(spec, "memory-1", problems).fields)
    assert memory["memory"].widget == "select" and memory["memory"].value == "chat"
    assert memory["operation"].widget == "select"
    assert memory["top_k"].widget == "number"
    assert memory["min_score"].widget == "number" and memory["min_score"].step == "any"
    assert memory["filters"].widget == "json" and memory["metadata"].widget == "json"
    human = by_key(node_form(spec, "human-1", problems).fields)
    assert human["mode"].widget == "select" and human["prompt"].widget == "textarea"
    inputs = by_key(node_form(spec, "input", problems).fields)
    assert inputs["fields"].widget == "json"
    assert json.loads(inputs["fields"].value)[0]["name"] == "message"  # the default shown


def test_graph_settings_form_and_sections() -> None:
    spec = full_spec()
    form = graph_form(spec, validate(spec))
    fields = by_key(form.fields)
    assert list(fields) == [
        "name",
        "description",
        "default_model",
        "limits.max_steps",
        "limits.timeout_seconds",
        "limits.max_tokens",
        "manager",  # a switch: its fields show only while it is on
    ]
    assert fields["name"].widget == "text" and fields["description"].widget == "textarea"
    assert fields["default_model"].widget == "select" and fields["default_model"].value == "demo"
    assert fields["limits.max_steps"].widget == "number"
    assert fields["limits.max_steps"].value == "25"
    model = by_key(form.models[0].fields)
    assert model["provider"].widget == "select"
    assert [o.value for o in model["provider"].options] == [
        "demo",
        "openai",
        "azure_openai",
        "openai_compatible",
    ]
    assert model["api_key_secret"].widget == "text"
    assert model["temperature"].widget == "number"
    builtin, http = (by_key(row.fields) for row in form.tools)
    assert builtin["kind"].widget == "readonly"
    assert builtin["name"].widget == "select"
    assert "calculator" in [o.value for o in builtin["name"].options]
    assert builtin["allowed_hosts"].widget == "lines"
    assert http["method"].widget == "select"
    assert http["parameters"].widget == "json" and http["header_secrets"].widget == "json"
    assert http["allowed_hosts"].value == "shop.example.com"
    assert by_key(form.memories[0].fields)["type"].widget == "select"


def test_each_field_shows_its_own_problem() -> None:
    spec = full_spec()
    spec = forms.set_field(spec, "node/agent-1", "max_iterations", 99)
    spec = forms.set_field(spec, "models/0", "api_key_secret", "sk-live-123")
    spec = forms.set_field(spec, "graph", "limits.max_steps", 0)
    problems = validate(spec)
    agent = by_key(node_form(spec, "agent-1", problems).fields)
    assert "max_iterations" in agent["max_iterations"].problem
    assert agent["name"].problem == ""
    graph = graph_form(spec, problems)
    assert "max_steps" in by_key(graph.fields)["limits.max_steps"].problem
    assert "api_key_secret" in by_key(graph.models[0].fields)["api_key_secret"].problem


def test_a_missing_reference_is_still_shown_in_its_select() -> None:
    spec = full_spec()
    spec = forms.set_field(spec, "node/agent-1", "model", "gone")
    model = by_key(node_form(spec, "agent-1", validate(spec)).fields)["model"]
    assert model.value == "gone"
    assert model.options[-1].label == "gone (missing)"
    assert "gone" in model.problem


# -------------------------------------------------------------- coercion ---


def test_edit_field_coerces_what_widgets_send() -> None:
    spec = full_spec()
    spec = forms.edit_field(spec, "node/agent-1", "max_iterations", "7")
    spec = forms.edit_field(spec, "node/agent-1", "model", "demo")
    spec = forms.edit_field(spec, "node/agent-1", "label", "")
    spec = forms.edit_field(spec, "graph", "limits.timeout_seconds", "30.5")
    spec = forms.edit_field(spec, "tools/0", "allowed_hosts", " a.example \n\n b.example ")
    spec = forms.edit_field(spec, "node/tool-1", "arguments", '{"expression": "1+1"}')
    agent = next(n for n in spec["nodes"] if n["id"] == "agent-1")
    assert agent["max_iterations"] == 7 and agent["model"] == "demo" and "label" not in agent
    assert spec["limits"]["timeout_seconds"] == 30.5
    assert spec["tools"][0]["allowed_hosts"] == ["a.example", "b.example"]
    assert next(n for n in spec["nodes"] if n["id"] == "tool-1")["arguments"] == {
        "expression": "1+1"
    }
    unset = forms.edit_field(spec, "node/agent-1", "model", UNSET)
    assert "model" not in next(n for n in unset["nodes"] if n["id"] == "agent-1")


def test_a_number_that_does_not_parse_is_kept_for_validation_to_report() -> None:
    spec = forms.edit_field(full_spec(), "node/agent-1", "max_iterations", "lots")
    problems = validate(spec)
    field = by_key(node_form(spec, "agent-1", problems).fields)["max_iterations"]
    assert field.value == "lots" and "wrong type" in field.problem


def test_json_that_does_not_parse_raises_and_changes_nothing() -> None:
    spec = full_spec()
    before = copy.deepcopy(spec)
    with pytest.raises(CoerceError, match="Not valid JSON"):
        forms.edit_field(spec, "node/tool-1", "arguments", "{not json")
    assert spec == before


def test_route_edits_add_remove_and_switch_condition_kind() -> None:
    spec = example("support_triage")
    spec = forms.add_item(spec, "node/triage/routes")
    routes = next(n for n in spec["nodes"] if n["id"] == "triage")["routes"]
    assert routes[-1]["name"] == "route" and routes[-1]["condition"]["op"] == "contains"
    last = f"node/triage/routes/{len(routes) - 1}"
    spec = forms.edit_field(spec, last, "op", "regex")
    spec = forms.edit_field(spec, last, "pattern", r"order\s+\d+")
    spec = forms.edit_field(spec, last, "case_sensitive", True)
    route = next(n for n in spec["nodes"] if n["id"] == "triage")["routes"][-1]
    assert route["condition"] == {"op": "regex", "pattern": r"order\s+\d+", "case_sensitive": True}
    spec = forms.edit_field(spec, last, "op", UNSET)
    assert "condition" not in next(n for n in spec["nodes"] if n["id"] == "triage")["routes"][-1]
    spec = forms.remove_item(spec, last)
    assert len(next(n for n in spec["nodes"] if n["id"] == "triage")["routes"]) == len(routes) - 1


def test_sections_add_and_remove_items_and_toggle_references() -> None:
    spec = full_spec()
    spec = forms.add_item(spec, "models")
    spec = forms.add_item(spec, "tools", "builtin:word_count")
    spec = forms.add_item(spec, "tools", "http")
    spec = forms.add_item(spec, "memories", "knowledge_base")
    assert spec["models"][-1]["api_key_secret"] == "OPENAI_API_KEY"
    assert spec["tools"][-2] == {"kind": "builtin", "id": "word-count", "name": "word_count"}
    assert spec["tools"][-1]["kind"] == "http"
    assert spec["memories"][-1] == {"id": "knowledge-base", "type": "knowledge_base"}
    assert validate(spec) == validate(full_spec())  # sensible defaults add no problems
    spec = forms.toggle_option(spec, "node/agent-1", "tools", "word-count")
    spec = forms.toggle_option(spec, "node/agent-1", "tools", "calc")
    spec = forms.toggle_option(spec, "node/agent-1", "tools", "word-count")
    assert next(n for n in spec["nodes"] if n["id"] == "agent-1")["tools"] == ["calc"]
    spec = forms.remove_item(spec, "memories/1")
    assert [m["id"] for m in spec["memories"]] == ["chat"]
    with pytest.raises(KeyError):
        forms.add_item(spec, "tools", "builtin:rm_rf")


def test_memory_types_come_from_the_schema() -> None:
    assert forms.memory_types() == list(
        MemorySpec.model_json_schema()["properties"]["type"]["enum"]
    )


# ----------------------------------------------------------------- editor ---


def test_editor_history_is_bounded_and_redo_clears_on_a_new_change() -> None:
    editor = GraphEditor("g", new_graph_spec("G"), limit=5)
    for i in range(8):
        assert editor.commit(forms.set_field(editor.spec, "graph", "description", str(i)), "x")
    assert len(editor.undo_stack) == 5
    for _ in range(5):
        assert editor.undo()
    assert not editor.undo()
    assert editor.spec["description"] == "2"
    assert editor.redo() and editor.spec["description"] == "3"
    editor.commit(forms.set_field(editor.spec, "graph", "description", "new"), "y")
    assert not editor.can_redo
    assert not editor.commit(editor.spec, "no change")


def test_apply_canvas_ops_reloads_the_canvas_except_for_moves() -> None:
    editor = GraphEditor("g", new_graph_spec("G"))
    outcome = apply_canvas_ops(editor, [{"op": "move", "positions": {"input": {"x": 5, "y": 6}}}])
    assert outcome.changed and not outcome.reload
    assert editor.spec["layout"]["positions"]["input"] == {"x": 5.0, "y": 6.0}
    outcome = apply_canvas_ops(editor, [{"op": "add_node", "kind": "agent", "position": None}])
    assert outcome.changed and outcome.reload and outcome.selected == ("agent-1",)
    assert not apply_canvas_ops(
        editor, [{"op": "connect", "source": "output", "target": "input"}]
    ).changed
    for garbage in ([{"op": "connect"}], [{"op": "add_node", "kind": "nope"}], ["x"], [{}]):
        assert apply_canvas_ops(editor, garbage) == builder.OpsOutcome()


def test_copy_gives_a_clip_and_paste_needs_one() -> None:
    editor = GraphEditor("g", full_spec())
    outcome = apply_canvas_ops(editor, [{"op": "copy", "nodes": ["agent-1"]}])
    assert not outcome.changed and json.loads(outcome.clipboard)["nodes"][0]["id"] == "agent-1"
    empty = apply_canvas_ops(editor, [{"op": "paste", "position": None}], "")
    assert not empty.changed and "clipboard is empty" in empty.message
    tampered = apply_canvas_ops(editor, [{"op": "paste"}], '{"nodes": [{"no": "id"}]}')
    assert not tampered.changed


def test_save_jobs_of_one_editor_apply_in_change_order(data_dir: Path) -> None:
    from app.services import graphs

    card = graphs.create_graph()
    editor = builder.open_graph(card.id)
    editor.commit(forms.set_field(editor.spec, "graph", "description", "older"), "a")
    older = editor.save_job()
    editor.commit(forms.set_field(editor.spec, "graph", "description", "newer"), "b")
    newer = editor.save_job()

    assert builder.save(newer).saved
    skipped = builder.save(older)  # a slow save of older edits finishing late

    assert not skipped.saved and skipped.error == ""
    assert builder.open_graph(card.id).spec["description"] == "newer"


def test_export_filename_is_safe() -> None:
    assert builder.export_filename("Support triage") == "Support triage.json"
    assert builder.export_filename("../../etc/passwd") == "etc_passwd.json"
    assert builder.export_filename("") == "graph.json"


def test_edits_that_are_undone_make_no_new_version() -> None:
    spec = example("research_crew")
    editor = GraphEditor("g", spec)
    changed = copy.deepcopy(spec)
    changed["description"] = "changed"
    assert editor.commit(changed, "Edited description")
    assert editor.undo()
    assert editor.dirty and editor.save_job() is None
    assert not editor.dirty
    assert editor.redo()
    job = editor.save_job()
    assert job is not None and job.spec["description"] == "changed"
    editor.mark_saved(job.seq, job.spec)
    assert editor.save_job() is None and editor.stored_spec == changed
