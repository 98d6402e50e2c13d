"""Human steps on every backend: approval (approve, reject), input, and resuming after a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from agent_runtime.errors import RunStateError
from tests._services import postgres_schema
from tests.agent_runtime.conformance._graphs import agent, chain, edge, graph, human, input_node
from tests.agent_runtime.conformance._graphs import output_node as output
from tests.agent_runtime.conformance._harness import Harness, MakeHarness

DRAFT = '[demo model] Writer: received "a post about tides"'


def _approval_graph(*, with_rejected_edge: bool = True) -> dict[str, Any]:
    nodes = [
        input_node(),
        agent("writer", "Writer"),
        human("review", "approval", "Publish this post?"),
        agent("publisher", "Publisher"),
        output(),
    ]
    edges = [*chain("input", "writer", "review"), edge("review", "publisher", "approved")]
    edges.append(edge("publisher", "output"))
    if with_rejected_edge:
        nodes.insert(-1, agent("reviser", "Reviser"))
        edges += [edge("review", "reviser", "rejected"), edge("reviser", "output")]
    return graph("Approval", nodes, edges)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def durable_harness(
    request: pytest.FixtureRequest, make_harness: MakeHarness
) -> AsyncIterator[Harness]:
    """A harness on SQLite (store + checkpoints), or on PostgreSQL (store + checkpoints)."""
    if request.param == "sqlite":
        yield await make_harness()
        return
    with postgres_schema("conformance") as url:
        harness = await make_harness(database_url=url)
        yield harness
        await harness.aclose()  # before the schema is dropped
        harness.store.close()


async def test_approval_waits_then_resumes_after_a_restart(durable_harness: Harness) -> None:
    harness = durable_harness
    waiting = await harness.run(_approval_graph(), {"message": "a post about tides"})

    assert waiting.status == "interrupted"
    assert waiting.types == [
        "run_started",
        *("node_started", "node_finished") * 2,  # input, writer
        "node_started",
        "interrupt",
    ]
    assert waiting.started == ["input", "writer", "review"]
    interrupt = waiting.last
    assert (interrupt.node_id, interrupt.mode) == ("review", "approval")
    assert interrupt.prompt == "Publish this post?"
    assert interrupt.proposal == DRAFT
    assert waiting.run.output is None

    await harness.restart()  # the app restarts: only the store and checkpoints remain
    done = await harness.execute(waiting.run.id, resume={"approved": True, "comment": "nice"})

    assert done.status == "succeeded"
    assert done.types == ["node_finished", *("node_started", "node_finished") * 2, "run_finished"]
    assert done.events[0].node_id == "review"
    assert done.finished("review").startswith("approved")
    assert done.started == ["publisher", "output"]
    expected = f'[demo model] Publisher: received "{DRAFT}"'
    assert done.run.output == done.last.output == expected
    assert done.run.totals.steps == 5  # the human step counts once
    seqs = [e.seq for e in harness.stored_events(waiting.run.id)]
    assert seqs == list(range(1, len(seqs) + 1))


async def test_rejection_takes_the_rejected_path_with_feedback(harness: Harness) -> None:
    waiting = await harness.run(_approval_graph(), {"message": "a post about tides"})
    done = await harness.execute(waiting.run.id, resume={"approved": False, "comment": "too long"})

    assert done.status == "succeeded"
    assert done.finished("review").startswith("rejected")
    assert done.started == ["reviser", "output"]
    (sent,) = harness.sent_to("Reviser")
    task = sent.texts("user")[-1]
    assert "too long" in task  # the reviewer's words reach the next agent
    assert DRAFT in task  # with the draft they rejected
    assert harness.sent_to("Publisher") == []


async def test_rejection_without_a_rejected_edge_ends_the_run(harness: Harness) -> None:
    spec = _approval_graph(with_rejected_edge=False)
    waiting = await harness.run(spec, {"message": "a post about tides"})
    done = await harness.execute(waiting.run.id, resume={"approved": False, "comment": "no"})

    assert done.status == "succeeded"
    assert done.types == ["node_finished", "run_finished"]
    assert done.events[0].node_id == "review"
    assert harness.sent_to("Publisher") == []


async def test_human_input_feeds_the_answer_to_the_next_node(harness: Harness) -> None:
    spec = graph(
        "Ask a person",
        [
            input_node(),
            human("ask", "input", "Who is it for?"),
            agent("greeter", "Greeter"),
            output(),
        ],
        chain("input", "ask", "greeter", "output"),
    )
    waiting = await harness.run(spec, {"message": "write a greeting"})

    assert waiting.status == "interrupted"
    assert (waiting.last.type, waiting.last.mode, waiting.last.prompt) == (
        "interrupt",
        "input",
        "Who is it for?",
    )
    done = await harness.execute(waiting.run.id, resume={"answer": "Ada"})

    assert done.status == "succeeded"
    assert done.finished("ask") == "Ada"
    assert done.run.output == '[demo model] Greeter: received "Ada"'


async def test_only_an_interrupted_run_can_be_resumed(harness: Harness) -> None:
    finished = await harness.run(_approval_graph(), {"message": "x"})
    finished = await harness.execute(finished.run.id, resume={"approved": True})
    assert finished.status == "succeeded"
    with pytest.raises(RunStateError) as info:
        await harness.execute(finished.run.id, resume={"approved": True})
    assert "succeeded" in info.value.message

    queued = harness.start(_approval_graph(), {"message": "x"})
    with pytest.raises(RunStateError):
        await harness.execute(queued.id, resume={"approved": True})
    assert harness.store.get_run(queued.id).status.value == "queued"  # nothing changed


async def test_a_waiting_run_keeps_its_thread_busy_until_cancelled(harness: Harness) -> None:
    graph_id = harness.save(_approval_graph())
    waiting = await harness.run(graph_id, {"message": "x"}, thread_id="thread-1")
    with pytest.raises(RunStateError) as info:
        harness.start(graph_id, {"message": "y"}, thread_id="thread-1")
    assert info.value.code == "thread_busy"

    cancelled = harness.runtime.cancel(waiting.run.id)

    assert cancelled.status.value == "cancelled"
    assert harness.stored_events(waiting.run.id)[-1].type == "run_cancelled"
    again = await harness.run(graph_id, {"message": "y"}, thread_id="thread-1")
    assert again.status == "interrupted"


async def test_waiting_for_a_person_does_not_count_against_the_timeout(harness: Harness) -> None:
    spec = graph(
        "Patient",
        [input_node(), human("review"), output()],
        chain("input", "review", "output"),
        limits={"timeout_seconds": 0.5},
    )
    waiting = await harness.run(spec, {"message": "x"})
    assert waiting.status == "interrupted"

    await asyncio.sleep(0.6)  # longer than the whole run may take
    done = await harness.execute(waiting.run.id, resume={"approved": True})

    assert done.status == "succeeded"
    assert done.run.output == "x"
    assert done.run.totals.latency_ms < 500
