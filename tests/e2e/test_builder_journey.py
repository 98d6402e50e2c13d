"""The builder page in a browser: build a graph from the palette, edit an agent until its
problems clear, undo and redo, reload, restore a version, import and export, and a
problem in the list that leads to its node.

Each change is awaited the way a person sees it land: the canvas's ``data-revision``
moves once the backend has applied it, then ``save-state`` reads ``saved`` once the
autosave has written it; the store is then read to check what was saved.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Locator, Page, expect

from agent_runtime.settings import Settings
from agent_runtime.spec import new_graph_spec
from agent_runtime.store import Store, open_store
from app.paths import builder_path

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
INSTRUCTIONS = "Answer the question in three short bullet points."


@pytest.fixture
def store(app_server: RunningApp) -> Iterator[Store]:
    """The app's own store (the same SQLite file), to seed graphs and check saves.

    Graphs added during the test are deleted afterwards: the other journeys (the home
    page's) share the app and expect to find its graphs as they left them.
    """
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    with open_store(settings=settings) as store:
        before = {graph.id for graph in store.list_graphs()}
        yield store
        for graph in store.list_graphs():
            if graph.id not in before:
                store.delete_graph(graph.id)


def _open_builder(page: Page, graph_id: str, nodes: int) -> Locator:
    """The graph's builder page; returns its canvas once its ``nodes`` are drawn."""
    page.goto(builder_path(graph_id))
    canvas = page.get_by_test_id("graph-canvas")
    expect(canvas).to_have_attribute("data-node-count", str(nodes))
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-status", "saved")
    return canvas


@contextlib.contextmanager
def _saved_change(page: Page) -> Iterator[None]:
    """Wait until the change made in the block reached the backend, then the store."""
    canvas = page.get_by_test_id("graph-canvas")
    before = canvas.get_attribute("data-revision")
    yield
    expect(canvas).not_to_have_attribute("data-revision", before or "")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-status", "saved")


def _shot(page: Page, path: Path) -> None:
    """A screenshot with CSS animations (toasts, callouts) finished."""
    page.screenshot(path=path, animations="disabled")


def _node(spec: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in spec["nodes"] if n["id"] == node_id)


def _edges(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["source"], e["target"]) for e in spec["edges"]}


def _click_between(page: Page, start: str, end: str) -> None:
    """Click halfway between two handles: on a straight edge (whose box has no height)."""
    a = page.get_by_test_id(start).bounding_box()
    b = page.get_by_test_id(end).bounding_box()
    assert a is not None and b is not None
    page.mouse.click(
        (a["x"] + a["width"] / 2 + b["x"] + b["width"] / 2) / 2,
        (a["y"] + a["height"] / 2 + b["y"] + b["height"] / 2) / 2,
    )


def _expect_valid(page: Page) -> None:
    """What a person sees of a valid, saved graph: Saved, no draft badge, no problems."""
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-status", "saved")
    expect(page.get_by_test_id("save-status")).to_have_text("Saved")
    expect(page.get_by_test_id("draft-status")).to_have_count(0)
    expect(page.get_by_test_id("problems-empty")).to_be_visible()
    expect(page.get_by_test_id("problem-count")).to_have_text("0")


