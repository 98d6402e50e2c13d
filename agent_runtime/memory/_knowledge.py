"""Knowledge bases: documents people upload into a graph's ``knowledge_base`` memory.

    kb = KnowledgeBases(settings, secrets=run_secrets)   # sync: for the UI and the CLI
    doc = kb.add_document(graph_id, "docs", "handbook.pdf", data, progress=print)
    kb.list_documents(graph_id, "docs")                  # [DocumentInfo, ...], oldest first
    kb.list_chunks(graph_id, "docs", doc.id)             # [ChunkInfo, ...], in order
    kb.search(graph_id, "docs", "how many holidays?")   # [MemoryHit, ...], best first
    kb.delete_document(graph_id, "docs", doc.id)         # its chunks are deleted with it
    kb.close()

A document is its chunks: each chunk in the memory's Chroma collection carries
``document_id``, ``filename``, ``chunk_index`` and ``start`` (where it begins in
the extracted text); chunk 0 also carries the document's ``content_type``,
``size_bytes``, ``characters``, ``chunk_count`` and ``added_at``. So nothing
about documents lives outside Chroma, and deleting the chunks deletes the
document. Runs read the same collection through ``ChromaMemory`` (the hits'
metadata names the file), and may filter on these keys (e.g. ``filename``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from agent_runtime.errors import ImportFormatError, NotFoundError
from agent_runtime.memory._base import MemoryHit
from agent_runtime.memory._chroma import VectorStore, where_equal
from agent_runtime.memory._chunking import chunk_text
from agent_runtime.memory._documents import extract_text
from agent_runtime.memory._embedders import Embedder, embedder_for
from agent_runtime.settings import Settings

__all__ = ["ChunkInfo", "DocumentInfo", "KnowledgeBases", "Progress"]

#: ``progress(chunks_done, chunks_total)``, called after each embedded batch.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DocumentInfo:
    """One uploaded document of a knowledge base."""

    id: str
    graph_id: str
    memory_id: str
    filename: str
    content_type: str
    size_bytes: int
    characters: int
    chunks: int
    added_at: datetime


@dataclass(frozen=True)
class ChunkInfo:
    """One chunk of a document: its place, where it starts in the document's text, its text."""

    id: str
    document_id: str
    index: int
    start: int
    text: str


