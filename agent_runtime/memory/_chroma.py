"""Chroma underneath every memory: one collection per graph and memory, and its vectors.

    store = VectorStore(settings, embedder)        # opens Chroma on first use
    store.add(graph_id, memory_id, ids, texts, metadatas)
    store.query(graph_id, memory_id, "question", top_k=4, where={...}, min_score=0.3)
    store.close()

Chroma itself (embedded under one owner process, or a server) comes from
``open_client`` in ``_chroma_clients``.

Each collection is named from its graph and memory ids, uses cosine distance,
and records the embedding model's name and dimension in its metadata; opening
it with another model is refused (``embedding_mismatch``). Scores are
``1 - cosine distance``, clipped to [0, 1]. Chroma is imported inside functions,
and its exceptions become ``StoreError`` here (``memory_unavailable``: the
server cannot be reached; ``memory_error``: anything else).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

from agent_runtime.errors import ConfigurationError, OrchestrallError, StoreError
from agent_runtime.memory._base import MemoryHit
from agent_runtime.memory._chroma_clients import ChromaClient, open_client
from agent_runtime.memory._embedders import Embedder
from agent_runtime.settings import Settings

__all__ = ["HNSW", "VectorStore", "collection_name", "score_of", "where_equal"]

HNSW = {"space": "cosine", "ef_construction": 200, "ef_search": 200, "max_neighbors": 32}
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_EMBED_BATCH = 64
EXACT_LIMIT = 512
"""A filtered query matching at most this many items is answered exactly (see ``query``)."""


def collection_name(graph_id: str, memory_id: str) -> str:
    """``orch-<graph>-<memory>-<hash>``: readable, unique, and within Chroma's name rules."""
    digest = hashlib.sha256(f"{graph_id}\0{memory_id}".encode()).hexdigest()[:12]
    graph = _UNSAFE.sub("_", graph_id)[:80]
    memory = _UNSAFE.sub("_", memory_id)[:80]
    return f"orch-{graph}-{memory}-{digest}"


def score_of(distance: float) -> float:
    """A hit's score: ``1 - cosine distance``, clipped to [0, 1], four decimals."""
    return round(min(1.0, max(0.0, 1.0 - float(distance))), 4)


@contextlib.contextmanager
def _chroma_errors(where: str) -> Iterator[None]:
    """Chroma's exceptions (and its client's) as Orchestrall errors."""
    try:
        yield
    except OrchestrallError:
        raise
    except Exception as exc:
        import httpx

        if isinstance(exc, httpx.TransportError | ConnectionError):
            raise StoreError(
                f"Chroma at {where} cannot be reached ({type(exc).__name__}).",
                code="memory_unavailable",
            ) from exc
        raise StoreError(
            f"Chroma at {where} failed: {type(exc).__name__}: {exc}"[:500], code="memory_error"
        ) from exc


# -- collections ---------------------------------------------------------------------