def test_build_edit_undo_reload_and_restore(page: Page, store: Store, screenshot_dir: Path) -> None:
    graph_id = store.create_graph("Three nodes").id
    canvas = _open_builder(page, graph_id, nodes=2)
    expect(canvas).to_have_attribute("data-edge-count", "1")

    # 1. Build input → agent → output. First the default input → output edge goes:
    # click it, press Delete (the click put the focus inside the canvas).
    with _saved_change(page):
        _click_between(page, "handle-input-out", "handle-output-in")
        expect(canvas).to_have_attribute("data-selected-edges", "e-input-output")
        page.keyboard.press("Delete")
        expect(canvas).to_have_attribute("data-edge-count", "0")
    expect(page.get_by_test_id("draft-status")).to_be_visible()  # the output is unreachable

    # Drop an agent from the palette below the middle of the two, clear of both.
    box, below = canvas.bounding_box(), canvas.get_by_test_id("node-input").bounding_box()
    assert box is not None and below is not None
    drop = {"x": box["width"] / 2, "y": below["y"] + below["height"] + 120 - box["y"]}
    with _saved_change(page):
        page.get_by_test_id("palette-agent").drag_to(canvas, target_position=drop)
        expect(canvas).to_have_attribute("data-node-count", "3")
    ids = canvas.locator(".react-flow__node").evaluate_all("els => els.map(e => e.dataset.id)")
    (agent,) = set(ids) - {"input", "output"}
    expect(canvas.get_by_test_id(f"badge-{agent}")).to_be_visible()  # not reachable yet

    with _saved_change(page):
        page.get_by_test_id("handle-input-out").drag_to(page.get_by_test_id(f"handle-{agent}-in"))
        expect(canvas).to_have_attribute("data-edge-count", "1")
    with _saved_change(page):
        page.get_by_test_id(f"handle-{agent}-out").drag_to(page.get_by_test_id("handle-output-in"))
        expect(canvas).to_have_attribute("data-edge-count", "2")
    _expect_valid(page)
    expect(canvas.get_by_test_id(f"badge-{agent}")).to_have_count(0)
    _shot(page, screenshot_dir / "builder-built.png")
    spec = store.get_spec(graph_id)
    assert [n["id"] for n in spec["nodes"]] == ["input", "output", agent]
    assert _edges(spec) == {("input", agent), (agent, "output")}

    # 2. The agent's properties: an empty name is a problem at the field, on the node
    # and in the list; a name and instructions clear it.
    canvas.get_by_test_id(f"node-{agent}").click()
    expect(canvas).to_have_attribute("data-selected", agent)
    expect(page.get_by_test_id("panel-kind")).to_have_text("agent")
    name = page.get_by_test_id("input-name")
    with _saved_change(page):
        name.fill("")
        name.press("Tab")
    badge = canvas.get_by_test_id(f"badge-{agent}")
    expect(badge).to_have_attribute("title", re.compile(r"^1 problem: .+"))
    expect(page.get_by_test_id("field-name").get_by_test_id("field-problem")).to_be_visible()
    expect(page.get_by_test_id("problem-item")).to_have_count(1)
    expect(page.get_by_test_id("problem-item")).to_have_attribute("data-node-id", agent)
    expect(page.get_by_test_id("draft-status")).to_have_text("Draft: 1 problem")
    _shot(page, screenshot_dir / "builder-name-problem.png")
    assert store.get_graph(graph_id).is_valid is False  # saved as a draft

    with _saved_change(page):
        name.fill("Researcher")
        name.press("Tab")
    expect(badge).to_have_count(0)
    expect(page.get_by_test_id("field-name").get_by_test_id("field-problem")).to_have_count(0)
    instructions = page.get_by_test_id("input-instructions")
    with _saved_change(page):
        instructions.fill(INSTRUCTIONS)
        instructions.press("Tab")
    _expect_valid(page)
    expect(canvas.get_by_test_id(f"node-{agent}")).to_contain_text("Researcher")
    _shot(page, screenshot_dir / "builder-edited.png")
    node = _node(store.get_spec(graph_id), agent)
    assert (node["name"], node["instructions"]) == ("Researcher", INSTRUCTIONS)

    # 3. Undo and redo: the canvas toolbar, the keyboard on the focused canvas, the top bar.
    expect(canvas).to_have_attribute("data-node-count", "3")
    steps = [
        (lambda: page.get_by_test_id("canvas-duplicate").click(), "4"),
        (lambda: page.get_by_test_id("canvas-undo").click(), "3"),
        (lambda: page.get_by_test_id("canvas-redo").click(), "4"),
        (lambda: canvas.press("Control+z"), "3"),
        (lambda: canvas.press("Control+Shift+z"), "4"),
        (lambda: page.get_by_test_id("undo").click(), "3"),
        (lambda: page.get_by_test_id("redo").click(), "4"),
        (lambda: page.get_by_test_id("undo").click(), "3"),
    ]
    for act, expected in steps:
        before = canvas.get_attribute("data-revision")
        act()
        expect(canvas).to_have_attribute("data-node-count", expected)
        expect(canvas).not_to_have_attribute("data-revision", before or "")
    _expect_valid(page)
    expect(page.get_by_test_id("redo")).to_be_enabled()
    assert len(store.get_spec(graph_id)["nodes"]) == 3

    # 4. A reload finds all of it.
    page.reload()
    expect(canvas).to_have_attribute("data-node-count", "3")
    expect(canvas).to_have_attribute("data-edge-count", "2")
    for edge in store.get_spec(graph_id)["edges"]:
        expect(canvas.get_by_test_id(f"rf__edge-{edge['id']}")).to_be_attached()
    expect(canvas.get_by_test_id(f"node-{agent}")).to_contain_text("Researcher")
    _expect_valid(page)
    canvas.get_by_test_id(f"node-{agent}").click()
    expect(page.get_by_test_id("input-name")).to_have_value("Researcher")
    expect(page.get_by_test_id("input-instructions")).to_have_value(INSTRUCTIONS)
    _shot(page, screenshot_dir / "builder-reloaded.png")

    # 5. Version 1 (input → output) previewed read-only, then restored as a new version.
    saved = len(store.list_versions(graph_id))
    page.get_by_test_id("versions-button").click()
    rows = page.get_by_test_id("versions").get_by_role("listitem")
    expect(rows).to_have_count(saved)
    expect(rows.first).to_have_attribute("data-testid", f"version-{saved}")
    page.get_by_test_id("preview-version-1").click()
    preview = page.get_by_test_id("preview-canvas")
    expect(page.get_by_test_id("version-preview")).to_contain_text("Previewing version 1")
    expect(preview).to_have_attribute("data-read-only", "true")
    expect(preview).to_have_attribute("data-node-count", "2")
    expect(preview).to_have_attribute("data-edge-count", "1")
    expect(preview.get_by_test_id(f"node-{agent}")).to_have_count(0)
    expect(preview.get_by_test_id("canvas-toolbar")).to_have_count(0)
    _shot(page, screenshot_dir / "builder-version-preview.png")

    page.get_by_test_id("restore-previewed").click()
    expect(page.get_by_test_id("version-preview")).to_have_count(0)
    expect(rows).to_have_count(saved + 1)
    expect(rows.first).to_have_attribute("data-testid", f"version-{saved + 1}")
    expect(rows.first).to_contain_text("Restored version 1")
    expect(canvas).to_have_attribute("data-node-count", "2")
    expect(canvas).to_have_attribute("data-edge-count", "1")
    expect(canvas.get_by_test_id(f"node-{agent}")).to_have_count(0)
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-status", "saved")
    rows.first.scroll_into_view_if_needed()
    _shot(page, screenshot_dir / "builder-restored.png")
    versions = store.list_versions(graph_id)
    assert [v.version for v in versions][:2] == [saved + 1, saved]
    assert store.get_spec(graph_id)["nodes"] == store.get_spec(graph_id, 1)["nodes"]
    assert _node(store.get_spec(graph_id, saved), agent)["instructions"] == INSTRUCTIONS