def _document(graph_id: str, memory_id: str, meta: Mapping[str, Any]) -> DocumentInfo:
    return DocumentInfo(
        id=str(meta["document_id"]),
        graph_id=graph_id,
        memory_id=memory_id,
        filename=str(meta.get("filename", "")),
        content_type=str(meta.get("content_type", "")),
        size_bytes=int(meta.get("size_bytes", 0)),
        characters=int(meta.get("characters", 0)),
        chunks=int(meta.get("chunk_count", 0)),
        added_at=datetime.fromtimestamp(float(meta.get("added_at", 0.0)), UTC),
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


class KnowledgeBases:
    """Add, list, search and delete the documents of knowledge-base memories (blocking calls).

    Uses the same Chroma as the runs (``ORCHESTRALL_CHROMA_URL`` or the embedded
    store, whose one owner is this process) and the same embedder.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        secrets: Mapping[str, str] | None = None,
        embedder: Embedder | None = None,
        store: VectorStore | None = None,
    ) -> None:
        self.settings = settings
        self._owns_store = store is None
        self.vectors = store or VectorStore(settings, embedder or embedder_for(settings, secrets))

    def add_document(
        self,
        graph_id: str,
        memory_id: str,
        filename: str,
        data: bytes,
        progress: Progress | None = None,
    ) -> DocumentInfo:
        """Extract, chunk, embed and store a document; all of it or (on error) none of it.

        Raises ``ImportFormatError``: ``document_too_large`` (over
        ``ORCHESTRALL_MAX_DOCUMENT_BYTES``), ``unsupported_document``,
        ``unreadable_document`` or ``empty_document``.
        """
        name = PurePath(filename.replace("\\", "/")).name[:255] or "document"
        limit = self.settings.max_document_bytes
        if len(data) > limit:
            raise ImportFormatError(
                f"{name} is {_megabytes(len(data))}; a knowledge base takes documents of up "
                f"to {_megabytes(limit)} (ORCHESTRALL_MAX_DOCUMENT_BYTES).",
                code="document_too_large",
            )
        text, content_type = extract_text(name, data)
        chunks = chunk_text(text)
        if not chunks:
            raise ImportFormatError(f"{name} contains no text.", code="empty_document")
        document_id = f"doc-{uuid.uuid4().hex[:16]}"
        added_at = round(time.time(), 3)
        ids, metadatas = [], []
        for chunk in chunks:
            ids.append(f"{document_id}-{chunk.index:05d}")
            meta: dict[str, Any] = {
                "document_id": document_id,
                "filename": name,
                "chunk_index": chunk.index,
                "start": chunk.start,
            }
            if chunk.index == 0:
                meta |= {
                    "content_type": content_type,
                    "size_bytes": len(data),
                    "characters": len(text),
                    "chunk_count": len(chunks),
                    "added_at": added_at,
                }
            metadatas.append(meta)
        try:
            self.vectors.add(
                graph_id, memory_id, ids, [c.text for c in chunks], metadatas, progress=progress
            )
        except BaseException:
            self.vectors.delete(graph_id, memory_id, where={"document_id": document_id})
            raise
        return _document(graph_id, memory_id, metadatas[0])

    def list_documents(self, graph_id: str, memory_id: str) -> list[DocumentInfo]:
        """The memory's documents, oldest first."""
        firsts = self.vectors.get(graph_id, memory_id, where={"chunk_index": 0}, documents=False)
        docs = [_document(graph_id, memory_id, meta) for _, _, meta in firsts]
        return sorted(docs, key=lambda d: (d.added_at, d.filename, d.id))

    def get_document(self, graph_id: str, memory_id: str, document_id: str) -> DocumentInfo:
        """One document; ``NotFoundError`` if the memory has no such document."""
        where = where_equal({"document_id": document_id, "chunk_index": 0})
        found = self.vectors.get(graph_id, memory_id, where=where, documents=False)
        if not found:
            raise NotFoundError(
                f"Knowledge base '{memory_id}' has no document {document_id}.",
                code="document_not_found",
            )
        return _document(graph_id, memory_id, found[0][2])

    def list_chunks(self, graph_id: str, memory_id: str, document_id: str) -> list[ChunkInfo]:
        """The document's chunks in order; ``NotFoundError`` for an unknown document."""
        found = self.vectors.get(graph_id, memory_id, where={"document_id": document_id})
        if not found:
            self.get_document(graph_id, memory_id, document_id)  # raises NotFoundError
        chunks = [
            ChunkInfo(item_id, document_id, int(meta["chunk_index"]), int(meta["start"]), text)
            for item_id, text, meta in found
        ]
        return sorted(chunks, key=lambda c: c.index)

    def delete_document(self, graph_id: str, memory_id: str, document_id: str) -> int:
        """Delete the document and all its chunks; returns how many chunks went.

        ``NotFoundError`` for an unknown document.
        """
        deleted = self.vectors.delete(graph_id, memory_id, where={"document_id": document_id})
        if not deleted:
            raise NotFoundError(
                f"Knowledge base '{memory_id}' has no document {document_id}.",
                code="document_not_found",
            )
        return deleted

    def search(
        self,
        graph_id: str,
        memory_id: str,
        query: str,
        top_k: int = 4,
        *,
        filters: Mapping[str, Any] | None = None,
        min_score: float | None = None,
    ) -> list[MemoryHit]:
        """The ``top_k`` chunks nearest ``query`` (score = 1 - cosine distance), best first."""
        return self.vectors.query(
            graph_id,
            memory_id,
            query,
            top_k=top_k,
            where=where_equal(dict(filters or {})),
            min_score=min_score,
        )

    def clear(self, graph_id: str, memory_id: str) -> bool:
        """Delete the whole memory (every document, and its embedding model's record)."""
        return self.vectors.drop(graph_id, memory_id)

    def close(self) -> None:
        if self._owns_store:
            self.vectors.close()
