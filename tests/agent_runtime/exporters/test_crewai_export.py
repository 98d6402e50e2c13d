"""CrewAI export: the project's ``@CrewBase`` crew, loaded from crew.py, kicks off like our run.

CrewAI wraps each task in its own prompt ("Current Task: ... This is the context
you're working with: ..."), so the demo model's *default* answer (an echo of the
task) cannot match ours word for word. The script's TRAIL rules answer from the
last ``TRAIL[...]`` in the task whatever surrounds it, so the final output is
compared exactly: it names every agent in order, each working on the previous
one's result (and the tool result); the request log shows the same agents in
the same order, with Orchestrall's agent name at the start of each system prompt.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from agent_runtime.errors import ExportError
from agent_runtime.exporters import export_graph
from tests.agent_runtime.exporters import _specs
from tests.agent_runtime.exporters._frameworks import (
    backends_and,
    export_to,
    load_crewai,
    our_run,
    speakers,
)

# CrewAI 1.15 reads its own deprecated Agent fields (function_calling_llm,
# allow_code_execution, ...) while kicking off any crew; its warnings wrapper in
# crewai/__init__.py reports them from the crewai module. The generated project sets none.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:crewai")


@pytest.mark.slow
@pytest.mark.parametrize("backend", backends_and("crewai"))
@pytest.mark.parametrize(("make", "message", "expected"), _specs.CREW_RUNS)
def test_the_crew_gives_the_same_output_as_our_backend(
    make, message: str, expected: str, backend: str, server, tmp_path: Path
) -> None:
    spec = make()
    ours = our_run(spec, message, server=server, data_dir=tmp_path, backend=backend)

    with load_crewai(export_to(tmp_path, spec, "crewai")) as crew_class:
        result = crew_class().crew().kickoff(inputs={"message": message})

    assert ours.output == expected
    assert result.raw == ours.output
    assert speakers(server) == ours.speakers == ["Researcher", "Writer", "Editor"]
    first = server.requests[0]
    assert first.system.startswith("You are Researcher. Senior researcher")
    assert "List the five most important facts." in first.text
    if make is _specs.with_a_tool:
        assert first.tool_names == ["calc"]


def test_the_project_layout_and_yaml(tmp_path: Path) -> None:
    bundle = export_graph(_specs.with_a_tool(), "crewai")
    src = "src/calculating_crew"
    assert set(bundle.files) == {
        f"{src}/crew.py",
        f"{src}/main.py",
        f"{src}/__init__.py",
        f"{src}/config/agents.yaml",
        f"{src}/config/tasks.yaml",
        "pyproject.toml",
        ".env.example",
        "README.md",
    }
    agents = yaml.safe_load(bundle.files[f"{src}/config/agents.yaml"])
    tasks = yaml.safe_load(bundle.files[f"{src}/config/tasks.yaml"])
    assert list(agents) == ["researcher", "writer", "editor"]
    assert agents["researcher"] == {
        "role": "Researcher",
        "goal": "Collect the facts.",
        "backstory": "Senior researcher",
        "llm": "demo",
        "tools": ["calculator_calc"],
        "max_iter": 6,
    }
    assert agents["writer"]["tools"] == ["word_count"]
    assert list(tasks) == ["researcher_task", "writer_task", "editor_task"]
    assert tasks["researcher_task"]["description"] == (
        "List the five most important facts.\n\nInput:\n{message}"
    )
    assert tasks["writer_task"]["context"] == ["researcher_task"]
    assert tasks["editor_task"]["agent"] == "editor"
    crew = bundle.files[f"{src}/crew.py"]
    assert "@CrewBase" in crew and "process=Process.sequential" in crew
    assert "agent_runtime" not in crew and "eval(" not in crew
    assert '[tool.crewai]\ntype = "crew"' in bundle.files["pyproject.toml"]


def test_routers_humans_and_tool_steps_are_refused() -> None:
    for make, node, what in [
        (_specs.routed, "triage", "router"),
        (_specs.reviewed, "review", "human step"),
        (_specs.tool_step, "count", "tool step"),
    ]:
        with pytest.raises(ExportError) as caught:
            export_graph(make(), "crewai")
        assert f"node '{node}' uses {what}" in caught.value.message
        assert caught.value.message.startswith("The CrewAI export cannot express this graph")


def test_braces_crewai_would_read_as_placeholders_are_refused() -> None:
    spec = _specs.three_agents()
    spec["nodes"][2]["instructions"] = 'Answer as JSON: {"title": ...} and cite {source}.'
    with pytest.raises(ExportError, match=r"node 'writer' has \{source\} in its instructions"):
        export_graph(spec, "crewai")


def test_json_in_instructions_is_fine(server, tmp_path: Path) -> None:
    spec = _specs.three_agents()
    spec["nodes"][2]["instructions"] = 'Answer as JSON: {"title": "..."}.'
    with load_crewai(export_to(tmp_path, spec, "crewai")) as crew_class:
        result = crew_class().crew().kickoff(inputs={"message": "TRAIL[json]"})
    assert result.raw == "TRAIL[json > Researcher > Writer > Editor]"
    assert json.dumps({"title": "..."}) in server.requests[1].text
