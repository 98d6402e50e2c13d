"""The knowledge page's service, with the real KnowledgeBases: embedded Chroma in a fresh
data dir and the bundled all-MiniLM-L6-v2 (loaded once per process, shared)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_runtime.errors import ImportFormatError, NotFoundError, OrchestrallError
from agent_runtime.settings import get_settings
from app.services import knowledge
from tests.agent_runtime.conformance._graphs import agent, linear
from tests.agent_runtime.memory._pdf import make_pdf
from tests.app.conftest import save_graph

GUIDE = """# Travel guide

## Holidays

Every employee gets twenty-eight days of paid holiday a year, and unused days
carry over until the end of March.

## Expenses

Train tickets are booked through the travel desk. Hotel nights are refunded up
to 140 euros in cities and 100 euros elsewhere.
"""
MEMORIES = [
    {"id": "docs", "type": "knowledge_base", "description": "The staff handbook"},
    {"id": "notes", "type": "long_term"},
    {"id": "faq", "type": "knowledge_base"},
]


@pytest.fixture
def bases(data_dir: Path) -> Iterator[None]:
    """The service's KnowledgeBases made anew in this test's data dir, closed after."""
    knowledge.close_knowledge()
    yield
    knowledge.close_knowledge()


@pytest.fixture
def graph_id(bases: None) -> str:
    return save_graph(linear("Handbook", agent("a", "Helper"), memories=MEMORIES))


def test_the_graphs_knowledge_bases_are_its_knowledge_base_memories(graph_id: str) -> None:
    found = knowledge.knowledge_bases(graph_id)
    assert found.graph_name == "Handbook"
    assert found.bases == [
        knowledge.KnowledgeBaseView("docs", "The staff handbook"),
        knowledge.KnowledgeBaseView("faq", ""),
    ]
    plain = save_graph(linear("Plain", agent("a", "Helper")))
    assert knowledge.knowledge_bases(plain).bases == []


def test_upload_lists_chunks_searches_and_deletes(graph_id: str) -> None:
    seen: list[tuple[int, int]] = []
    row = knowledge.upload(
        graph_id, "docs", "guide.md", GUIDE.encode(), progress=lambda *a: seen.append(a)
    )
    assert (row.filename, row.kind, row.size) == (
        "guide.md",
        "Markdown",
        f"{len(GUIDE.encode())} B",
    )
    assert row.chunks >= 1 and seen[-1] == (row.chunks, row.chunks)
    assert knowledge.list_documents(graph_id, "docs") == [row]
    assert knowledge.list_documents(graph_id, "faq") == []  # another knowledge base

    chunks = knowledge.list_chunks(graph_id, "docs", row.id)
    assert [c.index for c in chunks] == list(range(row.chunks))
    assert "twenty-eight days" in " ".join(c.text for c in chunks)

    hits = knowledge.search(graph_id, "docs", "How many days of paid holiday do I get?")
    top = hits[0]
    assert (top.rank, top.filename, top.document_id) == (1, "guide.md", row.id)
    assert "twenty-eight days" in top.text
    assert 0.3 < top.score <= 1 and top.score_text == f"{top.score:.2f}"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    assert knowledge.delete_document(graph_id, "docs", row.id) == row.chunks
    assert knowledge.list_documents(graph_id, "docs") == []
    assert knowledge.search(graph_id, "docs", "holiday") == []


def test_a_pdf_is_read_through_its_text_layer(graph_id: str) -> None:
    data = make_pdf([["Hotel nights are refunded up to 140 euros."], ["Trains: travel desk."]])
    row = knowledge.upload(graph_id, "docs", "policy.pdf", data)
    assert row.kind == "PDF"
    text = " ".join(c.text for c in knowledge.list_chunks(graph_id, "docs", row.id))
    assert "140 euros" in text and "travel desk" in text


@pytest.mark.parametrize(
    ("filename", "data", "code", "words"),
    [
        ("slides.pptx", b"PK\x03\x04", "unsupported_document", "cannot read .pptx"),
        ("blank.txt", b"  \n\n ", "empty_document", "contains no text"),
        ("broken.pdf", b"%PDF-1.4 not really", "unreadable_document", "broken.pdf"),
    ],
)
def test_a_bad_file_is_refused_in_plain_words_and_nothing_is_stored(
    graph_id: str, filename: str, data: bytes, code: str, words: str
) -> None:
    with pytest.raises(ImportFormatError) as caught:
        knowledge.upload(graph_id, "docs", filename, data)
    assert caught.value.code == code
    assert words in caught.value.message
    assert knowledge.list_documents(graph_id, "docs") == []


def test_a_file_over_the_size_limit_is_refused_with_the_limit(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORCHESTRALL_MAX_DOCUMENT_BYTES", "100000")
    get_settings.cache_clear()
    knowledge.close_knowledge()
    try:
        graph_id = save_graph(linear("Big", agent("a", "Helper"), memories=MEMORIES))
        assert knowledge.max_document_bytes() == 100_000
        with pytest.raises(ImportFormatError) as caught:
            knowledge.upload(graph_id, "docs", "big.txt", b"word " * 40_000)
    finally:
        knowledge.close_knowledge()
    assert caught.value.code == "document_too_large"
    assert caught.value.message.startswith("big.txt is 0.2 MB; a knowledge base takes")
    assert "0.1 MB" in caught.value.message


def test_a_memory_that_is_not_a_knowledge_base_is_refused(graph_id: str) -> None:
    for memory_id in ("notes", "missing"):
        with pytest.raises(NotFoundError) as caught:
            knowledge.list_documents(graph_id, memory_id)
        assert caught.value.code == "knowledge_base_not_found"
        assert f"no knowledge base '{memory_id}'" in caught.value.message
    with pytest.raises(NotFoundError):
        knowledge.knowledge_bases("no-such-graph")


def test_deleting_an_unknown_document_and_an_empty_search_say_so(graph_id: str) -> None:
    with pytest.raises(NotFoundError) as caught:
        knowledge.delete_document(graph_id, "docs", "doc-nope")
    assert caught.value.code == "document_not_found"
    with pytest.raises(OrchestrallError) as empty:
        knowledge.search(graph_id, "docs", "   ")
    assert empty.value.code == "empty_query"


def test_human_size() -> None:
    assert [knowledge.human_size(n) for n in (0, 999, 12_345, 4_500_000)] == [
        "0 B",
        "999 B",
        "12.3 KB",
        "4.5 MB",
    ]


async def test_the_app_start_removes_the_memories_of_deleted_graphs(graph_id: str) -> None:
    from app.services import graphs

    kept = save_graph(linear("Kept", agent("a", "Helper"), memories=MEMORIES))
    for graph in (graph_id, kept):
        knowledge.upload(graph, "docs", "guide.md", GUIDE.encode())
        knowledge.upload(graph, "faq", "guide.md", GUIDE.encode())
    deleted = graphs.delete_graph(graph_id)
    assert len(knowledge.list_documents(kept, "docs")) == 1

    async with knowledge.memory_prune_lifespan():
        pass

    vectors = knowledge._get().vectors
    assert vectors.memories() == [(kept, "docs"), (kept, "faq")]
    assert len(knowledge.list_documents(kept, "docs")) == 1
    graphs.restore_graph(deleted)  # the graph comes back; its documents do not
    assert knowledge.list_documents(graph_id, "docs") == []
    assert knowledge.prune_deleted_graphs() == []


def test_nothing_is_opened_to_prune_when_there_is_no_chroma_yet(bases: None) -> None:
    assert not get_settings().chroma_path().exists()
    assert knowledge.prune_deleted_graphs() == []
    assert not get_settings().chroma_path().exists()
