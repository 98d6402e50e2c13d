"""A graph's knowledge bases, as the knowledge page shows and changes them.

    bases = knowledge_bases(graph_id)             # GraphKnowledge: its knowledge_base memories
    docs = list_documents(graph_id, "docs")       # [DocumentRow], oldest first
    row = upload(graph_id, "docs", "guide.md", data, progress=lambda done, total: ...)
    list_chunks(graph_id, "docs", row.id)         # [ChunkRow], in order
    search(graph_id, "docs", "how many holidays?")  # [HitRow], best first, with scores
    delete_document(graph_id, "docs", row.id)     # the document and its chunks

One ``KnowledgeBases`` per process, made on first use from ``get_settings()`` and the
app's secrets (like the run executor in ``app.services.runs``), closed at exit or by
``close_knowledge()``. Calls block (embedding takes a while): states call them in a
thread. Every failure is an ``OrchestrallError`` whose message can be shown as is; a
memory the graph's current version does not declare as a knowledge base is refused.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import dataclasses
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from agent_runtime.errors import NotFoundError, OrchestrallError
from agent_runtime.memory import KnowledgeBases, VectorStore, embedder_for
from agent_runtime.settings import get_settings
from app.services.graphs import get_store
from app.services.settings import run_secrets

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "KIND_NAMES",
    "ChunkRow",
    "DocumentRow",
    "GraphKnowledge",
    "HitRow",
    "KnowledgeBaseView",
    "close_knowledge",
    "delete_document",
    "knowledge_bases",
    "list_chunks",
    "list_documents",
    "max_document_bytes",
    "memory_prune_lifespan",
    "prune_deleted_graphs",
    "search",
    "upload",
]

ACCEPTED_EXTENSIONS = (".txt", ".md", ".pdf", ".html")
KIND_NAMES = {
    "text/plain": "Text",
    "text/markdown": "Markdown",
    "text/html": "HTML",
    "application/pdf": "PDF",
}
KNOWLEDGE_BASE = "knowledge_base"
SEARCH_TOP_K = 4

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_bases: KnowledgeBases | None = None


def _get() -> KnowledgeBases:
    global _bases
    with _lock:
        if _bases is None:
            _bases = KnowledgeBases(get_settings(), secrets=run_secrets())
            atexit.register(close_knowledge)
        return _bases


def close_knowledge() -> None:
    """Close this process's knowledge bases (and its hold on Chroma); the next use reopens."""
    global _bases
    with _lock:
        bases, _bases = _bases, None
    if bases is not None:
        bases.close()


def prune_deleted_graphs() -> list[tuple[str, str]]:
    """Drop the memories (Chroma collections) of graphs that no longer exist.

    Deleting a graph on the home page can be undone for a while, so its memories
    stay until this runs, at the app's start. Returns the (graph, memory) pairs dropped.
    """
    settings = get_settings()
    if not settings.chroma_url and not settings.chroma_path().exists():
        return []
    live = {graph.id for graph in get_store().list_graphs()}
    vectors = VectorStore(settings, embedder_for(settings, run_secrets()))
    try:
        return vectors.prune(live)
    finally:
        vectors.close()


def _prune_and_log() -> None:
    try:
        dropped = prune_deleted_graphs()
    except OrchestrallError as exc:
        logger.warning("Memories of deleted graphs not removed: %s", exc)
        return
    for graph_id, memory_id in dropped:
        logger.info("Removed memory %r of deleted graph %s", memory_id, graph_id)


@contextlib.asynccontextmanager
async def memory_prune_lifespan() -> AsyncIterator[None]:
    """At the app's start, remove deleted graphs' memories in the background (a lifespan task)."""
    pruning = asyncio.create_task(asyncio.to_thread(_prune_and_log))
    try:
        yield
    finally:
        await pruning


# -- views ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class KnowledgeBaseView:
    """One ``knowledge_base`` memory the graph declares."""

    id: str
    description: str


@dataclasses.dataclass(frozen=True)
class GraphKnowledge:
    """The graph's name and its knowledge bases (its current version's)."""

    graph_id: str
    graph_name: str
    bases: list[KnowledgeBaseView]


@dataclasses.dataclass(frozen=True)
class DocumentRow:
    """One document, as the table shows it."""

    id: str
    filename: str
    kind: str  # Text | Markdown | HTML | PDF
    size: str  # "12.3 KB"
    characters: int
    chunks: int
    added: str  # "2025-01-31 14:05" (UTC)


