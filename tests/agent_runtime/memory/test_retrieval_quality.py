"""Retrieval quality on a labelled question set, with the real model: hit@4 reported and asserted.

The floor is 0.90 (at most 2 misses in 25). Why: the model and the text are fixed and
inference on CPU is deterministic, so the figure moves only when chunking, the model or
the retrieval policy changes. Measured when written: hit@4 1.00, hit@1 0.76. The eight
documents make 12 chunks, so a random pick of 4 scores 0.33, and word overlap
(``InMemoryMemory``, the old placeholder) scores 0.80 — below the embeddings, which the
test also asserts. 0.90 leaves room for two honest misses after a tuning change (a
different chunk size moves an answer next to a neighbouring topic), while a real
regression (wrong distance space, unnormalised vectors, a broken filter, chunks cut
mid-sentence) falls well below it. hit@1 is held to 0.60 only: in a two-chunk document
the overlapping neighbour often ranks first, which top-4 retrieval forgives.
"""

from __future__ import annotations

from agent_runtime.memory import InMemoryMemory, KnowledgeBases, MemoryScope
from agent_runtime.spec import MemorySpec
from tests.agent_runtime.memory._corpus import DOCUMENTS, QUESTIONS
from tests.agent_runtime.memory.conftest import REPORT

HIT_AT_4_FLOOR = 0.90
GRAPH, MEMORY = "g-quality", "handbook"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _rank(texts: list[str], answer: str) -> int | None:
    return next((i for i, t in enumerate(texts) if _flat(answer) in _flat(t)), None)


async def test_hit_at_4_on_labelled_questions(kb: KnowledgeBases) -> None:
    chunks = sum(kb.add_document(GRAPH, MEMORY, f, t.encode()).chunks for f, t in DOCUMENTS.items())
    for _question, answer in QUESTIONS:  # each label names exactly one passage's words
        assert sum(answer in _flat(t) for t in DOCUMENTS.values()) == 1, answer

    ranks = []
    for question, answer in QUESTIONS:
        hits = kb.search(GRAPH, MEMORY, question, top_k=4)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        ranks.append(_rank([h.text for h in hits], answer))
    hit4 = sum(r is not None for r in ranks) / len(ranks)
    hit1 = sum(r == 0 for r in ranks) / len(ranks)
    mrr = sum(1 / (r + 1) for r in ranks if r is not None) / len(ranks)

    # The old placeholder (word overlap), on the same chunks, as a baseline.
    lexical, spec = InMemoryMemory(), MemorySpec(id=MEMORY, type="knowledge_base")
    scope = MemoryScope(GRAPH)
    for doc in kb.list_documents(GRAPH, MEMORY):
        for chunk in kb.list_chunks(GRAPH, MEMORY, doc.id):
            await lexical.store(spec, chunk.text, scope=scope)
    lexical_hits = 0
    for question, answer in QUESTIONS:
        found = await lexical.retrieve(spec, question, scope=scope, top_k=4)
        lexical_hits += _rank([h.text for h in found], answer) is not None
    lexical4 = lexical_hits / len(QUESTIONS)

    missed = [q for (q, _), r in zip(QUESTIONS, ranks, strict=True) if r is None]
    REPORT.append(
        f"labelled set: {len(QUESTIONS)} questions, {len(DOCUMENTS)} documents, {chunks} chunks; "
        f"all-MiniLM-L6-v2 hit@4 {hit4:.2f} (floor {HIT_AT_4_FLOOR}), hit@1 {hit1:.2f}, "
        f"MRR {mrr:.2f}; word-overlap baseline hit@4 {lexical4:.2f}; random top-4 "
        f"{min(1.0, 4 / chunks):.2f}; missed: {missed or 'none'}"
    )
    assert hit4 >= HIT_AT_4_FLOOR, missed
    assert hit4 > lexical4
    assert hit1 >= 0.60
