"""Runs and their event log.

A run's ``last_seq`` is bumped with ``UPDATE … RETURNING`` in the same transaction that
inserts the event, so concurrent writers (threads, Celery workers) get unique,
gap-free seqs. Status changes are conditional updates: a finished run never changes.

The process executing a run touches its ``heartbeat_at`` every few seconds; a running
run whose heartbeat is stale was left behind by a process that died, and
``fail_stale_run`` ends it (conditionally, so a live run or a second reaper is safe).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from agent_runtime.errors import ConflictError, NotFoundError
from agent_runtime.store._db import Database, ensure_json
from agent_runtime.store._records import RunEventRecord, RunRecord, RunStatus, RunTotals
from agent_runtime.store._tables import (
    GraphRow,
    GraphVersionRow,
    RunEventRow,
    RunRow,
    ThreadStateRow,
    new_id,
    utcnow,
)

__all__ = ["RunOps"]

_TERMINAL = [s.value for s in RunStatus if s.is_terminal]
MAX_EVENT_PAGE = 10_000


def _check_text(value: str | None, what: str, limit: int, *, required: bool = True) -> None:
    """Column limits, checked here because SQLite would not enforce them."""
    if value is None and not required:
        return
    if not isinstance(value, str) or not value or len(value) > limit:
        raise ValueError(f"{what} must be a non-empty string of at most {limit} characters")


def _run_not_found(run_id: str) -> NotFoundError:
    return NotFoundError(f"Run {run_id!r} not found.")


def _record(row: RunRow) -> RunRecord:
    return RunRecord.model_validate(row)


class RunOps:
    """Run methods of ``Store`` (a mixin; ``_db`` is set by ``Store``)."""

    _db: Database

    def create_run(
        self,
        graph_id: str,
        input: Any,
        backend: str = "langgraph",
        thread_id: str | None = None,
        graph_version: int | None = None,
        options: dict[str, Any] | None = None,
    ) -> RunRecord:
        """A queued run of ``graph_version`` (default: the current version).

        ``thread_id`` (the backend's checkpoint thread) defaults to the run id;
        ``options`` (JSON) say how to run it beyond its spec, e.g. ``{"model": {...}}``.
        """
        _check_text(backend, "backend", 64)
        _check_text(thread_id, "thread_id", 200, required=False)
        ensure_json(input, "The run input")
        if options is not None:
            ensure_json(options, "The run options")
        run_id = new_id()
        with self._db.write() as s:
            graph = s.get(GraphRow, graph_id)
            if graph is None:
                raise NotFoundError(f"Graph {graph_id!r} not found.")
            version = graph.current_version if graph_version is None else graph_version
            if s.get(GraphVersionRow, (graph_id, version)) is None:
                raise NotFoundError(f"Graph {graph_id!r} has no version {version}.")
            row = RunRow(
                id=run_id,
                graph_id=graph_id,
                graph_version=version,
                status=RunStatus.QUEUED.value,
                backend=backend,
                thread_id=thread_id or run_id,
                input=input,
                options=options or None,
                totals=RunTotals().model_dump(),
                created_at=utcnow(),
            )
            s.add(row)
            s.flush()
            return _record(row)

    def get_run(self, run_id: str) -> RunRecord:
        with self._db.read() as s:
            return _record(_run_row(s, run_id))

    def list_runs(
        self,
        graph_id: str | None = None,
        status: RunStatus | str | None = None,
        limit: int = 100,
    ) -> list[RunRecord]:
        """Runs, newest first, optionally of one graph and/or in one status."""
        stmt = sa.select(RunRow).order_by(RunRow.created_at.desc(), RunRow.id).limit(limit)
        if graph_id is not None:
            stmt = stmt.where(RunRow.graph_id == graph_id)
        if status is not None:
            stmt = stmt.where(RunRow.status == RunStatus(status).value)
        with self._db.read() as s:
            return [_record(r) for r in s.scalars(stmt)]

    def update_run_status(
        self,
        run_id: str,
        status: RunStatus | str,
        totals: RunTotals | Mapping[str, Any] | None = None,
    ) -> RunRecord:
        """Move a run that has not finished to ``status`` (and record its totals so far).

        ``running`` sets ``started_at`` the first time; a final status sets ``finished_at``.
        Raises ``ConflictError`` if the run already finished.
        """
        status = RunStatus(status)
        now = utcnow()
        values: dict[str, Any] = {"status": status.value}
        if totals is not None:
            values["totals"] = RunTotals.model_validate(totals).model_dump()
        if status is RunStatus.RUNNING:
            values["started_at"] = sa.func.coalesce(RunRow.started_at, now)
        if status.is_terminal:
            values["finished_at"] = now
        return self._change_unfinished(run_id, values)

    def finish_run(
        self,
        run_id: str,
        status: RunStatus | str,
        output: Any = None,
        error: Mapping[str, Any] | None = None,
        totals: RunTotals | Mapping[str, Any] | None = None,
    ) -> RunRecord:
        """End a run with a final status, its output or error and its totals."""
        status = RunStatus(status)
        if not status.is_terminal:
            raise ValueError(f"finish_run needs a final status, not {status.value!r}")
        values: dict[str, Any] = {
            "status": status.value,
            "finished_at": utcnow(),
            "output": output,
            "error": dict(error) if error is not None else None,
        }
        ensure_json(values["output"], "The run output")
        ensure_json(values["error"], "The run error")
        if totals is not None:
            values["totals"] = RunTotals.model_validate(totals).model_dump()
        return self._change_unfinished(run_id, values)

    def append_run_event(
        self,
        run_id: str,
        type: str,
        node_id: str | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> RunEventRecord:
        """Append an event; its ``seq`` is the run's next number, assigned atomically."""
        _check_text(type, "type", 64)
        _check_text(node_id, "node_id", 200, required=False)
        payload = dict(payload or {})
        ensure_json(payload, "The event payload")
        with self._db.write() as s:
            seq = s.execute(
                sa.update(RunRow)
                .where(RunRow.id == run_id)
                .values(last_seq=RunRow.last_seq + 1)
                .returning(RunRow.last_seq)
                .execution_options(synchronize_session=False)
            ).scalar_one_or_none()
            if seq is None:
                raise _run_not_found(run_id)
            row = RunEventRow(
                run_id=run_id,
                seq=seq,
                type=type,
                node_id=node_id,
                payload=payload,
                created_at=utcnow(),
            )
            s.add(row)
            s.flush()
            return RunEventRecord.model_validate(row)

    def append_run_events(
        self,
        run_id: str,
        events: Sequence[tuple[str, str | None, Mapping[str, Any]]],
    ) -> list[RunEventRecord]:
        """Append several ``(type, node_id, payload)`` events in one transaction, in order."""
        if not events:
            return []
        rows = []
        for type_, node_id, payload in events:
            _check_text(type_, "type", 64)
            _check_text(node_id, "node_id", 200, required=False)
            ensure_json(dict(payload), "The event payload")
            rows.append((type_, node_id, dict(payload)))
        with self._db.write() as s:
            last = s.execute(
                sa.update(RunRow)
                .where(RunRow.id == run_id)
                .values(last_seq=RunRow.last_seq + len(rows))
                .returning(RunRow.last_seq)
                .execution_options(synchronize_session=False)
            ).scalar_one_or_none()
            if last is None:
                raise _run_not_found(run_id)
            now = utcnow()
            first = last - len(rows) + 1
            added = [
                RunEventRow(
                    run_id=run_id, seq=first + i, type=t, node_id=n, payload=p, created_at=now
                )
                for i, (t, n, p) in enumerate(rows)
            ]
            s.add_all(added)
            s.flush()
            return [RunEventRecord.model_validate(r) for r in added]

    def list_run_events(
        self, run_id: str, after_seq: int = 0, limit: int = 1000
    ) -> list[RunEventRecord]:
        """Events with ``seq > after_seq`` in order, at most ``limit`` (≤ 10,000) of them."""
        limit = max(0, min(limit, MAX_EVENT_PAGE))
        with self._db.read() as s:
            rows = list(
                s.scalars(
                    sa.select(RunEventRow)
                    .where(RunEventRow.run_id == run_id, RunEventRow.seq > after_seq)
                    .order_by(RunEventRow.seq)
                    .limit(limit)
                )
            )
            if not rows:
                _run_row(s, run_id)
            return [RunEventRecord.model_validate(r) for r in rows]

    def touch_run(self, run_id: str) -> bool:
        """Record that the run's executor is alive (``heartbeat_at`` = now).

        False when the run already finished (nothing changes); ``NotFoundError`` if unknown.
        """
        with self._db.write() as s:
            touched = s.execute(
                sa.update(RunRow)
                .where(RunRow.id == run_id, RunRow.status.not_in(_TERMINAL))
                .values(heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount
            if not touched:
                _run_row(s, run_id)
            return bool(touched)

    def list_stale_runs(self, older_than_s: float, limit: int = 100) -> list[RunRecord]:
        """Running runs with no sign of life for ``older_than_s`` seconds, oldest first.

        The sign of life is the heartbeat, else the start (runs from before heartbeats).
        """
        cutoff = utcnow() - timedelta(seconds=older_than_s)
        stmt = (
            sa.select(RunRow)
            .where(RunRow.status == RunStatus.RUNNING.value, _last_alive() < cutoff)
            .order_by(_last_alive(), RunRow.id)
            .limit(limit)
        )
        with self._db.read() as s:
            return [_record(r) for r in s.scalars(stmt)]

    def fail_stale_run(
        self,
        run_id: str,
        older_than_s: float,
        *,
        error: Mapping[str, Any],
        event_payload: Mapping[str, Any],
    ) -> RunRecord | None:
        """Fail a running run if it is still stale, and append its ``run_failed`` event.

        One transaction: the run ends ``failed`` with ``error`` and gets one event
        (node ``error["node_id"]``, ``event_payload``) only if it is still running
        with no sign of life for ``older_than_s`` s. Returns the failed run, or None
        when it is not (any more) stale, so racing reapers fail it once.
        """
        node_id = error.get("node_id")
        _check_text(node_id, "node_id", 200, required=False)
        ensure_json(dict(error), "The run error")
        ensure_json(dict(event_payload), "The event payload")
        now = utcnow()
        cutoff = now - timedelta(seconds=older_than_s)
        with self._db.write() as s:
            row = s.scalars(
                sa.update(RunRow)
                .where(
                    RunRow.id == run_id,
                    RunRow.status == RunStatus.RUNNING.value,
                    _last_alive() < cutoff,
                )
                .values(
                    status=RunStatus.FAILED.value,
                    finished_at=now,
                    error=dict(error),
                    last_seq=RunRow.last_seq + 1,
                )
                .returning(RunRow)
                .execution_options(synchronize_session=False, populate_existing=True)
            ).one_or_none()
            if row is None:
                _run_row(s, run_id)
                return None
            s.add(
                RunEventRow(
                    run_id=run_id,
                    seq=row.last_seq,
                    type="run_failed",
                    node_id=node_id,
                    payload=dict(event_payload),
                    created_at=now,
                )
            )
            s.flush()
            return _record(row)

    def _change_unfinished(self, run_id: str, values: dict[str, Any]) -> RunRecord:
        with self._db.write() as s:
            row = s.scalars(
                sa.update(RunRow)
                .where(RunRow.id == run_id, RunRow.status.not_in(_TERMINAL))
                .values(**values)
                .returning(RunRow)
                .execution_options(synchronize_session=False, populate_existing=True)
            ).one_or_none()
            if row is not None:
                return _record(row)
            current = _run_row(s, run_id)
            raise ConflictError(
                f"Run {run_id!r} already finished with status {current.status!r}.",
                code="run_finished",
            )

    # -- thread state (CrewAI and AutoGen backends) -------------------------------

    def get_thread_state(self, thread_id: str, backend: str) -> dict[str, Any] | None:
        """What ``backend`` saved for ``thread_id``, or None."""
        with self._db.read() as s:
            row = s.get(ThreadStateRow, (thread_id, backend))
            return dict(row.state) if row is not None else None

    def put_thread_state(self, thread_id: str, backend: str, state: dict[str, Any]) -> None:
        """Replace what ``backend`` keeps for ``thread_id`` (JSON only)."""
        _check_text(thread_id, "thread_id", 200)
        _check_text(backend, "backend", 64)
        ensure_json(state, "The thread state")
        with self._db.write() as s:
            row = s.get(ThreadStateRow, (thread_id, backend))
            if row is None:
                s.add(
                    ThreadStateRow(
                        thread_id=thread_id, backend=backend, state=state, updated_at=utcnow()
                    )
                )
            else:
                row.state, row.updated_at = state, utcnow()


def _last_alive() -> sa.ColumnElement[Any]:
    """When a run last showed life: its heartbeat, else its start, else its creation."""
    return sa.func.coalesce(RunRow.heartbeat_at, RunRow.started_at, RunRow.created_at)


def _run_row(s: Session, run_id: str) -> RunRow:
    row = s.get(RunRow, run_id)
    if row is None:
        raise _run_not_found(run_id)
    return row