def _upload(page: Page, name: str, data: bytes) -> None:
    page.locator("[data-testid=import-spec] input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "application/json", "buffer": data}]
    )


def test_import_broken_then_valid_spec_and_export(
    page: Page, store: Store, screenshot_dir: Path
) -> None:
    graph_id = store.create_graph("Import target").id
    canvas = _open_builder(page, graph_id, nodes=2)
    revision = canvas.get_attribute("data-revision")
    before = (store.get_spec(graph_id), len(store.list_versions(graph_id)))

    # 6. Files that are not specs: the error says why; nothing changes anywhere.
    error = page.get_by_test_id("import-error")
    _upload(page, "notes.txt", b"these are my notes, not a graph")
    expect(error).to_contain_text("Could not import notes.txt: not valid JSON")
    _shot(page, screenshot_dir / "builder-import-error.png")
    _upload(page, "list.json", b'[{"id": "input"}]')
    expect(error).to_contain_text("Could not import list.json: not a graph spec")
    expect(error).to_contain_text("a spec is a JSON object")
    expect(canvas).to_have_attribute("data-node-count", "2")
    expect(canvas).to_have_attribute("data-revision", revision or "")
    assert (store.get_spec(graph_id), len(store.list_versions(graph_id))) == before

    # A real spec replaces the graph (a new version, the name too).
    example = json.loads((ROOT / "examples" / "research_crew.json").read_text())
    _upload(page, "research_crew.json", (ROOT / "examples" / "research_crew.json").read_bytes())
    expect(error).to_have_count(0)
    expect(canvas).to_have_attribute("data-node-count", str(len(example["nodes"])))
    expect(canvas).to_have_attribute("data-edge-count", str(len(example["edges"])))
    expect(page.get_by_test_id("graph-name")).to_have_value(example["name"])
    page.get_by_test_id("canvas-fit").click()
    for node in example["nodes"]:
        expect(canvas.get_by_test_id(f"node-{node['id']}")).to_be_visible()
    _expect_valid(page)
    _shot(page, screenshot_dir / "builder-imported.png")
    current = store.get_spec(graph_id)
    assert [n["id"] for n in current["nodes"]] == [n["id"] for n in example["nodes"]]
    assert len(store.list_versions(graph_id)) == before[1] + 1

    # 7. Export downloads exactly the store's current spec.
    with page.expect_download() as download_info:
        page.get_by_test_id("export-button").click()
    download = download_info.value
    assert download.suggested_filename == f"{example['name']}.json"
    assert json.loads(Path(download.path()).read_text()) == store.get_spec(graph_id)


