"""Saved graphs as the UI shows them, read from and written to the store.

One store is opened per process, lazily, from ``get_settings()``; states get
``GraphCard`` values (plain data, safe to keep in a Reflex state).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable

from agent_runtime.settings import get_settings
from agent_runtime.store import GraphSummary, Store, open_store

__all__ = [
    "NEW_GRAPH_NAME",
    "GraphCard",
    "close_store",
    "create_graph",
    "list_graphs",
    "next_graph_name",
]

NEW_GRAPH_NAME = "Untitled graph"

_lock = threading.Lock()
_store: Store | None = None


@dataclasses.dataclass(frozen=True)
class GraphCard:
    """One saved graph in a list: what a card on the home page shows."""

    id: str
    name: str
    description: str
    node_count: int
    is_valid: bool
    updated_at: str  # ISO 8601 with offset; the browser shows it relative to now


def _get_store() -> Store:
    global _store
    with _lock:
        if _store is None:
            _store = open_store(settings=get_settings())
        return _store


def close_store() -> None:
    """Close this process's store; the next call reopens it from the settings then in force."""
    global _store
    with _lock:
        store, _store = _store, None
    if store is not None:
        store.close()


def _to_card(summary: GraphSummary) -> GraphCard:
    return GraphCard(
        id=summary.id,
        name=summary.name,
        description=summary.description,
        node_count=summary.node_count,
        is_valid=summary.is_valid,
        updated_at=summary.updated_at.isoformat(),
    )


def list_graphs(search: str | None = None) -> list[GraphCard]:
    """Saved graphs, most recently edited first; ``search`` matches name or description."""
    return [_to_card(s) for s in _get_store().list_graphs(search=search)]


def next_graph_name(taken: Iterable[str]) -> str:
    """``Untitled graph``, or ``Untitled graph N`` with the first N from 2 not taken."""
    taken = set(taken)
    if NEW_GRAPH_NAME not in taken:
        return NEW_GRAPH_NAME
    n = 2
    while f"{NEW_GRAPH_NAME} {n}" in taken:
        n += 1
    return f"{NEW_GRAPH_NAME} {n}"


def create_graph() -> GraphCard:
    """Save a new graph (the store's minimal valid spec) under a free ``Untitled graph`` name."""
    store = _get_store()
    name = next_graph_name(s.name for s in store.list_graphs(search=NEW_GRAPH_NAME))
    return _to_card(store.create_graph(name))
