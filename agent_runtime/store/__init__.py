"""Persistence of graphs (with immutable version history) and runs (with event logs).

    store = open_store("sqlite:///data/orchestrall.db")   # or postgresql://…
    graph = store.create_graph("Support triage")
    info = store.save_graph(graph.id, spec)                # a new version, maybe a draft
    run = store.create_run(graph.id, {"question": "…"})
    store.append_run_event(run.id, "node_started", node_id="agent_1")

Unknown ids raise ``NotFoundError``; specs that are not specs raise ``SpecParseError``
or ``SpecVersionError`` and write nothing. See ``docs/store.md``.
"""

from agent_runtime.store._records import (
    GraphSummary,
    GraphVersionInfo,
    GraphVersionSummary,
    RunEventRecord,
    RunRecord,
    RunStatus,
    RunTotals,
)
from agent_runtime.store._store import Store, open_store

__all__ = [
    "GraphSummary",
    "GraphVersionInfo",
    "GraphVersionSummary",
    "RunEventRecord",
    "RunRecord",
    "RunStatus",
    "RunTotals",
    "Store",
    "open_store",
]