def test_a_problem_in_the_list_selects_and_centres_its_node(
    page: Page, store: Store, screenshot_dir: Path
) -> None:
    spec = new_graph_spec("Lost agent")
    spec["nodes"].append({"id": "lost", "kind": "agent", "name": "Lost agent"})
    spec["layout"]["positions"]["lost"] = {"x": 0, "y": 360}
    graph_id = store.create_graph("Lost agent", spec=spec).id
    canvas = _open_builder(page, graph_id, nodes=3)
    item = page.get_by_test_id("problem-item")
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-node-id", "lost")
    expect(canvas).to_have_attribute("data-selected", "")

    # Pan the view until the node is off-screen (so not drawn at all).
    box = canvas.bounding_box()
    assert box is not None
    for _ in range(2):
        page.mouse.move(box["x"] + 30, box["y"] + 80)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] - 30, box["y"] + box["height"] - 30, steps=8)
        page.mouse.up()
    expect(canvas.get_by_test_id("node-lost")).to_have_count(0)

    item.click()
    expect(canvas).to_have_attribute("data-selected", "lost")
    expect(page.get_by_test_id("panel-kind")).to_have_text("agent")
    node = canvas.get_by_test_id("node-lost")
    expect(node).to_be_visible()
    # Centred: the node's middle comes to rest at the middle of the canvas.
    page.wait_for_function(
        """() => {
            const box = (id) =>
                document.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect();
            const c = box("graph-canvas"), n = box("node-lost");
            return !!n && Math.abs((c.left + c.right) / 2 - (n.left + n.right) / 2) < 4
                && Math.abs((c.top + c.bottom) / 2 - (n.top + n.bottom) / 2) < 4;
        }"""
    )
    _shot(page, screenshot_dir / "builder-problem-selected.png")
