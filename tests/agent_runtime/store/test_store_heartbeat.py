"""Run heartbeats: touched while a run executes; stale running runs are listed and failed once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from agent_runtime.errors import NotFoundError
from agent_runtime.store import RunStatus, Store

ERROR = {"code": "worker_lost", "message": "The worker died.", "node_id": "agent_1"}
PAYLOAD = {"code": "worker_lost", "message": "The worker died.", "limit": None, "totals": {}}


def _running(store: Store, name: str = "Beating") -> str:
    graph = store.create_graph(name)
    run_id = store.create_run(graph.id, {"message": "hi"}).id
    store.update_run_status(run_id, "running")
    return run_id


def test_touch_records_a_heartbeat_until_the_run_ends(store: Store):
    graph = store.create_graph("Touchy")
    run = store.create_run(graph.id, {})
    assert run.heartbeat_at is None

    assert store.touch_run(run.id) is True
    first = store.get_run(run.id).heartbeat_at
    time.sleep(0.01)
    assert store.touch_run(run.id) is True
    second = store.get_run(run.id).heartbeat_at
    assert first is not None and second > first and second.utcoffset().total_seconds() == 0

    store.finish_run(run.id, "succeeded")
    assert store.touch_run(run.id) is False
    assert store.get_run(run.id).heartbeat_at == second
    with pytest.raises(NotFoundError):
        store.touch_run("missing")


def test_only_running_runs_without_a_recent_sign_of_life_are_stale(store: Store):
    beating = _running(store, "Beating")
    store.touch_run(beating)
    silent = _running(store, "Silent")  # never touched: its start counts
    queued = store.create_run(store.create_graph("Queued").id, {}).id
    store.touch_run(queued)
    waiting = _running(store, "Waiting")
    store.update_run_status(waiting, "interrupted")
    time.sleep(0.05)
    store.touch_run(beating)

    stale = store.list_stale_runs(0.03)

    assert [r.id for r in stale] == [silent]
    assert store.list_stale_runs(60) == []
    assert {r.id for r in store.list_stale_runs(0)} == {silent, beating}


def test_a_stale_run_is_failed_once_with_its_event(store: Store):
    run_id = _running(store)
    store.append_run_event(run_id, "node_started", "agent_1", {"kind": "agent"})
    time.sleep(0.03)

    with ThreadPoolExecutor(4) as pool:  # reapers racing each other
        results = list(
            pool.map(
                lambda _: store.fail_stale_run(run_id, 0.01, error=ERROR, event_payload=PAYLOAD),
                range(4),
            )
        )

    failed = [r for r in results if r is not None]
    assert len(failed) == 1
    run = failed[0]
    assert (run.status, run.error, run.last_seq) == (RunStatus.FAILED, ERROR, 2)
    assert run.finished_at is not None
    events = store.list_run_events(run_id)
    assert [(e.seq, e.type, e.node_id) for e in events] == [
        (1, "node_started", "agent_1"),
        (2, "run_failed", "agent_1"),
    ]
    assert events[-1].payload == PAYLOAD
    assert store.list_stale_runs(0) == []


def test_a_run_with_a_fresh_heartbeat_or_not_running_is_left_alone(store: Store):
    fresh = _running(store)
    store.touch_run(fresh)
    assert store.fail_stale_run(fresh, 60, error=ERROR, event_payload=PAYLOAD) is None
    queued = store.create_run(store.create_graph("Queued").id, {}).id
    time.sleep(0.02)
    assert store.fail_stale_run(queued, 0.01, error=ERROR, event_payload=PAYLOAD) is None

    assert store.get_run(fresh).status is RunStatus.RUNNING
    assert store.get_run(queued).status is RunStatus.QUEUED
    assert store.list_run_events(fresh) == store.list_run_events(queued) == []
    with pytest.raises(NotFoundError):
        store.fail_stale_run("missing", 0, error=ERROR, event_payload=PAYLOAD)
