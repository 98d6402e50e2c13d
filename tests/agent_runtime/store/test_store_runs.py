"""Runs and run events: lifecycle, ordering, concurrent appends, finished runs stay finished."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC

import pytest

from agent_runtime.errors import ConflictError, NotFoundError, StoreError
from agent_runtime.store import RunEventRecord, RunRecord, RunStatus, RunTotals, Store
from agent_runtime.store._tables import RUN_STATUSES
from tests.agent_runtime.store._specs import broken_spec


def test_create_run_is_queued_on_the_current_version(store: Store):
    graph = store.create_graph("Runner")
    store.save_graph(graph.id, broken_spec("Runner"))

    run = store.create_run(graph.id, {"message": "hello", "n": 2})

    assert isinstance(run, RunRecord)
    assert (run.graph_id, run.graph_version, run.status) == (graph.id, 2, RunStatus.QUEUED)
    assert (run.backend, run.thread_id, run.last_seq) == ("langgraph", run.id, 0)
    assert run.input == {"message": "hello", "n": 2}
    assert (run.output, run.error, run.started_at, run.finished_at) == (None, None, None, None)
    assert run.totals == RunTotals()
    assert run.created_at.tzinfo is UTC
    assert store.get_run(run.id) == run

    pinned = store.create_run(graph.id, "plain text", "crewai", "thread-7", graph_version=1)
    assert (pinned.graph_version, pinned.backend, pinned.thread_id) == (1, "crewai", "thread-7")
    assert store.get_run(pinned.id).input == "plain text"


def test_run_lifecycle_to_success(store: Store):
    graph = store.create_graph("Life")
    run = store.create_run(graph.id, {"message": "hi"})

    running = store.update_run_status(run.id, RunStatus.RUNNING)
    paused = store.update_run_status(run.id, "interrupted")
    resumed = store.update_run_status(run.id, "running")
    done = store.finish_run(
        run.id,
        RunStatus.SUCCEEDED,
        output={"answer": "hello", "items": [1, 2.5, None, "ü"]},
        totals={"tokens": 42, "cost": 0.0012, "latency_ms": 8.5, "steps": 3},
    )

    assert running.status is RunStatus.RUNNING and running.started_at is not None
    assert paused.status is RunStatus.INTERRUPTED
    assert resumed.started_at == running.started_at, "started_at is set once"
    assert done.status is RunStatus.SUCCEEDED and done.status.is_terminal
    assert done.finished_at is not None and done.finished_at >= done.started_at
    assert done.output == {"answer": "hello", "items": [1, 2.5, None, "ü"]}
    assert done.totals == RunTotals(tokens=42, cost=0.0012, latency_ms=8.5, steps=3)
    assert done.error is None
    assert store.get_run(run.id) == done


def test_failed_and_cancelled_runs_keep_their_error_and_cannot_change(store: Store):
    graph = store.create_graph("Fail")
    failed = store.create_run(graph.id, {})
    error = {"code": "model_error", "message": "The model timed out.", "node_id": "agent"}
    result = store.finish_run(failed.id, "failed", error=error)
    assert (result.status, result.error, result.output) == (RunStatus.FAILED, error, None)
    assert result.started_at is None

    cancelled = store.create_run(graph.id, {})
    assert store.update_run_status(cancelled.id, "cancelled").finished_at is not None

    for run_id, status in ((failed.id, "failed"), (cancelled.id, "cancelled")):
        with pytest.raises(ConflictError, match=f"already finished with status '{status}'"):
            store.update_run_status(run_id, "running")
        with pytest.raises(ConflictError) as err:
            store.finish_run(run_id, "succeeded", output="late")
        assert err.value.code == "run_finished"
        assert store.get_run(run_id).status == status


def test_finish_run_needs_a_final_status_and_known_totals(store: Store):
    run = store.create_run(store.create_graph("x").id, {})
    with pytest.raises(ValueError, match="final status"):
        store.finish_run(run.id, "running")
    with pytest.raises(ValueError):
        store.update_run_status(run.id, "exploded")
    with pytest.raises(ValueError):
        store.finish_run(run.id, "succeeded", totals={"tokenz": 1})
    assert store.get_run(run.id).status is RunStatus.QUEUED


def test_text_fields_respect_column_limits_on_every_database(store: Store):
    graph = store.create_graph("Limits")
    with pytest.raises(ValueError, match="backend"):
        store.create_run(graph.id, {}, backend="b" * 65)
    with pytest.raises(ValueError, match="thread_id"):
        store.create_run(graph.id, {}, thread_id="")
    run = store.create_run(graph.id, {})
    with pytest.raises(ValueError, match="type"):
        store.append_run_event(run.id, "")
    with pytest.raises(ValueError, match="node_id"):
        store.append_run_event(run.id, "node_started", node_id="n" * 201)
    assert store.list_runs() == [run] and store.get_run(run.id).last_seq == 0


def test_status_values_match_the_database_check_constraint():
    assert set(RUN_STATUSES) == {s.value for s in RunStatus}


def test_list_runs_newest_first_filtered_by_graph_and_status(store: Store):
    a = store.create_graph("A")
    b = store.create_graph("B")
    r1 = store.create_run(a.id, {})
    r2 = store.create_run(b.id, {})
    r3 = store.create_run(a.id, {})
    store.update_run_status(r3.id, "running")

    assert [r.id for r in store.list_runs()] == [r3.id, r2.id, r1.id]
    assert [r.id for r in store.list_runs(graph_id=a.id)] == [r3.id, r1.id]
    assert [r.id for r in store.list_runs(status="queued")] == [r2.id, r1.id]
    assert [r.id for r in store.list_runs(a.id, RunStatus.RUNNING)] == [r3.id]
    assert [r.id for r in store.list_runs(limit=1)] == [r3.id]
    assert store.list_runs(graph_id="0" * 32) == []


def test_events_get_consecutive_seqs_and_page_in_order(store: Store):
    run = store.create_run(store.create_graph("Events").id, {})
    appended = [
        store.append_run_event(run.id, "run_started"),
        store.append_run_event(run.id, "node_started", node_id="agent"),
        store.append_run_event(run.id, "token_delta", "agent", {"text": "Hel"}),
        store.append_run_event(run.id, "token_delta", "agent", {"text": "lo"}),
        store.append_run_event(run.id, "run_finished", payload={"tokens": 2}),
    ]

    assert all(isinstance(e, RunEventRecord) for e in appended)
    assert [e.seq for e in appended] == [1, 2, 3, 4, 5]
    assert appended[2].payload == {"text": "Hel"} and appended[0].payload == {}
    assert (appended[1].node_id, appended[0].node_id) == ("agent", None)
    assert store.list_run_events(run.id) == appended
    assert store.list_run_events(run.id, after_seq=2, limit=2) == appended[2:4]
    assert store.list_run_events(run.id, after_seq=5) == []
    assert store.get_run(run.id).last_seq == 5

    other = store.create_run(store.create_graph("Other").id, {})
    assert store.append_run_event(other.id, "run_started").seq == 1, "seq counts per run"
    assert store.list_run_events(other.id) != []


def test_event_batches_are_appended_in_order_in_one_go(store: Store):
    run = store.create_run(store.create_graph("Batch").id, {})
    store.append_run_event(run.id, "run_started")
    batch = store.append_run_events(
        run.id,
        [
            ("node_started", "a", {"kind": "agent"}),
            ("token", "a", {"delta": "hi"}),
            ("node_finished", "a", {"output": "hi"}),
        ],
    )
    assert [e.seq for e in batch] == [2, 3, 4]
    assert [e.type for e in store.list_run_events(run.id)] == [
        "run_started",
        "node_started",
        "token",
        "node_finished",
    ]
    assert store.get_run(run.id).last_seq == 4
    assert store.append_run_events(run.id, []) == []
    with pytest.raises(StoreError):
        store.append_run_events(run.id, [("ok", None, {}), ("bad", None, {"v": {1}})])
    assert store.get_run(run.id).last_seq == 4, "a bad batch writes nothing"


def test_events_may_follow_the_final_status(store: Store):
    run = store.create_run(store.create_graph("Late").id, {})
    store.finish_run(run.id, "succeeded", output="ok")
    assert store.append_run_event(run.id, "run_finished").seq == 1


def test_event_payload_must_be_json(store: Store):
    run = store.create_run(store.create_graph("Json").id, {})
    with pytest.raises(StoreError) as err:
        store.append_run_event(run.id, "weird", payload={"value": {1, 2}})
    assert err.value.code == "not_json"
    assert store.get_run(run.id).last_seq == 0, "the failed append used no seq"
    assert store.append_run_event(run.id, "ok").seq == 1


def test_concurrent_appends_from_threads_get_unique_consecutive_seqs(store: Store):
    runs = [store.create_run(store.create_graph(f"G{i}").id, {}) for i in range(2)]
    writers, per_writer = 6, 15
    start = threading.Barrier(writers)

    def write(index: int) -> list[int]:
        run = runs[index % 2]
        start.wait()
        return [
            store.append_run_event(run.id, "tick", payload={"w": index, "i": i}).seq
            for i in range(per_writer)
        ]

    with ThreadPoolExecutor(writers) as pool:
        results = list(pool.map(write, range(writers)))

    expected = list(range(1, (writers // 2) * per_writer + 1))
    for offset, run in enumerate(runs):
        mine = sorted(seq for i, seqs in enumerate(results) if i % 2 == offset for seq in seqs)
        assert mine == expected
        events = store.list_run_events(run.id)
        assert [e.seq for e in events] == expected
        assert store.get_run(run.id).last_seq == len(expected)
        for i in range(offset, writers, 2):
            mine_in_order = [e.payload["i"] for e in events if e.payload["w"] == i]
            assert mine_in_order == list(range(per_writer)), "each writer's events stay in order"


def test_concurrent_saves_get_distinct_versions(store: Store):
    graph = store.create_graph("Busy")
    spec = store.get_spec(graph.id)
    start = threading.Barrier(4)

    def save(i: int) -> int:
        start.wait()
        return store.save_graph(graph.id, spec, message=str(i)).version

    with ThreadPoolExecutor(4) as pool:
        versions = sorted(pool.map(save, range(4)))

    assert versions == [2, 3, 4, 5]
    assert store.get_graph(graph.id).current_version == 5


def test_unknown_run_ids_raise_not_found_naming_the_id(store: Store):
    missing = "f" * 32
    for call in (
        lambda: store.get_run(missing),
        lambda: store.update_run_status(missing, "running"),
        lambda: store.finish_run(missing, "failed"),
        lambda: store.append_run_event(missing, "x"),
        lambda: store.list_run_events(missing),
    ):
        with pytest.raises(NotFoundError, match=f"Run '{missing}' not found"):
            call()


def test_thread_state_is_kept_per_thread_and_backend(store: Store) -> None:
    assert store.get_thread_state("t1", "crewai") is None
    store.put_thread_state("t1", "crewai", {"history": [["user", "hi"]]})
    store.put_thread_state("t1", "autogen", {"team": {"turn": 1}})
    store.put_thread_state("t1", "crewai", {"history": [["user", "hi"], ["assistant", "yo"]]})

    assert store.get_thread_state("t1", "crewai") == {
        "history": [["user", "hi"], ["assistant", "yo"]]
    }
    assert store.get_thread_state("t1", "autogen") == {"team": {"turn": 1}}
    with pytest.raises(StoreError):
        store.put_thread_state("t1", "crewai", {"bad": object()})
    assert store.get_thread_state("t1", "crewai")["history"][-1] == ["assistant", "yo"]
