"""Comparing runs in a browser: tick two runs on /runs, Compare, read them side by side;
then a graph's runs page charts its runs over time.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, expect

from agent_runtime.events import NodeFinishedEvent, NodeStartedEvent, RunFinishedEvent
from agent_runtime.settings import Settings
from agent_runtime.store import open_store
from app.paths import RUNS, compare_path, run_path, runs_path
from tests.agent_runtime.conformance._graphs import agent, chain, graph, input_node, output_node

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e

ANSWER_A = "Hastings, 1066.\nWilliam of Normandy defeated Harold II."
ANSWER_B = "The Battle of Hastings (14 October 1066).\nHarold II died; William was crowned."
# (node id, label, ms, tokens) per run, oldest first: the second run also ran the Editor.
RUNS_TAKEN = (
    [("input", "Input", 2, 0), ("writer", "Writer", 420, 120), ("output", "Output", 1, 0)],
    [
        ("input", "Input", 3, 0),
        ("writer", "Writer", 380, 150),
        ("editor", "Editor", 260, 90),
        ("output", "Output", 1, 0),
    ],
    [("input", "Input", 2, 0), ("writer", "Writer", 300, 80), ("output", "Output", 1, 0)],
)


def record_run(
    store: Any, graph_id: str, steps: list, answer: str, seconds: float, error: str = ""
) -> str:
    """A run recorded the way the runtime records one: events, then its end and totals."""
    run = store.create_run(graph_id, {"message": "What happened in 1066?"})
    store.update_run_status(run.id, "running")
    for node_id, label, ms, tokens in steps:
        started = NodeStartedEvent(kind="agent", label=label)
        done = NodeFinishedEvent(latency_ms=ms, prompt_tokens=tokens, output="ok")
        store.append_run_event(run.id, "node_started", node_id, started.payload())
        store.append_run_event(run.id, "node_finished", node_id, done.payload())
    time.sleep(seconds)  # so each run has a duration to chart
    totals = {"tokens": sum(s[3] for s in steps), "steps": len(steps)}
    if error:
        failure = {"code": "model_unavailable", "message": error}
        store.finish_run(run.id, "failed", error=failure, totals=totals)
        return run.id
    store.append_run_event(run.id, "run_finished", None, RunFinishedEvent(output=answer).payload())
    store.finish_run(run.id, "succeeded", output={"output": answer}, totals=totals)
    return run.id


@pytest.fixture
def four_runs(app_server: RunningApp) -> Iterator[tuple[str, list[str]]]:
    """A Chronicle graph, three runs of it that succeeded and one that failed (oldest
    first), deleted afterwards."""
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    nodes = [input_node(), agent("writer", "Writer"), agent("editor", "Editor"), output_node()]
    spec = graph("Chronicle", nodes, chain("input", "writer", "editor", "output"))
    answers = (ANSWER_A, ANSWER_B, "1066: Hastings.")
    with open_store(settings=settings) as store:
        graph_id = store.create_graph("Chronicle", spec=spec).id
        ids = [
            record_run(store, graph_id, steps, answer, seconds)
            for steps, answer, seconds in zip(RUNS_TAKEN, answers, (0.7, 0.9, 0.4), strict=True)
        ]
        writer = RUNS_TAKEN[0][:2]
        ids.append(record_run(store, graph_id, writer, "", 0.3, error="The model went away."))
        yield graph_id, ids
        store.delete_graph(graph_id)


def test_two_runs_are_compared_and_a_graphs_runs_are_charted(
    page: Page, four_runs: tuple[str, list[str]], screenshot_dir: Path
) -> None:
    graph_id, (first, second, third, failed) = four_runs
    page.goto(RUNS)
    compare = page.get_by_test_id("runs-compare")
    expect(page.get_by_test_id(f"run-row-{third}")).to_be_visible()
    expect(compare).to_be_disabled()

    page.get_by_test_id(f"run-select-{second}").click()  # ticked newest first: A is still older
    expect(compare).to_be_disabled()
    page.get_by_test_id(f"run-select-{first}").click()
    expect(compare).to_be_enabled()
    compare.click()

    expect(page).to_have_url(re.compile(re.escape(compare_path(first, second)) + "$"))
    expect(page.get_by_test_id("compare-output-a")).to_have_text(ANSWER_A)
    expect(page.get_by_test_id("compare-output-b")).to_have_text(ANSWER_B)
    expect(page.get_by_test_id("compare-input-b")).to_have_text("What happened in 1066?")
    expect(page.get_by_test_id("compare-tokens-a")).to_have_text("120")
    expect(page.get_by_test_id("compare-tokens-b")).to_have_text("240")
    expect(page.get_by_test_id("compare-link-a")).to_have_attribute("href", run_path(first))
    expect(page.get_by_test_id("compare-run-b")).to_have_attribute("data-status", "succeeded")
    cells = page.get_by_test_id("compare-step-writer").locator("td")
    expect(cells).to_have_text(["420", "380", "-40", "120", "150"])
    editor = page.get_by_test_id("compare-step-editor")
    expect(editor.locator("th")).to_have_text("Editor")
    expect(editor.locator("td")).to_have_text(["—", "260", "—", "—", "90"])
    page.screenshot(path=screenshot_dir / "runs-compare.png", full_page=True)

    page.get_by_test_id("compare-link-b").click()
    expect(page).to_have_url(re.compile(re.escape(run_path(second)) + "$"))
    expect(page.get_by_test_id("run-output-text")).to_have_text(ANSWER_B)

    page.goto(compare_path(third, failed))
    expect(page.get_by_test_id("compare-run-b")).to_have_attribute("data-status", "failed")
    expect(page.get_by_test_id("compare-error-b")).to_contain_text("model_unavailable")
    expect(page.get_by_test_id("compare-output-b")).to_have_text("(none)")
    expect(page.get_by_test_id("compare-step-output").locator("td")).to_have_text(
        ["1", "—", "—", "0", "—"]
    )
    page.screenshot(path=screenshot_dir / "runs-compare-failed.png", full_page=True)

    page.goto(compare_path(first, "no-such-run"))
    expect(page.get_by_test_id("compare-error")).to_contain_text("'no-such-run' not found")

    page.goto(runs_path(graph_id))
    chart = page.get_by_test_id("runs-chart")
    expect(chart).to_contain_text("Runs over time")
    expect(chart.locator(".recharts-line-dot")).to_have_count(2 * 4)  # tokens and ms, per run
    page.screenshot(path=screenshot_dir / "runs-over-time.png", full_page=True)

    page.goto(RUNS)
    expect(page.get_by_test_id(f"run-row-{third}")).to_be_visible()
    expect(page.get_by_test_id("runs-chart")).to_have_count(0)
