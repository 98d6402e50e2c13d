"""Export and import in a browser: the Export menu downloads each format, and the Import
button takes back an AutoGen team and a CrewAI crew.

Downloads are checked for what a person would open: the spec JSON, the LangGraph and
CrewAI project zips (their main files inside), the AutoGen team JSON.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from playwright.sync_api import Locator, Page, expect

from agent_runtime.settings import Settings
from agent_runtime.store import Store, open_store
from app.paths import builder_path

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = json.loads((ROOT / "examples" / "research_crew.json").read_text())


@pytest.fixture
def store(app_server: RunningApp) -> Iterator[Store]:
    """The app's store; graphs added by the test are deleted afterwards."""
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    with open_store(settings=settings) as store:
        before = {graph.id for graph in store.list_graphs()}
        yield store
        for graph in store.list_graphs():
            if graph.id not in before:
                store.delete_graph(graph.id)


def _open_builder(page: Page, graph_id: str, nodes: int) -> Locator:
    page.goto(builder_path(graph_id))
    canvas = page.get_by_test_id("graph-canvas")
    expect(canvas).to_have_attribute("data-node-count", str(nodes))
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-status", "saved")
    return canvas


def _download(page: Page, target: str) -> tuple[str, bytes]:
    """Open the Export menu, choose ``target``; the download's name and bytes."""
    menu = page.get_by_test_id("export-formats")
    expect(menu).to_have_count(0)  # closed (the last choice's closing animation is over)
    page.get_by_test_id("export-menu").click()
    item = page.get_by_test_id(f"export-{target}")
    expect(item).to_be_visible()
    with page.expect_download() as info:
        item.click()
    download = info.value
    expect(menu).to_have_count(0)
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_the_export_menu_downloads_every_format(
    page: Page, store: Store, screenshot_dir: Path
) -> None:
    graph_id = store.create_graph("Research crew", spec=EXAMPLE).id
    _open_builder(page, graph_id, nodes=len(EXAMPLE["nodes"]))

    page.get_by_test_id("export-menu").click()
    menu = page.get_by_test_id("export-formats")
    expect(menu).to_be_visible()
    for label in ("Spec JSON", "LangGraph (.zip)", "CrewAI project (.zip)", "AutoGen team (.json)"):
        expect(menu).to_contain_text(label)
    page.wait_for_timeout(300)  # the menu's opening animation
    page.screenshot(path=screenshot_dir / "export-menu.png", animations="disabled")
    page.keyboard.press("Escape")
    expect(menu).to_have_count(0)

    name, data = _download(page, "json")
    assert name == "Research crew.json"
    assert json.loads(data) == store.get_spec(graph_id)

    name, data = _download(page, "langgraph")
    assert name == "Research crew-langgraph.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = set(archive.namelist())
        graph_py = archive.read("Research crew-langgraph/graph.py").decode()
        config = json.loads(archive.read("Research crew-langgraph/langgraph.json"))
    assert "Research crew-langgraph/requirements.txt" in files
    assert "builder = StateGraph(State)" in graph_py
    assert config["graphs"] == {"research_crew": "./graph.py:graph"}

    name, data = _download(page, "crewai")
    assert name == "Research crew-crewai.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        prefix = "Research crew-crewai/src/research_crew/"
        agents = yaml.safe_load(archive.read(prefix + "config/agents.yaml"))
        tasks = yaml.safe_load(archive.read(prefix + "config/tasks.yaml"))
        crew_py = archive.read(prefix + "crew.py").decode()
    assert list(agents) == ["researcher", "writer", "editor"]
    assert [t["agent"] for t in tasks.values()] == ["researcher", "writer", "editor"]
    assert "@CrewBase" in crew_py

    name, data = _download(page, "autogen")
    assert name == "Research crew.team.json"
    team = json.loads(data)
    assert team["provider"] == "autogen_agentchat.teams.RoundRobinGroupChat"
    names = [p["config"]["name"] for p in team["config"]["participants"]]
    assert names == ["Researcher", "Writer", "Editor"]

    # The plain Export button still downloads the spec at once.
    with page.expect_download() as info:
        page.get_by_test_id("export-button").click()
    assert info.value.suggested_filename == "Research crew.json"


def test_a_graph_the_format_cannot_hold_says_which_nodes(page: Page, store: Store) -> None:
    spec = json.loads((ROOT / "examples" / "support_triage.json").read_text())
    graph_id = store.create_graph("Support triage", spec=spec).id
    _open_builder(page, graph_id, nodes=len(spec["nodes"]))
    page.get_by_test_id("export-menu").click()
    page.get_by_test_id("export-autogen").click()
    toast = page.get_by_text("Could not export: The AutoGen export cannot express this graph")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("node 'triage' uses router")


def test_importing_an_autogen_team_and_a_crewai_crew(
    page: Page, store: Store, screenshot_dir: Path
) -> None:
    graph_id = store.create_graph("Import target").id
    canvas = _open_builder(page, graph_id, nodes=2)
    upload = page.locator("[data-testid=import-spec] input[type=file]")

    team = {
        "provider": "autogen_agentchat.teams.RoundRobinGroupChat",
        "component_type": "team",
        "label": "Two helpers",
        "config": {
            "participants": [
                {
                    "provider": "autogen_agentchat.agents.AssistantAgent",
                    "component_type": "agent",
                    "config": {
                        "name": name,
                        "system_message": f"You help with {name}.",
                        "model_client": {
                            "provider": "autogen_ext.models.openai.OpenAIChatCompletionClient",
                            "component_type": "model",
                            "config": {"model": "gpt-4o-mini"},
                        },
                    },
                }
                for name in ("planner", "checker")
            ],
            "max_turns": 2,
        },
    }
    upload.set_input_files(
        files=[
            {
                "name": "team.json",
                "mimeType": "application/json",
                "buffer": json.dumps(team).encode(),
            }
        ]
    )
    expect(canvas).to_have_attribute("data-node-count", "4")
    expect(page.get_by_test_id("import-error")).to_have_count(0)
    agents = [n["name"] for n in store.get_spec(graph_id)["nodes"] if n["kind"] == "agent"]
    assert agents == ["planner", "checker"]

    upload.set_input_files(
        files=[
            {
                "name": "agents.yaml",
                "mimeType": "application/x-yaml",
                "buffer": b"writer:\n  role: Writer\n  tools: [calculator, web_search]\n",
            },
            {
                "name": "tasks.yaml",
                "mimeType": "application/x-yaml",
                "buffer": b"draft:\n  description: Draft a post about {message}\n  agent: writer\n",
            },
        ]
    )
    expect(canvas).to_have_attribute("data-node-count", "3")
    warnings = page.get_by_test_id("import-warnings")
    expect(warnings).to_contain_text("tool 'web_search' was not imported")
    page.screenshot(path=screenshot_dir / "import-warnings.png", animations="disabled")
    spec = store.get_spec(graph_id)
    assert spec["name"] == "Import target"
    assert [t["name"] for t in spec["tools"]] == ["calculator"]

    # A lone YAML file: a clear error, nothing changes.
    upload.set_input_files(
        files=[{"name": "agents.yaml", "mimeType": "application/x-yaml", "buffer": b"a: {}"}]
    )
    expect(page.get_by_test_id("import-error")).to_contain_text(
        "A CrewAI crew is imported from two YAML files"
    )
    assert store.get_spec(graph_id) == spec
