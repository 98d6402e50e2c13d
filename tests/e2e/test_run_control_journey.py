"""Controlling runs in a browser: approve a human step, reload mid-run, cancel."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, expect

from agent_runtime.settings import Settings
from agent_runtime.store import open_store
from app.paths import builder_path
from tests.agent_runtime.conformance._graphs import agent, linear
from tests.agent_runtime.executors._graphs import approval_graph

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e

SLOW_MESSAGE = "please answer slowly"  # tests/e2e/model_script.yaml delays this answer 3 s


@pytest.fixture
def save_graph(app_server: RunningApp) -> Iterator[Callable[[dict[str, Any]], str]]:
    """Save specs in the app's store; they are deleted (with their runs) afterwards."""
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    with open_store(settings=settings) as store:
        made: list[str] = []

        def save(spec: dict[str, Any]) -> str:
            made.append(store.create_graph(spec["name"], spec=spec).id)
            return made[-1]

        yield save
        for graph_id in made:
            store.delete_graph(graph_id)


def start(page: Page, graph_id: str, message: str) -> None:
    page.goto(builder_path(graph_id))
    page.get_by_test_id("tab-run").click()
    page.get_by_test_id("run-input").fill(message)
    page.get_by_test_id("run-button").click()


def test_a_human_step_waits_for_approval_in_the_panel(
    page: Page, save_graph: Callable[[dict[str, Any]], str], screenshot_dir: Path
) -> None:
    start(page, save_graph(approval_graph()), "a post about bees")

    waiting = page.get_by_test_id("run-waiting")
    expect(waiting).to_contain_text("Publish this?")
    expect(waiting).to_contain_text("Writer")
    expect(page.get_by_test_id("trace-review")).to_have_attribute("data-status", "waiting")
    expect(page.get_by_test_id("run-progress")).to_contain_text("Waiting for you")
    page.screenshot(path=screenshot_dir / "run-approval.png")

    page.get_by_test_id("run-approve").click()

    answer = page.get_by_test_id("run-answer")
    expect(answer).to_have_attribute("data-status", "succeeded")
    expect(answer).to_contain_text("Publisher")
    expect(page.get_by_test_id("run-waiting")).to_have_count(0)
    for node_id in ("review", "publisher", "output"):
        expect(page.get_by_test_id(f"trace-{node_id}")).to_have_attribute("data-status", "done")


def test_a_reload_mid_run_shows_the_run_again_until_it_finishes(
    page: Page, save_graph: Callable[[dict[str, Any]], str]
) -> None:
    graph_id = save_graph(linear("Patient", agent("slow", "Tortoise")))
    start(page, graph_id, SLOW_MESSAGE)
    expect(page.get_by_test_id("trace-slow")).to_have_attribute("data-status", "running")

    page.reload()

    # The Run tab opens by itself on the run still going, and follows it to its end.
    expect(page.get_by_test_id("run-progress")).to_be_visible()
    answer = page.get_by_test_id("run-answer")
    expect(answer).to_have_attribute("data-status", "succeeded")
    expect(answer).to_have_text("Tortoise took its time.")
    expect(page.get_by_test_id("trace-slow")).to_have_attribute("data-status", "done")


def test_cancel_stops_a_running_step(
    page: Page, save_graph: Callable[[dict[str, Any]], str], screenshot_dir: Path
) -> None:
    start(page, save_graph(linear("Stoppable", agent("slow", "Tortoise"))), SLOW_MESSAGE)
    expect(page.get_by_test_id("trace-slow")).to_have_attribute("data-status", "running")

    page.get_by_test_id("run-cancel").click()

    expect(page.get_by_test_id("run-progress")).to_contain_text("Cancelled")
    expect(page.get_by_test_id("trace-slow")).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_test_id("trace-slow").get_by_test_id("step-error")).to_have_text(
        "Cancelled."
    )
    expect(page.get_by_test_id("run-cancel")).to_have_count(0)
    expect(page.get_by_test_id("run-answer")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "run-cancelled.png")


def test_a_waiting_run_is_answered_from_its_run_page(
    page: Page, save_graph: Callable[[dict[str, Any]], str], screenshot_dir: Path
) -> None:
    start(page, save_graph(approval_graph()), "a post about wasps")
    expect(page.get_by_test_id("run-waiting")).to_contain_text("Publish this?")

    page.get_by_test_id("run-link").click()

    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "interrupted")
    waiting = page.get_by_test_id("run-waiting")
    expect(waiting).to_contain_text("Publish this?")
    page.screenshot(path=screenshot_dir / "run-page-waiting.png", full_page=True)
    waiting.get_by_test_id("run-approve").click()

    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_test_id("run-output-text")).to_contain_text("Publisher")
    expect(page.get_by_test_id("run-waiting")).to_have_count(0)
    expect(page.get_by_test_id("trace-publisher")).to_have_attribute("data-status", "done")
