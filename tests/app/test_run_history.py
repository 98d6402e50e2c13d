"""Run history: the list and one run's page, after real runs on the in-process executor."""

from __future__ import annotations

import pytest
import reflex as rx

from app.pages.builder_run_state import BuilderRunState
from app.pages.run_detail import run_detail_page
from app.pages.run_detail_state import RunDetailState
from app.pages.runs import runs_page
from app.pages.runs_state import RunsState
from app.paths import GRAPH_RUNS, RUN, RUNS, run_path, runs_path
from app.services import graphs, run_history, runs
from tests.agent_runtime.executors._graphs import SCRIPT, approval_graph, quick_graph

__all__ = ["SCRIPT"]  # the demo model's rules for this module (see conftest.model_server)


def substate(cls: type[rx.State]) -> rx.State:
    return rx.State().get_substate(cls.get_full_name().split("."))


async def run(graph_id: str, message: str) -> str:
    """Run ``graph_id`` from the builder's Run tab, to its end or its human step; the run id."""
    state = substate(BuilderRunState)
    state.message = message
    await BuilderRunState.start_run.fn(state, graph_id)
    return state.run_id


@pytest.fixture
async def two_runs(services: None) -> tuple[str, str, str, str]:
    """A finished run of Quick and a run of Approval waiting for a person (interrupted)."""
    store = graphs.get_store()
    quick = store.create_graph("Quick", spec=quick_graph()).id
    approval = store.create_graph("Approval", spec=approval_graph()).id
    done = await run(quick, "tell me about bees")
    waiting = await run(approval, "a post about bees")
    return quick, done, approval, waiting


def test_paths() -> None:
    assert (RUNS, GRAPH_RUNS, RUN) == ("/runs", "/graphs/[graph_id]/runs", "/runs/[run_id]")
    assert runs_path() == "/runs" and runs_path("g1") == "/graphs/g1/runs"
    assert run_path("r1") == "/runs/r1"


def test_the_pages_build() -> None:
    assert isinstance(runs_page(), rx.Component)
    assert isinstance(run_detail_page(), rx.Component)


async def test_the_list_shows_every_run_newest_first_and_filters_by_status(
    two_runs: tuple[str, str, str, str],
) -> None:
    quick, done, approval, waiting = two_runs
    state = substate(RunsState)

    RunsState.load_runs.fn(state)

    assert state.loaded and state.error == "" and state.scope_graph_id == ""
    assert [(r.id, r.graph_name, r.status) for r in state.rows] == [
        (waiting, "Approval", "interrupted"),
        (done, "Quick", "succeeded"),
    ]
    row = state.rows[1]
    assert row.graph_id == quick and row.graph_version == 1
    assert row.input_preview == "tell me about bees"
    assert row.output_preview == '[demo model] Alpha: received "tell me about bees"'
    assert row.tokens > 0 and row.started and row.duration.endswith(("ms", " s"))
    assert row.cost.startswith("$") or row.cost == "—"
    assert state.rows[0].duration == "" and state.rows[0].output_preview == ""

    RunsState.set_status_filter.fn(state, "succeeded")
    assert [r.id for r in state.rows] == [done]
    RunsState.set_status_filter.fn(state, "failed")
    assert state.rows == [] and state.loaded and not state.has_rows

    state.scope_graph_id = approval
    RunsState.set_status_filter.fn(state, "all")
    assert [r.id for r in state.rows] == [waiting]


async def test_an_unknown_status_filter_says_so(two_runs: tuple[str, str, str, str]) -> None:
    state = substate(RunsState)
    RunsState.set_status_filter.fn(state, "exploded")
    assert (
        state.rows == []
        and state.error == "Could not list the runs: Unknown run status 'exploded'."
    )


