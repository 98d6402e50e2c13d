"""validate(): every problem at once, each naming its node or edge, with a path and a hint."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path

import pytest

from agent_runtime.errors import SpecValidationError
from agent_runtime.spec import load_spec_file, new_graph_spec, parse_spec, validate

ROOT = Path(__file__).resolve().parents[3]
EVERY_PROBLEM = ROOT / "tests" / "fixtures" / "every_problem.json"
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def _codes(spec):
    return {(p.code, p.node_id or p.edge_id) for p in validate(spec)}


def _with_io(nodes, edges):
    """A spec with an input and output node around the given nodes and edges."""
    spec = new_graph_spec("t")
    spec["nodes"] = [{"id": "in", "kind": "input"}, *nodes, {"id": "out", "kind": "output"}]
    spec["edges"] = edges
    return spec


def test_examples_are_valid():
    assert len(EXAMPLES) >= 3
    for path in EXAMPLES:
        assert validate(load_spec_file(path)) == [], path.name


def test_new_graph_spec_is_valid_and_parses():
    spec = new_graph_spec("Fresh", "desc")
    assert validate(spec) == []
    graph = parse_spec(spec)
    assert [n.kind for n in graph.nodes] == ["input", "output"]


def test_every_problem_found_at_once():
    codes = _codes(load_spec_file(EVERY_PROBLEM))
    expected = {
        ("duplicate_id", "a1"),
        ("dangling_edge", "e5"),
        ("unknown_model", "a1"),
        ("unknown_tool", "a1"),
        ("unknown_memory", "a1"),
        ("unknown_builtin_tool", None),
        ("http_host_not_allowed", None),
        ("http_param_undeclared", None),
        ("no_input", None),
        ("no_output", None),
        ("router_no_default", "r1"),
        ("unknown_kind", "weird"),
        ("wrong_type", "typed"),
    }
    assert expected <= codes, expected - codes


def test_problems_carry_path_message_and_hint():
    problems = validate(load_spec_file(EVERY_PROBLEM))
    by_code = {p.code: p for p in problems}
    kind = by_code["unknown_kind"]
    assert kind.path == "$.nodes[6]"
    assert "teleporter" in kind.message and "agent" in kind.hint
    wrong = by_code["wrong_type"]
    assert wrong.path == "$.nodes[7].max_iterations" and wrong.node_id == "typed"
    model = by_code["unknown_model"]
    assert model.path == "$.nodes[0].model" and "m1" in model.hint
    assert all(p.message and p.path.startswith("$") for p in problems)


def test_structure_problems_unreachable_dead_end_and_cycle():
    nodes = [
        {"id": "a", "kind": "agent", "name": "A"},
        {"id": "island", "kind": "agent", "name": "Island"},
        {"id": "stuck", "kind": "agent", "name": "Stuck"},
        {"id": "l1", "kind": "agent", "name": "L1"},
        {"id": "l2", "kind": "agent", "name": "L2"},
    ]
    edges = [
        {"id": "e1", "source": "in", "target": "a"},
        {"id": "e2", "source": "a", "target": "out"},
        {"id": "e3", "source": "a", "target": "stuck"},
        {"id": "e4", "source": "a", "target": "l1"},
        {"id": "e5", "source": "l1", "target": "l2"},
        {"id": "e6", "source": "l2", "target": "l1"},
        {"id": "e7", "source": "island", "target": "out"},
    ]
    codes = _codes(_with_io(nodes, edges))
    assert ("unreachable", "island") in codes
    assert ("cannot_reach_output", "stuck") in codes
    assert ("cycle_no_exit", "l1") in codes
    # a node trapped in an exit-less loop is reported once, as the loop
    assert ("cannot_reach_output", "l2") not in codes


def test_loop_with_an_exit_is_allowed():
    nodes = [
        {"id": "w", "kind": "agent", "name": "Writer"},
        {
            "id": "check",
            "kind": "router",
            "default_route": "again",
            "routes": [{"name": "done", "condition": {"op": "contains", "value": "DONE"}}],
        },
    ]
    edges = [
        {"id": "e1", "source": "in", "target": "w"},
        {"id": "e2", "source": "w", "target": "check"},
        {"id": "e3", "source": "check", "target": "out", "route": "done"},
        {"id": "e4", "source": "check", "target": "w", "route": "again"},
    ]
    assert validate(_with_io(nodes, edges)) == []


def test_router_route_problems():
    router = {
        "id": "r",
        "kind": "router",
        "default_route": "other",
        "routes": [{"name": "a", "condition": {"op": "regex", "pattern": "x+"}}, {"name": "b"}],
    }
    edges = [
        {"id": "e1", "source": "in", "target": "r"},
        {"id": "e2", "source": "r", "target": "out", "route": "a"},
        {"id": "e3", "source": "r", "target": "out", "route": "zzz"},
        {"id": "e4", "source": "r", "target": "out"},
    ]
    codes = _codes(_with_io([router], edges))
    assert ("route_no_condition", "r") in codes
    assert ("bad_route", "e3") in codes
    assert ("edge_no_route", "e4") in codes
    assert ("route_unconnected", "r") in codes  # b and other have no edge


def test_bad_regex_and_input_field_reference():
    router = {
        "id": "r",
        "kind": "router",
        "default_route": "d",
        "routes": [
            {
                "name": "a",
                "condition": {"op": "regex", "pattern": "(unclosed", "field": "input.nope"},
            }
        ],
    }
    problems = validate(_with_io([router], []))
    regex = [p for p in problems if p.path.endswith("condition.pattern")]
    assert regex and "regular expression" in regex[0].message


def test_templates_and_human_routes():
    nodes = [
        {
            "id": "t",
            "kind": "tool",
            "tool": "calc",
            "arguments": {"expression": "{{ input.missing }}"},
        },
        {
            "id": "t2",
            "kind": "tool",
            "tool": "calc",
            "arguments": {"expression": "{{ os.system }}"},
        },
        {"id": "h", "kind": "human", "mode": "approval", "prompt": "OK?"},
    ]
    edges = [
        {"id": "e1", "source": "in", "target": "t"},
        {"id": "e2", "source": "t", "target": "t2"},
        {"id": "e3", "source": "t2", "target": "h"},
        {"id": "e4", "source": "h", "target": "out", "route": "approved"},
        {"id": "e5", "source": "h", "target": "out", "route": "maybe"},
    ]
    spec = _with_io(nodes, edges)
    spec["tools"] = [{"kind": "builtin", "id": "calc", "name": "calculator"}]
    codes = _codes(spec)
    assert ("unknown_input_field", "t") in codes
    assert ("bad_template", "t2") in codes
    assert ("bad_route", "e5") in codes


def test_input_and_output_edge_rules_and_multiple_inputs():
    nodes = [{"id": "in2", "kind": "input"}]
    edges = [
        {"id": "e1", "source": "in", "target": "out"},
        {"id": "e2", "source": "out", "target": "in"},
    ]
    codes = _codes(_with_io(nodes, edges))
    assert ("multiple_inputs", "in2") in codes
    assert ("input_has_incoming", "e2") in codes
    assert ("output_has_outgoing", "e2") in codes


def test_no_model_anywhere():
    spec = _with_io(
        [{"id": "a", "kind": "agent", "name": "A"}],
        [{"id": "e1", "source": "in", "target": "a"}, {"id": "e2", "source": "a", "target": "out"}],
    )
    spec["default_model"] = None
    assert ("no_model", "a") in _codes(spec)


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda s: s.update(extra_field=1), "unknown_field"),
        (lambda s: s.update(nodes="not a list"), "wrong_type"),
        (lambda s: s["models"][0].update(api_key="sk-live-123"), "unknown_field"),
        (lambda s: s["models"][0].update(api_key_secret="sk-live-123"), "invalid_value"),
        (lambda s: s.pop("name"), "missing_field"),
        (lambda s: s["nodes"][0].pop("kind"), "missing_field"),
        (lambda s: s["limits"].update(max_steps=0), "invalid_value"),
    ],
)
def test_wrong_shapes_get_named(mutate, code):
    spec = copy.deepcopy(new_graph_spec("x"))
    mutate(spec)
    assert code in {p.code for p in validate(spec)}


def test_no_code_strings_or_import_paths_accepted():
    spec = new_graph_spec("x")
    spec["tools"] = [{"kind": "python", "id": "evil", "code": "import os"}]
    spec["nodes"][0]["function"] = "os.system"
    codes = {p.code for p in validate(spec)}
    assert {"unknown_kind", "unknown_field"} <= codes


def test_version_problems():
    spec = new_graph_spec("x")
    spec["schema_version"] = 99
    [problem] = validate(spec)
    assert problem.code == "spec_version_error" and "99" in problem.message
    assert "newer" in problem.message
    assert validate([1, 2])[0].code == "spec_parse_error"
    del spec["schema_version"]
    assert validate(spec)[0].code == "spec_version_error"


def test_parse_spec_raises_with_every_problem():
    with pytest.raises(SpecValidationError) as info:
        parse_spec(load_spec_file(EVERY_PROBLEM))
    assert len(info.value.problems) >= 13
    assert info.value.code == "spec_invalid"


def test_validate_does_not_modify_input():
    spec = load_spec_file(EVERY_PROBLEM)
    before = json.dumps(spec, sort_keys=True)
    validate(spec)
    assert json.dumps(spec, sort_keys=True) == before


def test_large_graph_validates():
    nodes = [{"id": f"n{i}", "kind": "agent", "name": f"N{i}"} for i in range(1000)]
    ids = ["in", *[n["id"] for n in nodes], "out"]
    edges = [
        {"id": f"e{i}", "source": a, "target": b}
        for i, (a, b) in enumerate(itertools.pairwise(ids))
    ]
    assert validate(_with_io(nodes, edges)) == []


def test_remember_needs_a_memory_that_takes_facts_and_a_free_tool_name():
    agent = {"id": "a", "kind": "agent", "name": "A", "remember": "docs", "tools": ["remember"]}
    spec = _with_io(
        [agent],
        [{"id": "e1", "source": "in", "target": "a"}, {"id": "e2", "source": "a", "target": "out"}],
    )
    spec["memories"] = [
        {"id": "docs", "type": "knowledge_base"},
        {"id": "facts", "type": "long_term"},
    ]
    spec["tools"] = [{"kind": "builtin", "id": "remember", "name": "calculator"}]
    problems = {p.code: p for p in validate(spec)}
    assert problems["remember_into_knowledge_base"].path == "$.nodes[1].remember"
    assert "knowledge base" in problems["remember_into_knowledge_base"].message
    assert problems["remember_name_taken"].path == "$.nodes[1].tools[0]"

    agent.update(remember="nowhere", tools=[])
    (missing,) = validate(spec)
    assert (missing.code, missing.path, missing.node_id) == (
        "unknown_memory",
        "$.nodes[1].remember",
        "a",
    )
    assert "facts" in missing.hint

    agent["remember"] = "facts"
    assert validate(spec) == []