class VectorStore:
    """Declared memories as Chroma collections; thread-safe; opens Chroma on first use."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        *,
        client: Callable[[Settings], ChromaClient] = open_client,
    ) -> None:
        self.settings, self.embedder = settings, embedder
        self._open = client
        self._client: ChromaClient | None = None
        self._collections: dict[tuple[str, str], Any] = {}
        self._lock = threading.RLock()

    @property
    def chroma(self) -> ChromaClient:
        with self._lock:
            if self._client is None:
                self._client = self._open(self.settings)
            return self._client

    def collection(self, graph_id: str, memory_id: str, *, create: bool) -> Any | None:
        """The memory's collection (checked against the embedder), or None if absent and not
        ``create``."""
        key = (graph_id, memory_id)
        with self._lock:
            found = self._collections.get(key)
            if found is not None:
                return found
            chroma = self.chroma
            name = collection_name(graph_id, memory_id)
            with _chroma_errors(chroma.where):
                import chromadb.errors

                try:
                    found = chroma.client.get_collection(name, embedding_function=None)
                except chromadb.errors.NotFoundError:
                    if not create:
                        return None
                    found = chroma.client.get_or_create_collection(
                        name,
                        metadata=self._new_metadata(graph_id, memory_id),
                        configuration={"hnsw": HNSW},
                        embedding_function=None,
                    )
            self._check_model(found.metadata or {}, graph_id, memory_id)
            self._collections[key] = found
            return found

    def _using(
        self,
        graph_id: str,
        memory_id: str,
        action: Callable[[Any], Any],
        *,
        create: bool = False,
        absent: Any = None,
    ) -> Any:
        """``action(collection)``, or ``absent`` when there is none and not ``create``.

        A collection dropped elsewhere since it was cached here (by another process,
        or another store in this one) is looked up afresh and the action tried again.
        """
        for attempt in range(2):
            collection = self.collection(graph_id, memory_id, create=create)
            if collection is None:
                return absent
            try:
                return action(collection)
            except StoreError as exc:
                import chromadb.errors

                if attempt or not isinstance(exc.__cause__, chromadb.errors.NotFoundError):
                    raise
                with self._lock:
                    self._collections.pop((graph_id, memory_id), None)
        raise AssertionError("unreachable")

    def _new_metadata(self, graph_id: str, memory_id: str) -> dict[str, Any]:
        return {
            "orchestrall_graph": graph_id,
            "orchestrall_memory": memory_id,
            "embedding_model": self.embedder.name,
            "embedding_dim": self.embedder.dimension(),
            "created_at": time.time(),
        }

    def _check_model(self, metadata: dict[str, Any], graph_id: str, memory_id: str) -> None:
        model, dim = metadata.get("embedding_model"), metadata.get("embedding_dim")
        if model == self.embedder.name and dim == self.embedder.dimension():
            return
        mine = f"{self.embedder.name} ({self.embedder.dimension()} dimensions)"
        theirs = f"{model} ({dim} dimensions)" if model else "an unrecorded embedding model"
        raise ConfigurationError(
            f"Memory '{memory_id}' of graph {graph_id} holds vectors of {theirs}, but this "
            f"installation embeds with {mine}. Vectors of different models cannot be mixed: "
            f"switch the embedding settings back to {model or 'that model'}, or empty this "
            "memory and add its contents again.",
            code="embedding_mismatch",
        )

    def add(
        self,
        graph_id: str,
        memory_id: str,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
        *,
        progress: Callable[[int, int], None] | None = None,
        replace: bool = False,
    ) -> None:
        """Embed and add ``texts`` in batches; ``progress(done, total)`` after each batch.

        ``replace``: an item whose id exists is overwritten (else Chroma keeps the old one).
        """
        total = len(texts)

        def write_all(collection: Any) -> None:
            for start in range(0, total, _EMBED_BATCH):
                end = min(total, start + _EMBED_BATCH)
                vectors = self.embedder.embed(texts[start:end])
                with _chroma_errors(self.chroma.where):
                    write = collection.upsert if replace else collection.add
                    write(
                        ids=list(ids[start:end]),
                        embeddings=vectors,
                        documents=list(texts[start:end]),
                        metadatas=list(metadatas[start:end]),
                    )
                if progress is not None:
                    progress(end, total)

        self._using(graph_id, memory_id, write_all, create=True)

    def query(
        self,
        graph_id: str,
        memory_id: str,
        text: str,
        *,
        top_k: int = 4,
        where: dict[str, Any] | None = None,
        min_score: float | None = None,
    ) -> list[MemoryHit]:
        """The ``top_k`` nearest items scoring at least ``min_score``.

        Without ``where`` this is Chroma's HNSW search. With one, Chroma's filtered
        HNSW search slows down sharply when few items match (about 85 ms at 100k
        items for a 1% filter, as a conversation thread is), so the matching items
        are fetched first and, when there are at most ``EXACT_LIMIT``, ranked
        exactly by cosine similarity; larger matches go to the filtered HNSW search.
        """
        vector: list[float] = []

        def search(collection: Any) -> list[MemoryHit]:
            if not vector:
                vector.extend(self.embedder.embed([text])[0])
            if where:
                hits = self.query_exact(collection, vector, top_k=top_k, where=where)
                if hits is not None:
                    return [h for h in hits if min_score is None or h.score >= min_score]
            return self.query_vector(
                collection, vector, top_k=top_k, where=where, min_score=min_score
            )

        return self._using(graph_id, memory_id, search, absent=[])

    def query_exact(
        self, collection: Any, vector: Sequence[float], *, top_k: int, where: dict[str, Any]
    ) -> list[MemoryHit] | None:
        """Exact nearest items among those matching ``where``; None if more than ``EXACT_LIMIT``."""
        import numpy as np

        with _chroma_errors(self.chroma.where):
            found = collection.get(
                where=where,
                limit=EXACT_LIMIT + 1,
                include=["embeddings", "documents", "metadatas"],
            )
        ids = found["ids"]
        if len(ids) > EXACT_LIMIT:
            return None
        if not ids:
            return []
        matrix = np.asarray(found["embeddings"], dtype=np.float32)
        query = np.asarray(vector, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1) * (float(np.linalg.norm(query)) or 1.0)
        similarity = (matrix @ query) / np.where(norms == 0, 1.0, norms)
        order = sorted(range(len(ids)), key=lambda i: (-float(similarity[i]), ids[i]))[:top_k]
        texts, metadatas = found["documents"], found["metadatas"]
        return [
            MemoryHit(
                ids[i],
                texts[i] or "",
                score_of(1.0 - float(similarity[i])),
                dict(metadatas[i] or {}),
            )
            for i in order
        ]

    def query_vector(
        self,
        collection: Any,
        vector: Sequence[float],
        *,
        top_k: int,
        where: dict[str, Any] | None = None,
        min_score: float | None = None,
    ) -> list[MemoryHit]:
        with _chroma_errors(self.chroma.where):
            found = collection.query(
                query_embeddings=[list(vector)],
                n_results=top_k,
                where=where or None,
                include=["documents", "metadatas", "distances"],
            )
        hits = []
        rows = zip(
            found["ids"][0],
            found["documents"][0],
            found["metadatas"][0],
            found["distances"][0],
            strict=True,
        )
        for item_id, text, metadata, distance in rows:
            score = score_of(distance)
            if min_score is None or score >= min_score:
                hits.append(MemoryHit(item_id, text or "", score, dict(metadata or {})))
        return hits

    def get(
        self,
        graph_id: str,
        memory_id: str,
        *,
        where: dict[str, Any] | None = None,
        documents: bool = True,
    ) -> list[tuple[str, str, dict[str, Any]]]:
        """Every item matching ``where``: (id, text or "", metadata), in no set order."""
        include = ["metadatas", "documents"] if documents else ["metadatas"]

        def read(collection: Any) -> Any:
            with _chroma_errors(self.chroma.where):
                return collection.get(where=where or None, include=include)

        found = self._using(graph_id, memory_id, read)
        if found is None:
            return []
        texts = found.get("documents") or [""] * len(found["ids"])
        return [
            (i, t or "", dict(m or {}))
            for i, t, m in zip(found["ids"], texts, found["metadatas"], strict=True)
        ]

    def delete(self, graph_id: str, memory_id: str, *, where: dict[str, Any]) -> int:
        """Delete the items matching ``where``; returns how many there were."""

        def remove(collection: Any) -> int:
            with _chroma_errors(self.chroma.where):
                ids = collection.get(where=where, include=[])["ids"]
                if ids:
                    collection.delete(ids=ids)
            return len(ids)

        return self._using(graph_id, memory_id, remove, absent=0)

    def drop(self, graph_id: str, memory_id: str) -> bool:
        """Delete the memory's whole collection; False if there was none."""
        with self._lock:
            self._collections.pop((graph_id, memory_id), None)
            chroma = self.chroma
            with _chroma_errors(chroma.where):
                import chromadb.errors

                try:
                    chroma.client.delete_collection(collection_name(graph_id, memory_id))
                except chromadb.errors.NotFoundError:
                    return False
        return True

    def memories(self) -> list[tuple[str, str]]:
        """(graph id, memory id) of every memory collection Orchestrall made here."""
        chroma = self.chroma
        with _chroma_errors(chroma.where):
            collections = chroma.client.list_collections()
        found = []
        for collection in collections:
            metadata = collection.metadata or {}
            graph, memory = metadata.get("orchestrall_graph"), metadata.get("orchestrall_memory")
            if isinstance(graph, str) and isinstance(memory, str):
                found.append((graph, memory))
        return sorted(found)

    def prune(self, live_graphs: Collection[str]) -> list[tuple[str, str]]:
        """Drop the memories of graphs not in ``live_graphs`` (deleted ones); returns them."""
        gone = [(g, m) for g, m in self.memories() if g not in live_graphs]
        for graph_id, memory_id in gone:
            self.drop(graph_id, memory_id)
        return gone

    def count(self, graph_id: str, memory_id: str) -> int:
        def count(collection: Any) -> int:
            with _chroma_errors(self.chroma.where):
                return int(collection.count())

        return self._using(graph_id, memory_id, count, absent=0)

    def close(self) -> None:
        """Release the client (for embedded Chroma, the folder's lock when the last user goes)."""
        with self._lock:
            self._collections.clear()
            client, self._client = self._client, None
        if client is not None:
            client.close()


def where_equal(conditions: dict[str, Any]) -> dict[str, Any] | None:
    """A Chroma ``where`` requiring each key to equal its value (None: no condition)."""
    clauses = [{key: {"$eq": value}} for key, value in conditions.items()]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
