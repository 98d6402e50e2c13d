"""Saved graphs as the UI shows them, read from and written to the store.

One store is opened per process, lazily, from ``get_settings()``; states get
``GraphCard`` values (plain data, safe to keep in a Reflex state).

Deleting returns a ``DeletedGraph``: the graph's full export (every version with its
message), which the caller keeps for the Undo window and hands to ``restore_graph``.
The store's ``delete_graph`` removes rows for good, so the export is the undo.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterable

from agent_runtime.settings import get_settings
from agent_runtime.store import GraphSummary, Store, open_store

__all__ = [
    "NEW_GRAPH_NAME",
    "UNDO_SECONDS",
    "DeletedGraph",
    "GraphCard",
    "close_store",
    "create_graph",
    "delete_graph",
    "duplicate_graph",
    "get_store",
    "list_graphs",
    "next_graph_name",
    "rename_graph",
    "restore_graph",
]

NEW_GRAPH_NAME = "Untitled graph"
UNDO_SECONDS = 10
"""How long a deleted graph can be brought back (the toast with Undo shows this long)."""

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


@dataclasses.dataclass(frozen=True)
class DeletedGraph:
    """A graph just deleted, with what it takes to bring it back (``restore_graph``)."""

    id: str
    name: str
    # ``Store.export_graph`` as JSON text: every version's spec and message. Text, not a
    # dict, so a Reflex state can hold it without wrapping the specs in mutable proxies.
    dump_json: str
    deleted_at: float  # time.time(): comparable across the workers a state may move between

    def age(self) -> float:
        """Seconds since the delete."""
        return time.time() - self.deleted_at


def get_store() -> Store:
    """This process's store (opened on first use from the settings); pages share it."""
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
    return [_to_card(s) for s in get_store().list_graphs(search=search)]


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
    """Save a new graph (the store's minimal valid spec) under a free ``Untitled graph`` name.

    The card's ``id`` is the new graph's: what a caller needs to open it in the builder.
    """
    store = get_store()
    name = next_graph_name(s.name for s in store.list_graphs(search=NEW_GRAPH_NAME))
    return _to_card(store.create_graph(name))


def rename_graph(graph_id: str, name: str) -> GraphCard:
    """Give a graph a new name (a new version); an empty name raises ``code="invalid_name"``."""
    return _to_card(get_store().rename_graph(graph_id, name))


def duplicate_graph(graph_id: str) -> GraphCard:
    """A new graph named ``<name> (copy)`` holding the current spec and description."""
    return _to_card(get_store().duplicate_graph(graph_id))


def delete_graph(graph_id: str) -> DeletedGraph:
    """Delete a graph (versions, runs and all), keeping its export for ``restore_graph``."""
    store = get_store()
    dump = store.export_graph(graph_id)
    store.delete_graph(graph_id)
    return DeletedGraph(
        id=graph_id, name=dump["name"], dump_json=json.dumps(dump), deleted_at=time.time()
    )


def restore_graph(deleted: DeletedGraph) -> GraphCard:
    """Bring a deleted graph back: same id, name, description and every version.

    Its runs stay deleted. If the id was taken meanwhile, the graph comes back under a new id.
    """
    return _to_card(get_store().import_graph(json.loads(deleted.dump_json)))
