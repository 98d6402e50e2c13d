"""The builder's Export menu and its Import of AutoGen teams and CrewAI crews (real SQLite)."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
import yaml
from reflex.istate.data import RouterData

from agent_runtime.exporters import export_graph
from agent_runtime.store import open_store
from app.pages.builder_state import BuilderState
from app.services import builder, graphs

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module", autouse=True)
def _routes(app_routes: None) -> None:
    """Every test here loads pages."""


@pytest.fixture
def graph_id(data_dir: Path) -> str:
    spec = json.loads((EXAMPLES / "research_crew.json").read_text())
    return graphs.get_store().create_graph("Research crew", spec=spec).id


def open_builder(graph_id: str) -> BuilderState:
    root = rx.State()
    state = root.get_substate(BuilderState.get_full_name().split("."))
    state.parent_state.router = RouterData.from_router_data(
        {
            "query": {"graph_id": graph_id},
            "pathname": "/graphs/[graph_id]",
            "asPath": f"/graphs/{graph_id}",
        }
    )
    state.load_graph()
    return state


def downloaded(event: Any) -> tuple[str, bytes]:
    """(file name, bytes) of an ``rx.download`` event."""
    args = {name._js_expr: value for name, value in event.args}
    url = json.loads(str(args["url"]))
    return json.loads(str(args["filename"])), base64.b64decode(url.split(",", 1)[1])


def toast_text(event: Any) -> str:
    """The JavaScript of a toast event, which holds its message."""
    return "".join(str(value) for _, value in event.args)


def upload(name: str, data: bytes) -> rx.UploadFile:
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name))


def stored(data_dir: Path, graph_id: str) -> tuple[dict[str, Any], int]:
    with open_store(f"sqlite:///{data_dir / 'orchestrall.db'}") as store:
        return store.get_spec(graph_id), len(store.list_versions(graph_id))


# ---------------------------------------------------------------- export ---


def test_the_menu_offers_every_format() -> None:
    assert [c.target for c in builder.EXPORT_CHOICES] == ["json", "langgraph", "crewai", "autogen"]
    assert [c.label for c in builder.EXPORT_CHOICES] == [
        "Spec JSON",
        "LangGraph (.zip)",
        "CrewAI project (.zip)",
        "AutoGen team (.json)",
    ]


def test_each_format_downloads_what_the_exporter_makes(graph_id: str, data_dir: Path) -> None:
    state = open_builder(graph_id)
    spec, _ = stored(data_dir, graph_id)

    name, data = downloaded(state.export_as("json"))
    assert name == "Research crew.json" and json.loads(data) == spec

    name, data = downloaded(state.export_as("langgraph"))
    assert name == "Research crew-langgraph.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "Research crew-langgraph/graph.py" in archive.namelist()
        source = archive.read("Research crew-langgraph/graph.py").decode()
    assert source == export_graph(spec, "langgraph").files["graph.py"]

    name, data = downloaded(state.export_as("crewai"))
    assert name == "Research crew-crewai.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        agents = archive.read("Research crew-crewai/src/research_crew/config/agents.yaml")
    assert list(yaml.safe_load(agents)) == ["researcher", "writer", "editor"]

    name, data = downloaded(state.export_as("autogen"))
    assert name == "Research crew.team.json"
    team = json.loads(data)
    assert team["provider"] == "autogen_agentchat.teams.RoundRobinGroupChat"
    assert [p["config"]["name"] for p in team["config"]["participants"]] == [
        "Researcher",
        "Writer",
        "Editor",
    ]


def test_a_graph_a_format_cannot_hold_gets_a_toast_naming_the_nodes(data_dir: Path) -> None:
    spec = json.loads((EXAMPLES / "support_triage.json").read_text())
    state = open_builder(graphs.get_store().create_graph("Triage", spec=spec).id)
    text = toast_text(state.export_as("crewai"))
    assert '["error"]("Could not export: The CrewAI export cannot express this graph: ' in text
    assert "node 'triage' uses router" in text


def test_a_draft_exports_as_json_but_not_to_a_framework(data_dir: Path) -> None:
    state = open_builder(graphs.create_graph().id)  # input → output: no agent
    state.handle_ops([{"op": "add_node", "kind": "agent", "position": None}])  # unconnected
    text = toast_text(state.export_as("langgraph"))
    assert "Could not export: The graph has 1 problem: fix it before exporting to LangGraph" in text
    assert downloaded(state.export_as("json"))[0].endswith(".json")


# ---------------------------------------------------------------- import ---


async def test_an_autogen_team_replaces_the_graph_as_a_new_version(
    graph_id: str, data_dir: Path
) -> None:
    state = open_builder(graph_id)
    _, versions = stored(data_dir, graph_id)
    team = export_graph(json.loads((EXAMPLES / "research_crew.json").read_text()), "autogen")
    text = (
        team.files[team.main_file]
        .replace('"Researcher', '"Scout')
        .replace("You are Researcher.", "You are Scout.")
    )

    result = await state.import_spec([upload("team.json", text.encode())])

    assert state.import_error == "" and state.import_warnings == []
    assert '["success"]("Imported team.json (version' in toast_text(result)
    spec, count = stored(data_dir, graph_id)
    assert count == versions + 1
    assert spec["name"] == "Research crew"  # the graph keeps its name
    assert [n.get("name") for n in spec["nodes"] if n["kind"] == "agent"] == [
        "Scout",
        "Writer",
        "Editor",
    ]
    assert "researcher" in [n["id"] for n in state.canvas["nodes"]]
    with open_store(f"sqlite:///{data_dir / 'orchestrall.db'}") as store:
        assert store.list_versions(graph_id)[0].message == "Imported team.json"


async def test_crewai_yaml_files_import_with_warnings_shown(graph_id: str, data_dir: Path) -> None:
    state = open_builder(graph_id)
    agents = b"writer:\n  role: Writer\n  goal: Write\n  tools: [serper_dev_tool]\n"
    tasks = b"draft:\n  description: Draft it\n  agent: writer\n"

    await state.import_spec([upload("agents.yaml", agents), upload("tasks.yaml", tasks)])

    assert state.import_error == ""
    assert any("serper_dev_tool" in w for w in state.import_warnings)
    spec, _ = stored(data_dir, graph_id)
    assert [n["kind"] for n in spec["nodes"]] == ["input", "agent", "output"]
    state.dismiss_import_warnings()
    assert state.import_warnings == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([("agents.yaml", b"a: {role: A}")], "two YAML files: agents.yaml and tasks.yaml"),
        (
            [("team.json", b'{"provider": "autogen_agentchat.teams.Swarm", "config": {}}')],
            "Could not import team.json: a Swarm team cannot be imported",
        ),
        (
            [("agents.yaml", b"a: &x {role: A}"), ("tasks.yaml", b"t: {agent: a}")],
            "Could not import agents.yaml and tasks.yaml: agents.yaml: not valid YAML",
        ),
        ([("crew.zip", b"PK\x03\x04 nope")], "Could not import crew.zip: not a valid zip file."),
    ],
)
async def test_a_broken_import_says_why_and_changes_nothing(
    graph_id: str, data_dir: Path, files: list, expected: str
) -> None:
    state = open_builder(graph_id)
    before = stored(data_dir, graph_id)
    await state.import_spec([upload(n, d) for n, d in files])
    assert expected in state.import_error
    assert stored(data_dir, graph_id) == before
    assert not state.can_undo
