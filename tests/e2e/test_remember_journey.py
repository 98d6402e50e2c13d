"""An agent that remembers, in a browser: switch on its remember tool in the builder, tell it
a name in one run, and see the next run recall it (the demo model scripted in
``model_script.yaml``; the app embeds with the bundled model)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from agent_runtime.settings import Settings
from agent_runtime.store import open_store
from app.paths import builder_path
from tests.agent_runtime.conformance._graphs import agent, linear

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e

EMBEDDING_S = 120_000  # the app loads the embedding model on the first run that needs it


@pytest.fixture
def store_and_graph(app_server: RunningApp) -> Iterator[tuple[object, str]]:
    """A Concierge graph whose Keeper reads long-term memory 'facts', deleted afterwards."""
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    memories = [{"id": "facts", "type": "long_term", "description": "What guests told us"}]
    spec = linear("Concierge", agent("keeper", "Keeper", memory=["facts"]), memories=memories)
    with open_store(settings=settings) as store:
        made = store.create_graph("Concierge", spec=spec).id
        yield store, made
        store.delete_graph(made)


def _run(page: Page, message: str) -> None:
    page.get_by_test_id("run-input").fill(message)
    page.get_by_test_id("run-button").click()


def test_an_agent_remembers_what_it_was_told(
    page: Page, store_and_graph: tuple[object, str], screenshot_dir: Path
) -> None:
    store, graph_id = store_and_graph
    page.goto(builder_path(graph_id))
    canvas = page.get_by_test_id("graph-canvas")
    expect(canvas).to_have_attribute("data-node-count", "3")

    # 1. The agent's Remember field offers the memories that take facts.
    canvas.get_by_test_id("node-keeper").click()
    remember = page.get_by_test_id("input-remember")
    expect(remember).to_be_visible()
    before = canvas.get_attribute("data-revision")
    remember.click()
    page.get_by_role("option", name="facts (long_term)").click()
    expect(canvas).not_to_have_attribute("data-revision", before or "")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-status", "saved")
    expect(remember).to_have_text("facts (long_term)")
    page.screenshot(path=screenshot_dir / "builder-remember.png", animations="disabled")
    keeper = next(n for n in store.get_spec(graph_id)["nodes"] if n["id"] == "keeper")
    assert keeper["remember"] == "facts"

    # 2. Told a name, it calls its remember tool.
    page.get_by_test_id("tab-run").click()
    _run(page, "Hello, my name is Ada")
    answer = page.get_by_test_id("run-answer")
    expect(answer).to_have_attribute("data-status", "succeeded", timeout=EMBEDDING_S)
    expect(answer).to_have_text("Noted.")
    row = page.get_by_test_id("trace-keeper")
    row.get_by_test_id("step-expand").click()
    expect(row.get_by_test_id("step-tools")).to_contain_text("remember")
    expect(row.get_by_test_id("step-tools")).to_contain_text("The user is Ada.")

    # 3. The next run retrieves it before answering, and the trace shows what it found.
    _run(page, "Who am I?")
    expect(answer).to_have_text("You are Ada.")
    row = page.get_by_test_id("trace-keeper")
    expect(row).to_contain_text("1 retrieved")
    retrieved = row.get_by_test_id("step-retrieved")
    if not retrieved.is_visible():
        row.get_by_test_id("step-expand").click()
    expect(retrieved).to_be_visible()
    expect(retrieved).to_contain_text("The user is Ada.")
    page.screenshot(path=screenshot_dir / "run-remembered.png", full_page=True)
