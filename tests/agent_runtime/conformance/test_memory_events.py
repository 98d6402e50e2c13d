"""What a step retrieved is in the run's events, the same on every backend.

A knowledge base is filled through the runtime's own memory service (whatever
implements the ``Memory`` protocol there), then a graph answers from it: a
memory step retrieves, and the agent, which also names the knowledge base,
retrieves again before it answers. Both report ``memory_retrieved`` between
their ``node_started`` and ``node_finished``.
"""

from __future__ import annotations

from agent_runtime.events import HIT_CHARS, event_from_record
from agent_runtime.memory import MemoryScope
from agent_runtime.spec import MemorySpec
from tests.agent_runtime.conformance._graphs import agent, linear, memory_node
from tests.agent_runtime.conformance._harness import Harness

REFUNDS = "Refunds: you can return a product within 30 days of purchase for a full refund."
SHIPPING = "Shipping takes 3 to 5 business days within the EU."
OFFICE = "The office cat is called Pixel and sleeps on the printer."
DOCUMENTS = {REFUNDS: "policy.md", SHIPPING: "shipping.md", OFFICE: "notes.txt"}
QUESTION = "How many days do I have to return a product for a refund?"
ANSWER = "You can return it within 30 days."

SCRIPT = {
    "rules": [
        # Answers only when the retrieved policy reached the agent's system prompt.
        {
            "when": {"system": {"regex": r"return a product within (?P<days>\d+) days"}},
            "content": "You can return it within {days} days.",
        },
        {"when": {"system": "You are Support"}, "content": "I do not know."},
    ]
}

KB = {"id": "kb", "type": "knowledge_base", "description": "Shop policies"}


def support_graph() -> dict:
    return linear(
        "Support",
        memory_node("lookup", "kb", "retrieve", query="{{ input.message }}", top_k=2),
        agent("support", "Support", memory=["kb"]),
        memories=[KB],
    )


async def fill_knowledge_base(harness: Harness, graph_id: str) -> None:
    memory, scope = harness.runtime.services.memory, MemoryScope(graph_id)
    for text, filename in DOCUMENTS.items():
        await memory.store(MemorySpec(**KB), text, scope=scope, metadata={"filename": filename})


async def test_retrieval_is_reported_at_the_step_that_retrieves(harness: Harness) -> None:
    graph_id = harness.save(support_graph())
    await fill_knowledge_base(harness, graph_id)

    result = await harness.run(graph_id, {"message": QUESTION})

    assert result.status == "succeeded", result.last
    assert result.run.output == ANSWER
    assert result.types == [
        "run_started",
        *["node_started", "node_finished"],  # input
        *["node_started", "memory_retrieved", "node_finished"],  # lookup
        *["node_started", "memory_retrieved", "node_finished"],  # support
        *["node_started", "node_finished"],  # output
        "run_finished",
    ]
    lookup, support = result.of("memory_retrieved")
    assert (lookup.node_id, lookup.memory, lookup.query) == ("lookup", "kb", QUESTION)
    assert (support.node_id, support.memory, support.query) == ("support", "kb", QUESTION)
    assert len(lookup.hits) == 2  # the step's top_k
    assert 1 <= len(support.hits) <= 4  # an agent's own memories: at most 4 each
    for event in (lookup, support):
        best = event.hits[0]
        assert best.text == REFUNDS
        assert best.metadata["filename"] == "policy.md"
        assert all(hit.text in DOCUMENTS for hit in event.hits)
        assert [h.score for h in event.hits] == sorted((h.score for h in event.hits), reverse=True)
    assert result.finished("lookup") == "2 result(s)"
    (sent,) = harness.sent_to("Support")
    assert REFUNDS in sent.system

    rows = harness.stored_events(result.run.id)
    stored = [event_from_record(r.run_id, r.seq, r.type, r.node_id, r.payload) for r in rows]
    assert [e.type for e in stored if e.type != "token"] == result.types
    assert [e for e in stored if e.type == "memory_retrieved"] == [lookup, support]


async def test_long_hits_are_clipped_in_the_event(harness: Harness) -> None:
    spec = linear(
        "Long",
        memory_node("lookup", "kb", "retrieve", query="{{ input.message }}", top_k=1),
        memories=[KB],
    )
    graph_id = harness.save(spec)
    long_text = "refund policy " + "word " * HIT_CHARS
    scope = MemoryScope(graph_id)
    await harness.runtime.services.memory.store(MemorySpec(**KB), long_text, scope=scope)

    result = await harness.run(graph_id, {"message": "refund policy"})

    assert result.status == "succeeded", result.last
    (event,) = result.of("memory_retrieved")
    (hit,) = event.hits
    assert len(hit.text) == HIT_CHARS
    assert hit.text.endswith("…")
    assert long_text.startswith(hit.text[:-1])
