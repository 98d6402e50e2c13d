"""AutoGen export: the team JSON loads with ``Team.load_component`` and runs like our run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_runtime.errors import ExportError
from agent_runtime.exporters import ExportOptions, export_graph
from tests.agent_runtime.exporters import _specs
from tests.agent_runtime.exporters._frameworks import (
    backends_and,
    load_autogen,
    our_run,
    run_autogen,
    speakers,
)


def exported(spec: dict, server) -> str:
    bundle = export_graph(spec, "autogen", ExportOptions(demo_base_url=server.base_url))
    [text] = bundle.files.values()
    return text


@pytest.mark.parametrize("backend", backends_and("autogen"))
@pytest.mark.parametrize(("make", "message", "expected"), _specs.CREW_RUNS)
def test_the_team_gives_the_same_output_as_our_backend(
    make, message: str, expected: str, backend: str, server, tmp_path: Path
) -> None:
    spec = make()
    ours = our_run(spec, message, server=server, data_dir=tmp_path, backend=backend)

    team = load_autogen(exported(spec, server))
    output = run_autogen(team, message)

    assert ours.output == expected
    assert output == ours.output
    assert speakers(server) == ours.speakers == ["Researcher", "Writer", "Editor"]
    # the same system prompts
    assert [r.system for r in server.requests] == [r.system for r in ours.requests]
    if make is _specs.with_a_tool:
        assert server.requests[0].tool_names == ["calc"]


def test_the_json_is_what_autogen_itself_would_save(server) -> None:
    """Loading and dumping again (AutoGen's own serialiser) keeps every setting we wrote.

    (AutoGen cannot dump a FunctionTool it loaded from JSON, as inspect finds no
    source for it, so this compares a team without tools.)
    """
    text = exported(_specs.three_agents(), server)
    ours = json.loads(text)
    again = json.loads(load_autogen(text).dump_component().model_dump_json())

    assert again["provider"] == ours["provider"] == "autogen_agentchat.teams.RoundRobinGroupChat"
    assert again["config"]["max_turns"] == ours["config"]["max_turns"] == 3
    pairs = zip(ours["config"]["participants"], again["config"]["participants"], strict=True)
    for mine, theirs in pairs:
        assert theirs["provider"] == mine["provider"] == "autogen_agentchat.agents.AssistantAgent"
        assert theirs["version"] == mine["version"] == 2
        for key, value in mine["config"].items():
            if key not in ("model_client", "workbench", "model_context"):
                assert theirs["config"][key] == value, key
        client = theirs["config"]["model_client"]
        assert client["provider"] == mine["config"]["model_client"]["provider"]
        assert client["config"]["model"] == "orchestrall-demo"
        assert client["config"]["base_url"] == server.base_url


def test_tools_are_function_tools_labelled_with_their_built_in() -> None:
    team = json.loads(next(iter(export_graph(_specs.with_a_tool(), "autogen").files.values())))
    researcher, writer, _ = team["config"]["participants"]
    [calc] = researcher["config"]["workbench"][0]["config"]["tools"]
    assert calc["provider"] == "autogen_core.tools.FunctionTool"
    assert calc["label"] == "calculator" and calc["config"]["name"] == "calc"
    assert calc["config"]["source_code"].startswith("def calc(expression: str) -> str:")
    assert "eval(" not in calc["config"]["source_code"]
    [count] = writer["config"]["workbench"][0]["config"]["tools"]
    assert count["label"] == "word_count" and count["config"]["name"] == "word-count"
    assert researcher["config"]["metadata"] == {"orchestrall_node_id": "researcher"}
    assert researcher["config"]["reflect_on_tool_use"] is True
    assert researcher["config"]["max_tool_iterations"] == 5


def test_routers_humans_and_tool_steps_are_refused() -> None:
    for make, node in [
        (_specs.routed, "triage"),
        (_specs.reviewed, "review"),
        (_specs.tool_step, "count"),
    ]:
        with pytest.raises(ExportError) as caught:
            export_graph(make(), "autogen")
        assert caught.value.node_ids[0] == node
        assert caught.value.message.startswith("The AutoGen export cannot express this graph")


def test_a_key_named_otherwise_is_explained(server) -> None:
    spec = _specs.three_agents()
    spec["models"].append(
        {"id": "gpt", "provider": "openai", "model": "gpt-4o-mini", "api_key_secret": "TEAM_KEY"}
    )
    spec["default_model"] = "gpt"
    bundle = export_graph(spec, "autogen")
    client = json.loads(bundle.files[bundle.main_file])["config"]["participants"][0]["config"][
        "model_client"
    ]
    assert "api_key" not in client["config"] and "base_url" not in client["config"]
    assert "$OPENAI_API_KEY (Orchestrall secret TEAM_KEY)" in client["description"]
    assert any("TEAM_KEY" in note for note in bundle.notes)