@dataclasses.dataclass(frozen=True)
class ChunkRow:
    """One chunk of a document: its place, where it starts in the text, and its text."""

    id: str
    index: int
    start: int
    text: str


@dataclasses.dataclass(frozen=True)
class HitRow:
    """One search result: its rank, score, text and where it comes from."""

    rank: int
    score: float
    score_text: str  # "0.73"
    text: str
    filename: str
    document_id: str
    chunk: int  # the chunk's index in its document


def human_size(size: int) -> str:
    """``size`` bytes in words: 512 B, 12.3 KB, 4.5 MB."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} KB"
    return f"{size / 1_000_000:.1f} MB"


def max_document_bytes() -> int:
    """The largest document a knowledge base takes (``ORCHESTRALL_MAX_DOCUMENT_BYTES``)."""
    return get_settings().max_document_bytes


def _row(doc: Any) -> DocumentRow:
    return DocumentRow(
        id=doc.id,
        filename=doc.filename,
        kind=KIND_NAMES.get(doc.content_type, doc.content_type or "?"),
        size=human_size(doc.size_bytes),
        characters=doc.characters,
        chunks=doc.chunks,
        added=doc.added_at.strftime("%Y-%m-%d %H:%M"),
    )


# -- the graph's knowledge bases -------------------------------------------------------


def knowledge_bases(graph_id: str) -> GraphKnowledge:
    """The ``knowledge_base`` memories of the graph's current version (drafts included)."""
    store = get_store()
    graph = store.get_graph(graph_id)
    spec = store.get_spec(graph_id)
    bases = [
        KnowledgeBaseView(str(memory.get("id", "")), str(memory.get("description") or ""))
        for memory in spec.get("memories") or []
        if isinstance(memory, dict) and memory.get("type") == KNOWLEDGE_BASE and memory.get("id")
    ]
    return GraphKnowledge(graph_id, graph.name, bases)


def _check(graph_id: str, memory_id: str) -> None:
    declared = knowledge_bases(graph_id)
    if memory_id not in {base.id for base in declared.bases}:
        raise NotFoundError(
            f"{declared.graph_name} has no knowledge base '{memory_id}': add one in the "
            "graph's settings (Memories, type knowledge_base).",
            code="knowledge_base_not_found",
        )


# -- documents ---------------------------------------------------------------------------


def list_documents(graph_id: str, memory_id: str) -> list[DocumentRow]:
    """The knowledge base's documents, oldest first."""
    _check(graph_id, memory_id)
    return [_row(doc) for doc in _get().list_documents(graph_id, memory_id)]


def list_chunks(graph_id: str, memory_id: str, document_id: str) -> list[ChunkRow]:
    """The document's chunks, in order."""
    _check(graph_id, memory_id)
    return [
        ChunkRow(chunk.id, chunk.index, chunk.start, chunk.text)
        for chunk in _get().list_chunks(graph_id, memory_id, document_id)
    ]


def upload(
    graph_id: str,
    memory_id: str,
    filename: str,
    data: bytes,
    progress: Callable[[int, int], None] | None = None,
) -> DocumentRow:
    """Read, chunk, embed and store one file; ``progress(chunks_done, chunks_total)``
    after each embedded batch. All of it is stored, or (on any error) none of it.

    A file too large, of another type, unreadable or empty raises ``ImportFormatError``
    (codes ``document_too_large``, ``unsupported_document``, ``unreadable_document``,
    ``empty_document``) saying so in plain words.
    """
    _check(graph_id, memory_id)
    return _row(_get().add_document(graph_id, memory_id, filename, data, progress=progress))


def delete_document(graph_id: str, memory_id: str, document_id: str) -> int:
    """Delete the document and all its chunks; how many chunks went."""
    _check(graph_id, memory_id)
    return _get().delete_document(graph_id, memory_id, document_id)


def search(graph_id: str, memory_id: str, query: str, top_k: int = SEARCH_TOP_K) -> list[HitRow]:
    """The ``top_k`` chunks nearest ``query``, best first (score = cosine similarity)."""
    _check(graph_id, memory_id)
    if not query.strip():
        raise OrchestrallError("Type something to search for.", code="empty_query")
    hits = _get().search(graph_id, memory_id, query.strip(), top_k=top_k)
    return [
        HitRow(
            rank=rank,
            score=hit.score,
            score_text=f"{hit.score:.2f}",
            text=hit.text,
            filename=str(hit.metadata.get("filename", "")),
            document_id=str(hit.metadata.get("document_id", "")),
            chunk=int(hit.metadata.get("chunk_index", 0)),
        )
        for rank, hit in enumerate(hits, start=1)
    ]
