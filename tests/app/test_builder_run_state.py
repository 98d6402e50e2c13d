"""BuilderRunState driving the real in-process executor and the scripted model over HTTP."""

from __future__ import annotations

import asyncio

import reflex as rx
from reflex.istate.data import RouterData

from app.pages.builder_run_state import BuilderRunState
from app.pages.builder_state import BuilderState
from app.services import graphs, runs
from tests.agent_runtime.executors._graphs import (
    SCRIPT,
    approval_graph,
    quick_graph,
    slow_graph,
    steady_graph,
)
from tests.app.conftest import save_graph

__all__ = ["SCRIPT"]  # the demo model's rules for this module (see conftest.model_server)


def run_state(message: str) -> BuilderRunState:
    root = rx.State()
    state = root.get_substate(BuilderRunState.get_full_name().split("."))
    state.message = message
    return state


async def wait_for(check, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)


async def test_a_run_shows_its_answer_and_a_trace_row_per_node(services: None) -> None:
    graph_id = save_graph(quick_graph())
    state = run_state("tell me about bees")

    await BuilderRunState.start_run.fn(state, graph_id)

    assert state.status == "succeeded" and not state.running
    assert state.answer_text == '[demo model] Alpha: received "tell me about bees"'
    assert [(r.node_id, r.status) for r in state.trace] == [
        ("input", "done"),
        ("alpha", "done"),
        ("output", "done"),
    ]
    alpha = state.trace[1]
    assert alpha.kind == "agent" and alpha.tokens > 0 and "Alpha" in alpha.preview
    assert state.run_id and state.thread_id and state.error == ""
    assert state.running_id == ""


async def test_continue_this_conversation_reuses_the_thread(services: None) -> None:
    graph_id = save_graph(quick_graph())
    state = run_state("first")
    await BuilderRunState.start_run.fn(state, graph_id)
    first_thread, first_run = state.thread_id, state.run_id

    state.continue_thread, state.message = True, "second"
    await BuilderRunState.start_run.fn(state, graph_id)
    assert state.thread_id == first_thread and state.run_id != first_run

    state.new_conversation()
    state.message = "third"
    await BuilderRunState.start_run.fn(state, graph_id)
    assert state.thread_id not in ("", first_thread)


async def test_a_human_step_waits_and_approve_finishes_the_run(services: None) -> None:
    graph_id = save_graph(approval_graph())
    state = run_state("a post about bees")

    await BuilderRunState.start_run.fn(state, graph_id)

    assert state.status == "waiting" and state.waiting and not state.running
    assert state.waiting_mode == "approval" and state.waiting_prompt == "Publish this?"
    assert "Writer" in state.waiting_proposal
    assert [(r.node_id, r.status) for r in state.trace][-1] == ("review", "waiting")

    await BuilderRunState.approve.fn(state)

    assert state.status == "succeeded" and not state.waiting
    assert [r.node_id for r in state.trace][-3:] == ["review", "publisher", "output"]
    assert all(r.status == "done" for r in state.trace)
    assert "Publisher" in state.answer_text


async def test_cancel_stops_a_running_run(services: None) -> None:
    graph_id = save_graph(slow_graph())
    state = run_state("take your time")

    task = asyncio.create_task(BuilderRunState.start_run.fn(state, graph_id))
    await wait_for(lambda: state.running_id == "slow")
    await BuilderRunState.cancel_run.fn(state)
    await asyncio.wait_for(task, 5)

    assert state.status == "cancelled" and not state.running
    assert ("slow", "cancelled") in [(r.node_id, r.status) for r in state.trace]


async def test_cancel_while_waiting_ends_the_run(services: None) -> None:
    state = run_state("a post")
    await BuilderRunState.start_run.fn(state, save_graph(approval_graph()))

    await BuilderRunState.cancel_run.fn(state)

    assert state.status == "cancelled" and not state.waiting


async def test_an_invalid_graph_or_no_message_says_why_in_plain_words(services: None) -> None:
    broken = {**quick_graph(), "edges": []}
    graph_id = save_graph(broken)
    state = run_state("")

    await BuilderRunState.start_run.fn(state, graph_id)
    assert state.error == "Type a message to send to the graph." and not state.running

    state.message = "hi"
    await BuilderRunState.start_run.fn(state, graph_id)
    assert state.status == "failed" and not state.running
    assert state.error.startswith("This graph can't run yet: it has ")
    assert state.error_detail.startswith("spec_invalid: ")


def reopened_tab(graph_id: str) -> BuilderRunState:
    """The Run tab of a browser tab that (re)loaded ``/graphs/<graph_id>``: a new state."""
    root = rx.State()
    root.router = RouterData.from_router_data(
        {"query": {"graph_id": graph_id}, "pathname": "/graphs/[graph_id]", "token": "tab-2"}
    )
    return root.get_substate(BuilderRunState.get_full_name().split("."))


async def test_a_reloaded_page_shows_the_waiting_run_and_can_answer_it(
    services: None, app_routes: None
) -> None:
    graph_id = save_graph(approval_graph())
    run_id = runs.start_run(graph_id, "a post about bees")
    store = graphs.get_store()
    await wait_for(lambda: store.get_run(run_id).status.value == "interrupted")

    state = reopened_tab(graph_id)
    await BuilderRunState.load_panel.fn(state)

    assert state.run_id == run_id and state.status == "waiting"
    assert state.waiting_mode == "approval" and state.waiting_prompt == "Publish this?"
    assert (await state.get_state(BuilderState)).side_tab == "run"
    await BuilderRunState.approve.fn(state)
    assert state.status == "succeeded" and "Publisher" in state.answer_text


async def test_a_reloaded_page_follows_a_running_run_to_its_end(
    services: None, app_routes: None
) -> None:
    graph_id = save_graph(steady_graph())
    run_id = runs.start_run(graph_id, "go")
    state = reopened_tab(graph_id)

    await BuilderRunState.load_panel.fn(state)

    assert state.run_id == run_id and state.status == "succeeded" and not state.running
    assert all(row.status == "done" for row in state.trace)


async def test_a_page_with_no_run_going_shows_an_empty_panel(
    services: None, app_routes: None
) -> None:
    graph_id = save_graph(quick_graph())
    state = reopened_tab(graph_id)
    await BuilderRunState.load_panel.fn(state)
    assert state.run_id == "" and state.trace == []
    assert [f.name for f in state.fields] == ["message"]
    assert [m.value for m in state.models][:2] == ["graph", "demo"]
