"""Knowledge bases with the real model: ingestion, chunks, search, delete, limits, rollback."""

from __future__ import annotations

import math

import pytest

from agent_runtime.errors import ImportFormatError, NotFoundError
from agent_runtime.memory import KnowledgeBases, LocalEmbedder, VectorStore
from agent_runtime.settings import Settings
from tests.agent_runtime.memory._corpus import DOCUMENTS
from tests.agent_runtime.memory._pdf import make_pdf

G, M = "graph-1", "docs"


def test_a_document_is_chunked_embedded_and_searchable(kb: KnowledgeBases) -> None:
    seen: list[tuple[int, int]] = []
    text = DOCUMENTS["expenses.md"] + "\n\n" + DOCUMENTS["security.md"]
    doc = kb.add_document(
        G, M, "policies/handbook.md", text.encode(), progress=lambda *a: seen.append(a)
    )

    assert doc.filename == "handbook.md" and doc.content_type == "text/markdown"
    assert (doc.graph_id, doc.memory_id, doc.size_bytes) == (G, M, len(text.encode()))
    assert doc.chunks >= 2 and seen[-1] == (doc.chunks, doc.chunks)
    assert kb.list_documents(G, M) == [doc]
    chunks = kb.list_chunks(G, M, doc.id)
    assert [c.index for c in chunks] == list(range(doc.chunks))
    assert all(len(c.text) <= 800 and c.document_id == doc.id for c in chunks)

    (best, *_) = kb.search(G, M, "How fast must a stolen phone be reported?")
    assert "security hotline within one hour" in " ".join(best.text.split())
    assert best.metadata["document_id"] == doc.id and best.metadata["filename"] == "handbook.md"
    assert 0 < best.score <= 1


def test_score_is_one_minus_cosine_distance(kb: KnowledgeBases, embedder: LocalEmbedder) -> None:
    kb.add_document(G, M, "a.txt", b"The canteen serves soup on Fridays.")
    query = "What is for lunch on Friday?"
    (hit,) = kb.search(G, M, query)
    a, b = embedder.embed([query, hit.text])
    cosine = sum(x * y for x, y in zip(a, b, strict=True))
    assert math.isclose(hit.score, cosine, abs_tol=2e-3)  # 1 - cosine distance
    assert kb.search(G, M, query, min_score=hit.score + 0.01) == []


def test_pdf_and_html_documents(kb: KnowledgeBases) -> None:
    pdf = make_pdf([["Refunds are paid within 14 days of the return."], ["Page two."]])
    html = b"<html><body><h1>Parking</h1><p>Staff park on level -2.</p></body></html>"
    kb.add_document(G, M, "refunds.pdf", pdf)
    kb.add_document(G, M, "parking.html", html)
    assert [d.content_type for d in kb.list_documents(G, M)] == ["application/pdf", "text/html"]
    (hit, *_) = kb.search(G, M, "where do employees leave their cars?")
    assert hit.text.startswith("Parking") and hit.metadata["filename"] == "parking.html"
    filtered = kb.search(
        G, M, "where do employees leave their cars?", filters={"filename": "refunds.pdf"}
    )
    assert [h.metadata["filename"] for h in filtered] == ["refunds.pdf"]


def test_delete_really_deletes(kb: KnowledgeBases) -> None:
    keep = kb.add_document(G, M, "office.md", DOCUMENTS["office.md"].encode())
    gone = kb.add_document(G, M, "leave.md", DOCUMENTS["leave.md"].encode())
    question = "How many vacation days do I get each year?"
    assert kb.search(G, M, question)[0].metadata["document_id"] == gone.id

    assert kb.delete_document(G, M, gone.id) == gone.chunks
    assert kb.list_documents(G, M) == [keep]
    assert kb.vectors.count(G, M) == keep.chunks
    assert all(h.metadata["document_id"] == keep.id for h in kb.search(G, M, question, top_k=50))
    assert kb.vectors.get(G, M, where={"document_id": gone.id}) == []
    with pytest.raises(NotFoundError) as caught:
        kb.list_chunks(G, M, gone.id)
    assert caught.value.code == "document_not_found"
    with pytest.raises(NotFoundError):
        kb.delete_document(G, M, gone.id)

    assert kb.clear(G, M) is True
    assert kb.list_documents(G, M) == [] and kb.search(G, M, question) == []
    assert kb.clear(G, M) is False


def test_memories_and_graphs_are_separate(kb: KnowledgeBases) -> None:
    kb.add_document(G, M, "a.txt", b"Alpha facts about llamas.")
    kb.add_document(G, "other", "b.txt", b"Beta facts about llamas.")
    kb.add_document("graph-2", M, "c.txt", b"Gamma facts about llamas.")
    assert [h.text for h in kb.search(G, M, "llamas", top_k=10)] == ["Alpha facts about llamas."]
    assert kb.search("graph-3", M, "llamas") == []


def test_too_large_documents_are_refused_before_any_work(tmp_path, embedder) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, max_document_bytes=1_000)
    kb = KnowledgeBases(settings, embedder=embedder)
    try:
        with pytest.raises(ImportFormatError, match=r"big\.txt is 0\.0 MB.*0\.0 MB") as caught:
            kb.add_document(G, M, "big.txt", b"x" * 1_001)
        assert caught.value.code == "document_too_large"
        with pytest.raises(ImportFormatError) as bad:
            kb.add_document(G, M, "image.png", b"\x89PNG")
        assert bad.value.code == "unsupported_document"
        assert kb.list_documents(G, M) == []
    finally:
        kb.close()


class _FailingEmbedder(LocalEmbedder):
    """The real model, failing on its second batch (as an endpoint that goes away would)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == 2:
            raise OSError("embedding failed half-way")
        return super().embed(texts)


def test_a_failed_ingestion_leaves_nothing_behind(settings: Settings, embedder) -> None:
    long_text = "\n\n".join(f"Paragraph {i}. " + "Words about policies. " * 30 for i in range(90))
    kb = KnowledgeBases(settings, store=VectorStore(settings, _FailingEmbedder()))
    try:
        with pytest.raises(OSError, match="half-way"):
            kb.add_document(G, M, "long.txt", long_text.encode())
        assert kb.list_documents(G, M) == [] and kb.vectors.count(G, M) == 0
    finally:
        kb.vectors.close()
