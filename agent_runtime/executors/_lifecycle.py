"""Ending runs nobody is executing: stale ones (their worker died), unowned cancels, crashes.

Each returns the event it stored (with its seq) so the caller can publish it live.
Stale runs are failed with ``worker_lost`` by one conditional transaction
(``Store.fail_stale_run``), so a live run, or a second reaper, is never hurt.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from agent_runtime.errors import ConflictError, OrchestrallError
from agent_runtime.events import RunCancelledEvent, RunFailedEvent
from agent_runtime.store import RunRecord, RunStatus, Store

__all__ = [
    "WORKER_LOST",
    "cancel_unowned",
    "fail_lost_run",
    "fail_unfinished",
    "reap_stale_runs",
]

logger = logging.getLogger("agent_runtime.executors")

#: Error code of a run whose worker died while it was running.
WORKER_LOST = "worker_lost"

_LOOKBACK = 200  # events read to find the node a dead worker was in


def _node_in_progress(store: Store, run: RunRecord) -> str | None:
    """The node that had started and not finished when the run's last events were written."""
    events = store.list_run_events(run.id, after_seq=max(0, run.last_seq - _LOOKBACK))
    open_nodes: list[str] = []
    for event in events:
        if event.type == "node_started" and event.node_id:
            open_nodes.append(event.node_id)
        elif event.type == "node_finished" and event.node_id in open_nodes:
            open_nodes.remove(event.node_id)
    return open_nodes[-1] if open_nodes else None


def fail_lost_run(store: Store, run: RunRecord, older_than_s: float) -> RunFailedEvent | None:
    """Fail ``run`` with ``worker_lost`` if it is still running with a stale heartbeat."""
    node_id = _node_in_progress(store, run)
    where = f" while node '{node_id}' was running" if node_id else ""
    message = (
        f"The worker executing this run stopped (killed or crashed){where}, so the run "
        "cannot go on. Start it again."
    )
    totals = run.totals.model_dump()
    event = RunFailedEvent(node_id=node_id, code=WORKER_LOST, message=message, totals=totals)
    error = {"code": WORKER_LOST, "message": message, "node_id": node_id}
    failed = store.fail_stale_run(run.id, older_than_s, error=error, event_payload=event.payload())
    if failed is None:
        return None
    logger.warning("run %s failed: its worker was lost%s", run.id, where)
    return event.model_copy(update={"run_id": run.id, "seq": failed.last_seq})


def reap_stale_runs(
    store: Store, older_than_s: float, *, exclude: Collection[str] = (), limit: int = 100
) -> list[RunFailedEvent]:
    """Fail every running run whose heartbeat is older than ``older_than_s`` (``worker_lost``).

    ``exclude`` names runs the caller executes itself. Returns the ``run_failed``
    events stored, for publishing.
    """
    reaped = []
    for run in store.list_stale_runs(older_than_s, limit=limit):
        if run.id in exclude:
            continue
        event = fail_lost_run(store, run, older_than_s)
        if event is not None:
            reaped.append(event)
    return reaped


def cancel_unowned(store: Store, run_id: str) -> RunCancelledEvent | None:
    """Cancel a run no executor is executing (queued, or waiting for a person).

    Only its owner may call this (the in-process executor's loop, or whoever won a
    Celery run's claim). None if the run already ended.
    """
    run = store.get_run(run_id)
    if run.status.is_terminal:
        return None
    event = RunCancelledEvent(totals=run.totals.model_dump())
    stored = store.append_run_event(run_id, "run_cancelled", None, event.payload())
    try:
        store.finish_run(run_id, "cancelled", totals=run.totals)
    except ConflictError:  # it ended meanwhile; the event above is then one too many
        logger.warning("run %s ended while being cancelled", run_id)
    return event.model_copy(update={"run_id": run_id, "seq": stored.seq})


def fail_unfinished(store: Store, run_id: str, failure: BaseException) -> RunFailedEvent | None:
    """Record why a run could not execute (e.g. it no longer compiles in this process).

    Only runs left unfinished are touched; None otherwise.
    """
    run = store.get_run(run_id)
    if run.status.is_terminal:
        return None
    if isinstance(failure, OrchestrallError):
        code, message = failure.code, failure.message
        node_id: Any = getattr(failure, "node_id", None)
    else:
        code, message = "internal_error", f"Unexpected error ({type(failure).__name__})."
        node_id = None
    event = RunFailedEvent(
        node_id=node_id, code=code, message=message, totals=run.totals.model_dump()
    )
    stored = store.append_run_event(run_id, "run_failed", node_id, event.payload())
    try:
        store.finish_run(
            run_id,
            RunStatus.FAILED,
            error={"code": code, "message": message, "node_id": node_id},
            totals=run.totals,
        )
    except ConflictError:
        logger.warning("run %s ended while its failure was recorded", run_id)
    return event.model_copy(update={"run_id": run_id, "seq": stored.seq})
