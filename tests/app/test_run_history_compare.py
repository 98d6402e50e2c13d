"""Comparing two runs and charting a graph's runs over time, on a real SQLite store.

Runs are recorded through the store the way the runtime records them (events, then
``finish_run``), so step times and tokens are exact.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData

from agent_runtime.errors import NotFoundError
from agent_runtime.events import NodeFinishedEvent, NodeStartedEvent, RunFinishedEvent
from app.pages.run_compare import run_compare_page
from app.pages.run_compare_state import RunCompareState
from app.pages.runs_state import RunsState
from app.paths import COMPARE, compare_path
from app.services import graphs, run_history
from app.services.run_history import MISSING, StepPair
from tests.agent_runtime.conformance._graphs import agent, chain, graph, input_node, output_node

Step = tuple[str, str, int, int]  # node id, label, ms, tokens


@pytest.fixture(scope="module", autouse=True)
def _routes(app_routes: None) -> None:
    """Every test here loads pages."""


@pytest.fixture
def graph_id(data_dir: Path) -> str:
    nodes = [input_node(), agent("alpha", "Alpha"), agent("beta", "Beta"), output_node()]
    spec = graph("Pair", nodes, chain("input", "alpha", "beta", "output"))
    return graphs.get_store().create_graph("Pair", spec=spec).id


def record_run(
    graph_id: str, message: str, steps: list[Step], output: str = "", error: str = ""
) -> str:
    """A run of ``graph_id`` that took ``steps`` and then succeeded (or failed with ``error``)."""
    store = graphs.get_store()
    run = store.create_run(graph_id, {"message": message})
    store.update_run_status(run.id, "running")
    for node_id, label, ms, tokens in steps:
        started = NodeStartedEvent(kind="agent", label=label)
        finished = NodeFinishedEvent(latency_ms=ms, prompt_tokens=tokens, output="ok")
        store.append_run_event(run.id, "node_started", node_id, started.payload())
        store.append_run_event(run.id, "node_finished", node_id, finished.payload())
    totals = {"tokens": sum(s[3] for s in steps), "steps": len(steps)}
    if error:
        failure = {"code": "model_unavailable", "message": error}
        store.finish_run(run.id, "failed", error=failure, totals=totals)
    else:
        done = RunFinishedEvent(output=output)
        store.append_run_event(run.id, "run_finished", None, done.payload())
        store.finish_run(run.id, "succeeded", output={"output": output}, totals=totals)
    return run.id


def substate(cls: type[rx.State]) -> Any:
    return rx.State().get_substate(cls.get_full_name().split("."))


def open_page(state: Any, pathname: str, path: str, **params: str) -> None:
    """The browser opens ``path``: new router data for the route ``pathname``."""
    state.parent_state.router = RouterData.from_router_data(
        {"query": params, "pathname": pathname, "asPath": path}
    )


def test_compare_path_and_page() -> None:
    assert COMPARE == "/runs/compare/[run_a]/[run_b]"
    assert compare_path("r1", "r2") == "/runs/compare/r1/r2"
    assert isinstance(run_compare_page(), rx.Component)


def test_compare_matches_steps_by_node_and_marks_the_missing(graph_id: str) -> None:
    first = record_run(
        graph_id,
        "first try",
        [("input", "Input", 1, 0), ("alpha", "Alpha", 120, 30), ("output", "Output", 2, 0)],
        output="Line one\nline two",
    )
    second = record_run(
        graph_id,
        "second try",
        [
            ("input", "Input", 1, 0),
            ("alpha", "Alpha", 90, 42),
            ("beta", "Beta", 50, 12),
            ("output", "Output", 3, 0),
        ],
        output="Better",
    )

    both = run_history.compare_runs(first, second)

    assert (both.a.row.id, both.b.row.id) == (first, second)
    assert (both.a.input, both.a.output) == ("first try", "Line one\nline two")
    assert (both.b.input, both.b.output, both.b.error) == ("second try", "Better", "")
    assert both.a.row.graph_name == "Pair" and both.a.row.tokens == 30
    assert both.b.row.status == "succeeded" and both.b.row.tokens == 54
    assert both.steps == [
        StepPair("input", "Input", "1", "1", "0", "0", "0", "same"),
        StepPair("alpha", "Alpha", "120", "90", "-30", "30", "42", "faster"),
        StepPair("beta", "Beta", MISSING, "50", MISSING, MISSING, "12", ""),
        StepPair("output", "Output", "2", "3", "+1", "0", "0", "slower"),
    ]


def test_compare_sums_repeated_steps_and_shows_a_failed_runs_error(graph_id: str) -> None:
    looped = record_run(
        graph_id,
        "loop",
        [("alpha", "Alpha", 10, 5), ("alpha", "Alpha", 15, 6), ("beta", "Beta", 4, 1)],
        output="done",
    )
    failed = record_run(graph_id, "loop", [("alpha", "Alpha", 7, 2)], error="Model is down")

    both = run_history.compare_runs(looped, failed)

    assert both.steps[0] == StepPair(
        "alpha", "Alpha (ran 2 / 1 times)", "25", "7", "-18", "11", "2", "faster"
    )
    assert both.steps[1].b_ms == MISSING and both.steps[1].label == "Beta"
    assert both.b.row.status == "failed" and both.b.output == ""
    assert both.b.error and "model_unavailable" in both.b.error_detail
    same = run_history.compare_runs(looped, looped)
    assert same.steps[0].label == "Alpha (ran 2 times)" and same.steps[0].diff_ms == "0"


def test_comparing_an_unknown_run_raises_not_found(graph_id: str) -> None:
    known = record_run(graph_id, "hi", [("alpha", "Alpha", 5, 1)], output="hello")
    with pytest.raises(NotFoundError) as raised:
        run_history.compare_runs(known, "no-such-run")
    assert raised.value.code == "not_found" and "no-such-run" in raised.value.message


def test_run_series_is_the_graphs_finished_runs_oldest_first(graph_id: str) -> None:
    store = graphs.get_store()
    other = store.create_graph("Other", spec=store.get_spec(graph_id)).id
    record_run(other, "elsewhere", [("alpha", "Alpha", 5, 99)], output="x")
    ids = [
        record_run(graph_id, f"run {n}", [("alpha", "Alpha", 5, tokens)], output="ok")
        for n, tokens in enumerate((10, 20, 30))
    ]
    still_going = store.create_run(graph_id, {"message": "later"}).id
    store.update_run_status(still_going, "running")

    points = run_history.run_series(graph_id)

    assert [p["run"] for p in points] == ids
    assert [p["tokens"] for p in points] == [10, 20, 30]
    for point in points:
        assert set(point) == {"run", "started", "tokens", "duration_ms"}
        assert isinstance(point["duration_ms"], int) and point["duration_ms"] >= 0
        assert len(point["started"]) == len("05-01 12:30:05")
    assert [p["run"] for p in run_history.run_series(graph_id, limit=3)] == ids[1:]
    assert run_history.run_series("no-such-graph") == []


def test_runs_page_ticks_two_runs_and_opens_them_older_first(graph_id: str) -> None:
    older = record_run(graph_id, "one", [("alpha", "Alpha", 5, 1)], output="a")
    middle = record_run(graph_id, "two", [("alpha", "Alpha", 5, 1)], output="b")
    newer = record_run(graph_id, "three", [("alpha", "Alpha", 5, 1)], output="c")
    state = substate(RunsState)
    open_page(state, "/runs", "/runs")
    RunsState.load_runs.fn(state)
    assert [r.id for r in state.rows] == [newer, middle, older]
    assert not state.can_compare and state.compare_hint == "Tick two runs to compare them."
    assert state.series == [] and not state.show_series  # not on the all-graphs page

    RunsState.toggle_selected.fn(state, newer, True)
    assert state.compare_hint == "Tick one more run." and RunsState.compare.fn(state) is None
    RunsState.toggle_selected.fn(state, middle, True)
    RunsState.toggle_selected.fn(state, older, True)
    assert not state.can_compare and state.compare_hint.startswith("3 runs ticked")
    RunsState.toggle_selected.fn(state, middle, False)
    assert state.can_compare and state.compare_hint == ""

    redirect = RunsState.compare.fn(state)
    assert compare_path(older, newer) in str(redirect)

    RunsState.set_status_filter.fn(state, "failed")  # the ticked runs are no longer listed
    assert state.selected == [] and not state.can_compare


def test_a_graphs_runs_page_has_its_series_and_an_empty_one_has_none(graph_id: str) -> None:
    state = substate(RunsState)
    path = f"/graphs/{graph_id}/runs"
    open_page(state, "/graphs/[graph_id]/runs", path, graph_id=graph_id)
    RunsState.load_runs.fn(state)
    assert state.scope_graph_id == graph_id and state.series == [] and not state.show_series

    ran = record_run(graph_id, "one", [("alpha", "Alpha", 5, 7)], output="a")
    RunsState.load_runs.fn(state)
    assert [p["run"] for p in state.series] == [ran] and state.show_series


def test_compare_page_shows_both_runs_or_says_one_is_unknown(graph_id: str) -> None:
    a = record_run(graph_id, "one", [("alpha", "Alpha", 5, 1)], output="first answer")
    b = record_run(graph_id, "two", [("beta", "Beta", 6, 2)], output="second answer")
    state = substate(RunCompareState)
    open_page(state, COMPARE, compare_path(a, b), run_a=a, run_b=b)

    event = RunCompareState.load_comparison.fn(state)
    assert a in str(event) and b in str(event)
    RunCompareState.show_comparison.fn(state, a, b)

    assert state.shown and state.load_error == ""
    assert (state.a.output, state.b.output) == ("first answer", "second answer")
    assert [s.node_id for s in state.steps] == ["alpha", "beta"]

    RunCompareState.show_comparison.fn(state, a, "gone")
    assert not state.shown and state.steps == []
    assert state.load_error == (
        "Cannot compare: Run 'gone' not found. It may have been deleted with its graph."
    )