async def test_a_run_page_shows_trace_totals_chart_and_the_version_it_ran(
    two_runs: tuple[str, str, str, str],
) -> None:
    quick, done, _, _ = two_runs
    # The graph changes after the run: the page still shows the version that ran.
    spec = graphs.get_store().get_spec(quick)
    spec["nodes"] = [*spec["nodes"], {**spec["nodes"][1], "id": "beta", "name": "Beta"}]
    graphs.get_store().save_graph(quick, spec)
    state = substate(RunDetailState)

    await RunDetailState.show_run.fn(state, done)

    assert state.load_error == "" and state.shown_id == done and state.ended
    assert state.row.status == "succeeded" and state.row.graph_name == "Quick"
    assert state.input_text == "tell me about bees"
    assert state.output_text == '[demo model] Alpha: received "tell me about bees"'
    assert state.error == ""
    assert [(r.node_id, r.status) for r in state.trace] == [
        ("input", "done"),
        ("alpha", "done"),
        ("output", "done"),
    ]
    alpha = state.trace[1]
    assert state.chart[1] == {
        "node": "Alpha",
        "tokens": alpha.tokens,
        "duration_ms": alpha.duration_ms,
    }
    assert alpha.tokens > 0 and state.row.tokens == sum(p["tokens"] for p in state.chart)
    assert [n["id"] for n in state.canvas["nodes"]] == ["input", "alpha", "output"]
    assert len(state.canvas["edges"]) == 2


async def test_an_unknown_run_says_it_does_not_exist(services: None) -> None:
    state = substate(RunDetailState)
    await RunDetailState.show_run.fn(state, "no-such-run")
    assert state.shown_id == "" and state.load_error.startswith("This run does not exist")


async def test_run_again_starts_a_new_run_with_the_same_input_and_opens_it(
    two_runs: tuple[str, str, str, str],
) -> None:
    quick, done, _, _ = two_runs
    state = substate(RunDetailState)
    await RunDetailState.show_run.fn(state, done)

    redirect = await RunDetailState.run_again.fn(state)

    rows = run_history.list_runs(quick)
    assert len(rows) == 2 and rows[1].id == done
    new_id = rows[0].id
    assert rows[0].input_preview == "tell me about bees"
    assert run_path(new_id) in str(redirect)
    assert not state.starting and state.rerun_error == ""


async def test_a_waiting_run_is_answered_from_its_page(
    two_runs: tuple[str, str, str, str],
) -> None:
    _, _, _, waiting = two_runs
    state = substate(RunDetailState)
    await RunDetailState.show_run.fn(state, waiting)
    assert state.waiting_mode == "approval" and state.waiting_prompt == "Publish this?"
    assert "Writer" in state.waiting_proposal and not state.ended

    await RunDetailState.approve.fn(state)

    assert state.waiting_mode == "" and state.answer_error == ""
    assert state.ended and state.row.status == "succeeded"
    assert "Publisher" in state.output_text
    assert [r.node_id for r in state.trace][-2:] == ["publisher", "output"]


async def test_run_again_keeps_structured_input_engine_and_model(services: None) -> None:
    fields = [{"name": "topic", "type": "text"}, {"name": "urgent", "type": "boolean"}]
    spec = {**quick_graph(), "name": "Form"}
    spec["nodes"] = [{"id": "input", "kind": "input", "fields": fields}, *spec["nodes"][1:]]
    graph_id = graphs.get_store().create_graph("Form", spec=spec).id
    demo = {"provider": "demo", "model": "orchestrall-demo"}
    first = runs.start_run(graph_id, {"topic": "bees", "urgent": True}, model=demo)
    state = substate(RunDetailState)
    await RunDetailState.show_run.fn(state, first)
    assert state.input_text == "topic: bees\nurgent: yes"

    await RunDetailState.run_again.fn(state)

    again = graphs.get_store().list_runs(graph_id=graph_id)[0]
    assert again.id != first and again.input == {"topic": "bees", "urgent": True}
    assert again.backend == "langgraph" and again.options["model"]["provider"] == "demo"
