"""LangGraph export: the generated module, loaded as ``langgraph dev`` loads it, runs like us."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent_runtime.errors import ExportError
from agent_runtime.exporters import export_graph
from tests.agent_runtime.conformance._graphs import agent, edge, graph, input_node, output_node
from tests.agent_runtime.exporters import _specs
from tests.agent_runtime.exporters._frameworks import (
    export_to,
    load_langgraph,
    our_run,
    speakers,
)


@pytest.mark.parametrize(
    ("make", "message", "expected"),
    [
        *_specs.CREW_RUNS,
        (_specs.routed, "TRAIL[a refund please]", "TRAIL[a refund please > Intake > Billing]"),
        (_specs.routed, "TRAIL[hello]", "TRAIL[hello > Intake > Support]"),
        (_specs.llm_routed, "TRAIL[refund]", "TRAIL[refund > Intake > Billing]"),
        (_specs.llm_routed, "TRAIL[hello]", "TRAIL[hello > Intake > Support]"),
        (_specs.tool_step, "three little words", '[demo model] Reporter: received "3"'),
    ],
)
def test_the_export_gives_the_same_output_as_our_backend(
    make, message: str, expected: str, server, tmp_path: Path
) -> None:
    spec = make()
    ours = our_run(spec, message, server=server, data_dir=tmp_path)

    with load_langgraph(export_to(tmp_path, spec, "langgraph")) as exported:
        result = exported.invoke({"input": {"message": message}})

    assert ours.output == expected
    assert result["output"] == ours.output
    assert speakers(server) == ours.speakers


def test_agents_send_the_same_system_prompt_and_task_as_ours(server, tmp_path: Path) -> None:
    spec = _specs.three_agents()
    run = our_run(spec, "TRAIL[x]", server=server, data_dir=tmp_path)
    ours = [(r.system, r.messages[-1]["content"]) for r in run.requests]
    with load_langgraph(export_to(tmp_path, spec, "langgraph")) as exported:
        exported.invoke({"input": {"message": "TRAIL[x]"}})
    assert [(r.system, r.messages[-1]["content"]) for r in server.requests] == ours
    assert ours[0][0].startswith("You are Researcher.\nRole: Senior researcher\nGoal: Collect")


def test_a_human_approval_interrupts_and_resumes(server, tmp_path: Path) -> None:
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.types import Command

    with load_langgraph(export_to(tmp_path, _specs.reviewed(), "langgraph"), "module") as module:
        runnable = module.builder.compile(checkpointer=InMemorySaver())
        config = {"configurable": {"thread_id": "t1"}}
        first = runnable.invoke({"input": {"message": "TRAIL[launch]"}}, config)
        [asked] = first["__interrupt__"]
        assert asked.value["prompt"] == "Publish this draft?"
        assert asked.value["proposal"] == "TRAIL[launch > Writer]"

        again = runnable.invoke(Command(resume={"approved": False, "comment": "shorter"}), config)
        # rejected: the writer gets the feedback with its draft, and tries again
        assert (
            server.requests[-1]
            .messages[-1]["content"]
            .startswith("Rejected by the reviewer: shorter\n\nDraft:\nTRAIL[launch > Writer]")
        )
        assert again["__interrupt__"][0].value["proposal"] == "TRAIL[launch > Writer > Writer]"
        done = runnable.invoke(Command(resume={"approved": True}), config)
    assert done["output"] == "TRAIL[launch > Writer > Writer > Editor]"


def test_langgraph_json_and_the_other_files(tmp_path: Path) -> None:
    bundle = export_graph(_specs.with_a_tool(), "langgraph")
    assert list(bundle.files) == [
        "graph.py",
        "langgraph.json",
        "requirements.txt",
        ".env.example",
        "README.md",
    ]
    config = json.loads(bundle.files["langgraph.json"])
    assert config["graphs"] == {"calculating_crew": "./graph.py:graph"}
    assert config["dependencies"] == ["."]
    assert "langgraph" in bundle.files["requirements.txt"]
    assert "ORCHESTRALL_DEFAULT_BASE_URL=http://127.0.0.1:8765/v1" in bundle.files[".env.example"]
    source = bundle.files["graph.py"]
    assert "import agent_runtime" not in source and "from agent_runtime" not in source
    assert "eval(" not in source and "exec(" not in source
    assert 'builder.add_edge("researcher", "writer")' in source


def test_the_generated_module_is_clean_python(tmp_path: Path) -> None:
    """Pyflakes finds nothing (no unused imports, no undefined names) in any variant."""
    paths = []
    for make in (_specs.with_a_tool, _specs.routed, _specs.llm_routed, _specs.reviewed):
        out = tmp_path / make.__name__
        export_graph(make(), "langgraph").write(out)
        paths.append(str(out / "graph.py"))
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "check", "--isolated", "--select", "F,E9", *paths],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_it_runs_as_a_script(server, tmp_path: Path) -> None:
    out = export_to(tmp_path, _specs.three_agents(), "langgraph")
    result = subprocess.run(
        [sys.executable, str(out / "graph.py"), "TRAIL[script]"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=out,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "TRAIL[script > Researcher > Writer > Editor]"


def test_a_review_runs_in_the_terminal(server, tmp_path: Path) -> None:
    out = export_to(tmp_path, _specs.reviewed(), "langgraph")
    result = subprocess.run(
        [sys.executable, str(out / "graph.py"), "TRAIL[launch]"],
        input="no, shorter please\nyes\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=out,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "TRAIL[launch > Writer]",
        "Publish this draft? TRAIL[launch > Writer > Writer]",
        "Publish this draft? TRAIL[launch > Writer > Writer > Editor]",
    ]


def test_memory_and_parallel_branches_are_refused_naming_the_nodes() -> None:
    nodes = [input_node(), agent("a", "A"), agent("b", "B"), agent("c", "C"), output_node()]
    edges = [edge("input", "a"), edge("a", "b"), edge("a", "c"), edge("b", "output")]
    edges.append(edge("c", "output"))
    with pytest.raises(ExportError) as caught:
        export_graph(graph("Fan out", nodes, edges), "langgraph")
    assert caught.value.code == "export_unsupported"
    assert caught.value.node_ids == ("a",)
    assert "node 'a' uses parallel branches" in caught.value.message

    content = json.loads((Path(__file__).parents[3] / "examples/content_approval.json").read_text())
    with pytest.raises(ExportError, match="node 'style' uses memory step"):
        export_graph(content, "langgraph")
