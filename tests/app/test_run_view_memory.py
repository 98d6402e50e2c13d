"""The trace shows what each step retrieved: a real run's events through ``RunView``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import reflex as rx

from agent_runtime.events import event_from_record
from agent_runtime.memory import MemoryScope
from agent_runtime.model_server import ScriptedModelServer
from agent_runtime.runtime import Runtime
from agent_runtime.settings import Settings
from agent_runtime.spec import MemorySpec
from agent_runtime.store import open_store
from app.services.run_view import RunView, TraceRow
from components.trace_row import trace_row
from tests.agent_runtime.conformance._graphs import agent, linear, memory_node

REFUNDS = "Refunds: you can return a product within 30 days of purchase for a full refund."
SHIPPING = "Shipping takes 3 to 5 business days within the EU."
QUESTION = "How many days do I have to return a product for a refund?"
KB = {"id": "kb", "type": "knowledge_base"}

SCRIPT = {
    "rules": [
        {
            "when": {"system": {"regex": r"within (?P<days>\d+) days of purchase"}},
            "content": "Within {days} days.",
        }
    ]
}


class _TraceState(rx.State):
    rows: list[TraceRow] = []


@pytest.fixture
async def runtime(tmp_path: Path, model_server: ScriptedModelServer) -> AsyncIterator[Runtime]:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'orchestrall.db'}",
        default_base_url=model_server.base_url,
    )
    store = open_store(settings=settings)
    runtime = Runtime(settings=settings, store=store)
    yield runtime
    await runtime.aclose()
    store.close()


async def run_support(runtime: Runtime) -> tuple[str, list]:
    """Fill the knowledge base through the runtime's memory, run the graph: run id, events."""
    spec = linear(
        "Support",
        memory_node("lookup", "kb", "retrieve", query="{{ input.message }}", top_k=2),
        agent("support", "Support"),
        memories=[KB],
    )
    graph_id = runtime.store.create_graph("Support", spec=spec).id
    scope = MemoryScope(graph_id)
    memory = runtime.services.memory
    await memory.store(MemorySpec(**KB), REFUNDS, scope=scope, metadata={"filename": "policy.md"})
    await memory.store(MemorySpec(**KB), SHIPPING, scope=scope)
    run = runtime.start(graph_id, {"message": QUESTION}, backend="langgraph")
    return run.id, [event async for event in runtime.execute(run.id)]


async def test_a_step_shows_what_it_retrieved(runtime: Runtime) -> None:
    run_id, events = await run_support(runtime)
    view = RunView()
    for event in events:
        view.apply(event)

    assert view.status == "succeeded", view.error_detail
    assert view.answer == "Within 30 days."
    lookup = next(r for r in view.trace if r.node_id == "lookup")
    assert lookup.retrieved_count == 2
    best, other = lookup.retrieved
    score, rest = best.split("  ", 1)
    assert 0 < float(score) <= 1
    assert rest == f"policy.md · {REFUNDS}"  # the document's file, then the text
    assert other.endswith(f"  {SHIPPING}")  # no file: the text alone
    assert all(not r.retrieved for r in view.trace if r.node_id != "lookup")

    copied = lookup.copy()
    copied.retrieved.append("more")
    assert len(lookup.retrieved) == 2

    replayed = RunView()  # the same trace from the stored events, as the run history shows it
    for r in runtime.store.list_run_events(run_id):
        replayed.apply(event_from_record(r.run_id, r.seq, r.type, r.node_id, r.payload))
    assert [r.retrieved for r in replayed.trace] == [r.retrieved for r in view.trace]


def test_a_retrieval_that_found_nothing_says_so() -> None:
    view = RunView()
    for record in [
        ("node_started", {"kind": "memory", "at": 1.0}),
        ("memory_retrieved", {"memory": "kb", "query": "unicorns", "hits": [], "at": 1.1}),
        ("node_finished", {"output": "0 result(s)", "at": 1.2}),
    ]:
        view.apply(event_from_record("r", 1, record[0], "lookup", record[1]))

    (row,) = view.trace
    assert row.retrieved == ["nothing found in kb for “unicorns”"]
    assert row.retrieved_count == 0


def test_the_trace_row_has_a_retrieved_block_and_counts_it() -> None:
    rendered = str(rx.foreach(_TraceState.rows, trace_row).render())

    assert "step-retrieved" in rendered
    assert "Retrieved" in rendered
    assert " retrieved" in rendered
