"""spec → AutoGen JSON / CrewAI YAML → import → an equivalent spec.

Equivalent: the same agents in the same order (name, role, goal, instructions,
max_iterations, built-in tools with their ids), each edge from one step to the
next, the same model, and a spec that validates. Layout and the input node's
label are canvas details the frameworks have no place for.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent_runtime.exporters import export_graph, import_autogen, import_crewai, import_files
from agent_runtime.spec import validate
from tests.agent_runtime.conformance._graphs import builtin_tool
from tests.agent_runtime.exporters import _specs


def equivalent(spec: dict[str, Any]) -> dict[str, Any]:
    """What must survive a round trip."""
    by_id = {n["id"]: n for n in spec["nodes"]}
    following = {e["source"]: e["target"] for e in spec["edges"]}
    node = next(n for n in spec["nodes"] if n["kind"] == "input")
    path = []
    while node["id"] in following:
        node = by_id[following[node["id"]]]
        path.append(node)
    assert len(following) == len(spec["edges"]), "a straight path"
    tools = {t["id"]: t["name"] for t in spec["tools"]}
    models = {m["id"]: (m["provider"], m["model"]) for m in spec["models"]}
    return {
        "kinds": [n["kind"] for n in path],
        "agents": [
            {
                "id": n["id"],
                "name": n["name"],
                "role": n.get("role", ""),
                "goal": n.get("goal", ""),
                "instructions": n.get("instructions", ""),
                "max_iterations": n.get("max_iterations", 5),
                "tools": [(t, tools[t]) for t in n.get("tools", [])],
                "model": models[n.get("model") or spec["default_model"]],
            }
            for n in path
            if n["kind"] == "agent"
        ],
    }


def rich() -> dict[str, Any]:
    """Every agent field in use, multi-line instructions, tools with and without own ids."""
    spec = _specs.with_a_tool()
    spec["tools"].append(builtin_tool("clock", "current_time"))
    spec["tools"].append(builtin_tool("calculator", "calculator"))
    spec["nodes"][1]["tools"] = ["calc", "clock"]
    spec["nodes"][3]["tools"] = ["calculator"]
    spec["nodes"][3]["instructions"] = "Line one.\n\n- a list item\n- another: with a colon"
    spec["nodes"][2]["max_iterations"] = 7
    return spec


EXAMPLES = Path(__file__).parents[3] / "examples"
SPECS = [_specs.three_agents, _specs.with_a_tool, rich]


@pytest.mark.parametrize("make", SPECS)
def test_autogen_round_trip(make) -> None:
    spec = make()
    bundle = export_graph(spec, "autogen")

    result = import_autogen(bundle.files[bundle.main_file])

    assert validate(result.spec) == []
    assert equivalent(result.spec) == equivalent(spec)
    assert result.spec["name"] == spec["name"]
    assert result.warnings == ()
    assert result.spec["layout"]["positions"]  # laid out for the canvas


@pytest.mark.parametrize("make", SPECS)
def test_crewai_round_trip(make) -> None:
    spec = make()
    files = export_graph(spec, "crewai").files
    [agents] = [f for f in files if f.endswith("agents.yaml")]
    [tasks] = [f for f in files if f.endswith("tasks.yaml")]

    result = import_crewai(files[agents], files[tasks], name=spec["name"])

    assert validate(result.spec) == []
    assert equivalent(result.spec) == equivalent(spec)
    assert result.warnings == ()


def test_a_crewai_project_zip_round_trips_with_its_name() -> None:
    spec = rich()
    bundle = export_graph(spec, "crewai")

    result = import_files({"calculating_crew.zip": bundle.zip_bytes("calculating_crew")})

    assert result.format == "crewai"
    assert result.spec["name"] == "Calculating crew"
    assert equivalent(result.spec) == equivalent(spec)


def test_an_autogen_team_in_a_zip_or_alone_is_found_by_content() -> None:
    spec = _specs.three_agents()
    bundle = export_graph(spec, "autogen")
    text = bundle.files[bundle.main_file].encode()
    for files in ({"team.json": text}, {"team.zip": bundle.zip_bytes()}, {"download": text}):
        result = import_files(files)
        assert result.format == "autogen"
        assert equivalent(result.spec) == equivalent(spec)


def test_several_models_keep_who_uses_which() -> None:
    spec = _specs.three_agents()
    spec["models"].append({"id": "gpt", "provider": "openai", "model": "gpt-4o-mini"})
    spec["nodes"][2]["model"] = "gpt"
    before = equivalent(spec)
    after = equivalent(
        import_autogen(next(iter(export_graph(spec, "autogen").files.values()))).spec
    )
    assert after == before
    assert [a["model"] for a in after["agents"]] == [
        ("demo", "orchestrall-demo"),
        ("openai", "gpt-4o-mini"),
        ("demo", "orchestrall-demo"),
    ]


def test_the_research_crew_example_round_trips_through_both() -> None:
    example = json.loads((EXAMPLES / "research_crew.json").read_text())
    autogen = export_graph(example, "autogen")
    crewai = export_graph(example, "crewai")
    uploads = [
        {"team.json": autogen.files[autogen.main_file].encode()},
        {"crew.zip": crewai.zip_bytes()},
    ]
    for files in uploads:
        agents = equivalent(import_files(files).spec)["agents"]
        assert agents == equivalent(example)["agents"]
