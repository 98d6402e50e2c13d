"""The manager switch of the graph settings in a browser: switch it on, pick its model and
write its instructions, see a problem at its model field, switch it off again.

Each change is awaited the way a person sees it land (the canvas's ``data-revision``
moves, then ``save-state`` reads ``saved``); the store is then read to check the save.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, expect

from agent_runtime.settings import Settings
from agent_runtime.store import Store, open_store
from app.paths import builder_path
from tests.agent_runtime.conformance._graphs import agent, linear

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e

INSTRUCTIONS = "Give the research to the Researcher first, then let the Writer summarise it."


@pytest.fixture
def store(app_server: RunningApp) -> Iterator[Store]:
    """The app's own store (the same SQLite file); graphs added here are deleted after."""
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    with open_store(settings=settings) as store:
        before = {graph.id for graph in store.list_graphs()}
        yield store
        for graph in store.list_graphs():
            if graph.id not in before:
                store.delete_graph(graph.id)


def _team() -> dict[str, Any]:
    """input → Researcher → Writer → output, with the demo model and an OpenAI one."""
    spec = linear("Research team", agent("researcher", "Researcher"), agent("writer", "Writer"))
    spec["models"].append(
        {
            "id": "gpt",
            "provider": "openai",
            "model": "gpt-4o-mini",
            "api_key_secret": "OPENAI_API_KEY",
        }
    )
    positions = {"input": 0, "researcher": 260, "writer": 520, "output": 780}
    spec["layout"] = {"positions": {k: {"x": x, "y": 0} for k, x in positions.items()}}
    return spec


@contextlib.contextmanager
def _saved_change(page: Page) -> Iterator[None]:
    """Wait until the change made in the block reached the backend, then the store."""
    canvas = page.get_by_test_id("graph-canvas")
    before = canvas.get_attribute("data-revision")
    yield
    expect(canvas).not_to_have_attribute("data-revision", before or "")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-status", "saved")


def test_switch_the_manager_on_set_it_up_and_switch_it_off(
    page: Page, store: Store, screenshot_dir: Path
) -> None:
    graph_id = store.create_graph("Research team", spec=_team()).id
    page.goto(builder_path(graph_id))
    expect(page.get_by_test_id("graph-canvas")).to_have_attribute("data-node-count", "4")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-status", "saved")
    saved = store.get_spec(graph_id)
    assert "manager" not in saved

    # With nothing selected the panel shows the graph settings, the manager switched off.
    settings = page.get_by_test_id("graph-settings")
    manager = settings.get_by_test_id("field-manager")
    switch = manager.get_by_test_id("input-manager")
    expect(manager).to_contain_text("A manager delegates the work (CrewAI only)")
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(settings.get_by_test_id("field-manager.model")).to_have_count(0)

    # 1. On: the spec gets an empty manager, and its two fields appear.
    with _saved_change(page):
        switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    assert store.get_spec(graph_id)["manager"] == {}
    model = settings.get_by_test_id("input-manager.model")
    expect(model).to_have_text("(default model)")
    instructions = settings.get_by_test_id("input-manager.instructions")
    expect(instructions).to_have_value("")

    # 2. Its model and its instructions.
    with _saved_change(page):
        model.click()
        page.get_by_role("option", name="gpt (gpt-4o-mini)").click()
    expect(model).to_have_text("gpt (gpt-4o-mini)")
    with _saved_change(page):
        instructions.fill(INSTRUCTIONS)
        instructions.press("Tab")
    assert store.get_spec(graph_id)["manager"] == {"model": "gpt", "instructions": INSTRUCTIONS}
    expect(page.get_by_test_id("draft-status")).to_have_count(0)

    # 3. Removing the model the manager uses is a problem at the manager's model field;
    # undo puts the model back.
    with _saved_change(page):
        settings.get_by_test_id("remove-models/1").click()
    problem = settings.get_by_test_id("field-manager.model").get_by_test_id("field-problem")
    expect(problem).to_have_text("Model 'gpt' is not in the graph's models.")
    expect(page.get_by_test_id("draft-status")).to_have_text("Draft: 1 problem")
    with _saved_change(page):
        page.get_by_test_id("undo").click()
    expect(problem).to_have_count(0)
    expect(page.get_by_test_id("draft-status")).to_have_count(0)
    expect(instructions).to_have_value(INSTRUCTIONS)

    manager.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "graph-manager.png", animations="disabled")

    # 4. Off: the manager is gone from the spec, and so are its fields.
    with _saved_change(page):
        switch.click()
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(settings.get_by_test_id("field-manager.model")).to_have_count(0)
    expect(settings.get_by_test_id("field-manager.instructions")).to_have_count(0)
    spec = store.get_spec(graph_id)
    assert "manager" not in spec
    assert spec == saved
