"""The memory interface every backend uses, and a small in-process implementation.

A memory is declared in a spec (``MemorySpec``: knowledge base, long-term or
conversation) and scoped to a graph and, for conversation memory, a thread.
``InMemoryMemory`` scores by word overlap and keeps nothing; ``ChromaMemory``
(``_chroma_memory``) is what runs use, behind the same protocol.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

from agent_runtime.spec import MemorySpec

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class MemoryScope:
    """Whose memory: a graph, and a thread for per-thread (conversation) memory."""

    graph_id: str
    thread_id: str | None = None

    def key(self, memory: MemorySpec) -> tuple[str, str, str]:
        thread = (self.thread_id or "") if memory.type == "conversation" else ""
        return (self.graph_id, memory.id, thread)


@dataclass(frozen=True)
class MemoryHit:
    """One retrieved item, with a score in [0, 1] (higher is closer)."""

    id: str
    text: str
    score: float
    metadata: dict[str, Any] = field(default_factory=dict)


class Memory(Protocol):
    """Retrieve from and store into declared memories."""

    async def retrieve(
        self,
        memory: MemorySpec,
        query: str,
        *,
        scope: MemoryScope,
        top_k: int = 4,
        filters: dict[str, Any] | None = None,
        min_score: float | None = None,
    ) -> list[MemoryHit]: ...

    async def store(
        self,
        memory: MemorySpec,
        text: str,
        *,
        scope: MemoryScope,
        metadata: dict[str, Any] | None = None,
    ) -> str: ...


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


class InMemoryMemory:
    """Process-local memory scored by word overlap (Jaccard). Nothing survives a restart."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str, str], list[MemoryHit]] = defaultdict(list)
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()

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
        wanted = _words(query)
        hits = []
        for item in self._items.get(scope.key(memory), []):
            if any(item.metadata.get(k) != v for k, v in (filters or {}).items()):
                continue
            words = _words(item.text)
            score = len(wanted & words) / len(wanted | words) if wanted | words else 0.0
            if min_score is not None and score < min_score:
                continue
            hits.append(MemoryHit(item.id, item.text, round(score, 4), item.metadata))
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[:top_k]

    async def store(
        self,
        memory: MemorySpec,
        text: str,
        *,
        scope: MemoryScope,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        async with self._lock:
            item_id = f"mem-{next(self._ids)}"
            self._items[scope.key(memory)].append(
                MemoryHit(item_id, text, 1.0, dict(metadata or {}))
            )
        return item_id
