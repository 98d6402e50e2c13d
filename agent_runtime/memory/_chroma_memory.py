"""``ChromaMemory``: the ``Memory`` protocol every backend uses, on Chroma.

One collection per graph and declared memory (see ``_chroma``):

- ``knowledge_base``: documents people upload (``KnowledgeBases``), searched by runs;
- ``long_term``: what runs store, retrieved across every thread of the graph;
- ``conversation``: the same, but each item carries its ``thread_id`` and is
  retrieved only in that thread.

An item's id is derived from its text (and thread): storing the same text again
replaces the earlier item (new metadata, new ``created_at``) instead of adding a
duplicate that would crowd out other hits.

Retrieval embeds the query with the collection's model, asks Chroma's HNSW index
for the ``top_k`` nearest items that match ``filters`` (equality on metadata,
all of them) and drops those scoring under ``min_score``; a score is
``1 - cosine distance`` in [0, 1]. Chroma and the embedding model are blocking
work, done in worker threads so the event loop keeps streaming.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Mapping
from typing import Any

from agent_runtime.errors import RunError
from agent_runtime.memory._base import MemoryHit, MemoryScope
from agent_runtime.memory._chroma import VectorStore, where_equal
from agent_runtime.memory._embedders import Embedder, embedder_for
from agent_runtime.settings import Settings
from agent_runtime.spec import MemorySpec

__all__ = ["THREAD_KEY", "ChromaMemory", "clean_metadata"]

#: Metadata keys the memory sets itself; a caller's value under these names is replaced.
THREAD_KEY = "thread_id"
CREATED_KEY = "created_at"


def clean_metadata(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    """Metadata Chroma can keep: scalars as they are, None dropped, anything else as text."""
    clean: dict[str, Any] = {}
    for key, value in (metadata or {}).items():
        if value is None:
            continue
        clean[str(key)] = value if isinstance(value, str | int | float | bool) else str(value)
    return clean


class ChromaMemory:
    """Declared memories on Chroma (embedded or server, per ``settings``).

    Chroma and the embedder are opened on first use, so a runtime whose graphs
    declare no memory never loads either. ``store`` (a ``VectorStore``) or
    ``embedder`` may be given, e.g. to share one with ``KnowledgeBases``.
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
        self._secrets = secrets
        self._embedder = embedder
        self._store = store
        self._owns_store = store is None
        self._lock = threading.Lock()

    @property
    def vectors(self) -> VectorStore:
        with self._lock:
            if self._store is None:
                embedder = self._embedder or embedder_for(self.settings, self._secrets)
                self._store = VectorStore(self.settings, embedder)
            return self._store

    async def retrieve(
        self,
        memory: MemorySpec,
        query: str,
        *,
        scope: MemoryScope,
        top_k: int = 4,
        filters: dict[str, Any] | None = None,
        min_score: float | None = None,
    ) -> list[MemoryHit]:
        conditions = dict(filters or {})
        for key, value in conditions.items():
            if value is None or not isinstance(value, str | int | float | bool):
                raise RunError(
                    f"Memory '{memory.id}': filter {key!r} must be a text, number or true/false "
                    f"value, not {value!r}.",
                    code="bad_memory_filter",
                )
        if memory.type == "conversation":
            conditions[THREAD_KEY] = scope.thread_id or ""
        return await asyncio.to_thread(
            self._query, scope.graph_id, memory.id, query, top_k, conditions, min_score
        )

    def _query(
        self,
        graph_id: str,
        memory_id: str,
        query: str,
        top_k: int,
        conditions: dict[str, Any],
        min_score: float | None,
    ) -> list[MemoryHit]:
        return self.vectors.query(
            graph_id,
            memory_id,
            query,
            top_k=top_k,
            where=where_equal(conditions),
            min_score=min_score,
        )

    async def store(
        self,
        memory: MemorySpec,
        text: str,
        *,
        scope: MemoryScope,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        meta = clean_metadata(metadata)
        meta[CREATED_KEY] = round(time.time(), 3)
        thread = ""
        if memory.type == "conversation":
            thread = meta[THREAD_KEY] = scope.thread_id or ""
        else:
            meta.pop(THREAD_KEY, None)
        # The id is the text's (within its thread): storing a text again refreshes it
        # rather than adding a duplicate, and the same run stores under the same id on
        # every backend.
        digest = hashlib.sha256(f"{thread}\0{text}".encode()).hexdigest()[:20]
        item_id = f"mem-{digest}"
        await asyncio.to_thread(
            self.vectors.add, scope.graph_id, memory.id, [item_id], [text], [meta], replace=True
        )
        return item_id

    def close(self) -> None:
        """Release Chroma (the embedded store's lock) if this memory opened it."""
        if not self._owns_store:
            return
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            store.close()

    async def aclose(self) -> None:
        await asyncio.to_thread(self.close)
