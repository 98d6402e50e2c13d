"""Run history in a browser: run a graph, find the run on /runs, open its page, run it again."""

from __future__ import annotations

import re
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


@pytest.fixture
def graph_id(app_server: RunningApp) -> Iterator[str]:
    """A saved input → Historian → output graph, deleted afterwards (with its runs)."""
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    with open_store(settings=settings) as store:
        made = store.create_graph("History", spec=linear("History", agent("hist", "Historian"))).id
        yield made
        store.delete_graph(made)


def test_a_run_is_listed_and_opens_its_page(
    page: Page, graph_id: str, screenshot_dir: Path
) -> None:
    page.goto(builder_path(graph_id))
    page.get_by_test_id("tab-run").click()
    page.get_by_test_id("run-input").fill("What happened in 1066?")
    page.get_by_test_id("run-button").click()
    expect(page.get_by_test_id("run-answer")).to_have_attribute("data-status", "succeeded")

    page.get_by_test_id("runs-link").click()
    expect(page).to_have_url(re.compile(r"/runs/?$"))
    rows = page.locator("[data-testid^='run-row-']")
    row = rows.filter(has_text="History").first
    expect(row).to_have_attribute("data-status", "succeeded")
    expect(row).to_contain_text("What happened in 1066?")
    page.screenshot(path=screenshot_dir / "runs-list.png", full_page=True)

    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/runs/[^/]+$"))
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_test_id("run-input-text")).to_have_text("What happened in 1066?")
    expect(page.get_by_test_id("run-output-text")).to_contain_text("Historian")
    for node_id in ("input", "hist", "output"):
        expect(page.get_by_test_id(f"trace-{node_id}")).to_have_attribute("data-status", "done")
    expect(
        page.get_by_test_id("run-chart").locator(".recharts-bar-rectangle").first
    ).to_be_visible()
    expect(page.get_by_test_id("run-canvas")).to_have_attribute("data-node-count", "3")
    page.screenshot(path=screenshot_dir / "run-detail.png", full_page=True)

    first_url = page.url
    page.get_by_test_id("run-again").click()
    expect(page).not_to_have_url(first_url)
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded")

    page.goto(f"{builder_path(graph_id)}/runs")
    expect(page.locator("[data-testid^='run-row-']")).to_have_count(2)
    page.get_by_test_id("runs-filter").click()
    page.get_by_role("option", name="failed").click()
    expect(page.locator("[data-testid^='run-row-']")).to_have_count(0)
    expect(page.get_by_test_id("runs-empty")).to_be_visible()
