"""The builder's Run tab in a browser: send a message, watch the answer stream and the trace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from agent_runtime.backends import BACKEND_NAMES
from agent_runtime.settings import Settings
from agent_runtime.store import open_store
from app.paths import builder_path
from tests.agent_runtime.conformance._graphs import (
    agent,
    chain,
    graph,
    input_node,
    linear,
    output_node,
)

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e


@pytest.fixture
def graph_id(app_server: RunningApp) -> Iterator[str]:
    """A saved input → Greeter → output graph, deleted afterwards."""
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    with open_store(settings=settings) as store:
        spec = linear("Greeting", agent("greeter", "Greeter"))
        made = store.create_graph("Greeting", spec=spec).id
        yield made
        store.delete_graph(made)


def test_a_run_streams_its_answer_and_trace(
    page: Page, graph_id: str, screenshot_dir: Path
) -> None:
    page.goto(builder_path(graph_id))
    expect(page.get_by_test_id("graph-canvas")).to_have_attribute("data-node-count", "3")

    page.get_by_test_id("tab-run").click()
    page.get_by_test_id("run-input").fill("Say hello to the bees")
    page.get_by_test_id("run-button").click()

    answer = page.get_by_test_id("run-answer")
    expect(answer).to_have_attribute("data-status", "succeeded")
    expect(answer).to_have_text('[demo model] Greeter: received "Say hello to the bees"')
    trace = page.get_by_test_id("run-trace")
    for node_id in ("input", "greeter", "output"):
        expect(trace.get_by_test_id(f"trace-{node_id}")).to_have_attribute("data-status", "done")
    expect(trace.get_by_test_id("trace-greeter")).to_contain_text("tokens")
    expect(page.get_by_test_id("run-error")).to_have_count(0)
    expect(page.get_by_test_id("graph-canvas")).to_have_attribute("data-running", "")

    page.screenshot(path=screenshot_dir / "run-panel.png")


def test_a_form_run_on_the_demo_model_shows_each_steps_details(
    page: Page, app_server: RunningApp, screenshot_dir: Path
) -> None:
    fields = [{"name": "topic", "type": "text"}, {"name": "count", "type": "number"}]
    spec = graph(
        "Briefing",
        [input_node(fields=fields), agent("writer", "Writer"), output_node()],
        chain("input", "writer", "output"),
    )
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    with open_store(settings=settings) as store:
        graph_id = store.create_graph("Briefing", spec=spec).id
        try:
            page.goto(builder_path(graph_id))
            page.get_by_test_id("tab-run").click()
            expect(page.get_by_test_id("run-input")).to_have_count(0)
            page.get_by_test_id("run-field-topic").fill("bees")
            page.get_by_test_id("run-field-count").fill("3")
            page.get_by_test_id("run-model").click()
            page.get_by_role("option", name="Demo model (offline)").click()
            page.get_by_test_id("run-button").click()

            expect(page.get_by_test_id("run-answer")).to_have_attribute("data-status", "succeeded")
            writer = page.get_by_test_id("trace-writer")
            writer.get_by_test_id("step-expand").click()
            expect(writer.get_by_test_id("step-input")).to_contain_text("bees")
            expect(writer.get_by_test_id("step-output")).to_contain_text("[demo model] Writer")
            run = store.list_runs(graph_id=graph_id)[0]
            assert run.input == {"topic": "bees", "count": 3}
            assert run.options == {
                "model": {"id": "run_model", "provider": "demo", "model": "orchestrall-demo"}
            }
            page.screenshot(path=screenshot_dir / "run-panel-details.png")
        finally:
            store.delete_graph(graph_id)


@pytest.mark.parametrize("backend", BACKEND_NAMES)
def test_the_same_graph_answers_the_same_on_every_engine(
    page: Page, graph_id: str, backend: str, screenshot_dir: Path
) -> None:
    page.goto(builder_path(graph_id))
    page.get_by_test_id("tab-run").click()
    page.get_by_test_id("run-backend").click()
    page.get_by_role("option", name=backend, exact=True).click()
    page.get_by_test_id("run-input").fill("Say hello to the ants")
    page.get_by_test_id("run-button").click()

    answer = page.get_by_test_id("run-answer")
    expect(answer).to_have_attribute("data-status", "succeeded")
    expect(answer).to_have_text('[demo model] Greeter: received "Say hello to the ants"')
    for node_id in ("input", "greeter", "output"):
        expect(page.get_by_test_id(f"trace-{node_id}")).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("run-backend")).to_have_text(backend)
    page.screenshot(path=screenshot_dir / f"run-panel-{backend}.png")
