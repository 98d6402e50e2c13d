"""The Celery executor against a real Redis and real ``orchestrall worker`` processes.

Two workers (one pool process each) share the test's SQLite file and the scripted
model server; heartbeats every 0.5 s, a run is stale after 3 s, reapers look every 1 s.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from agent_runtime.executors import WORKER_LOST, CeleryExecutor, ExecutorOptions, executor_for
from agent_runtime.model_server import ScriptedModelServer
from agent_runtime.runtime import Runtime
from agent_runtime.settings import Settings
from agent_runtime.store import Store, open_store
from tests.agent_runtime.executors._graphs import (
    approval_graph,
    quick_graph,
    slow_graph,
    steady_graph,
)
from tests.agent_runtime.executors._helpers import check_stream, collect, eventually, token_text
from tests.agent_runtime.executors._redis_service import redis_for_tests
from tests.agent_runtime.executors._workers import Worker

pytestmark = pytest.mark.slow

WORKER_ENV = {
    "ORCHESTRALL_HEARTBEAT_INTERVAL": "0.5",
    "ORCHESTRALL_STALE_RUN_AFTER": "3",
    "ORCHESTRALL_REAP_INTERVAL": "1",
}


@dataclass
class Cluster:
    settings: Settings
    store: Store
    executor: CeleryExecutor
    runtime: Runtime
    env: dict[str, str]
    home: Path
    workers: list[Worker]

    def start(self, spec: dict, message: str = "hello there") -> str:
        graph_id = self.store.create_graph(spec["name"], spec=spec).id
        return self.runtime.start(graph_id, {"message": message}).id

    def executing(self, run_id: str) -> Worker:
        """The live worker that was handed the run."""
        return next(w for w in self.workers if w.alive and w.received(run_id))


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, model_server: ScriptedModelServer
) -> Iterator[Cluster]:
    home = tmp_path_factory.mktemp("celery")
    with redis_for_tests(home) as broker_url:
        database_url = f"sqlite:///{home / 'orchestrall.db'}"
        settings = Settings(
            _env_file=None,
            data_dir=home,
            database_url=database_url,
            broker_url=broker_url,
            default_base_url=model_server.base_url,
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("ORCHESTRALL_")}
        env |= WORKER_ENV | {
            "ORCHESTRALL_DATA_DIR": str(home),
            "ORCHESTRALL_DATABASE_URL": database_url,
            "ORCHESTRALL_BROKER_URL": broker_url,
            "ORCHESTRALL_DEFAULT_BASE_URL": model_server.base_url,
        }
        store = open_store(settings=settings)  # the schema exists before workers start
        options = ExecutorOptions(_env_file=None, subscribe_poll_interval=0.5)
        executor = executor_for(settings, store, options=options)
        assert isinstance(executor, CeleryExecutor)
        workers = [Worker("w1", env, home), Worker("w2", env, home)]
        made = Cluster(
            settings, store, executor, Runtime(settings=settings, store=store), env, home, workers
        )
        try:
            for worker in workers:
                worker.wait_ready()
            yield made
        finally:
            executor.close()
            for worker in made.workers:
                worker.terminate()
            for worker in made.workers:
                worker.stop()
            store.close()


def _types(events: list) -> list[str]:
    return [e.type for e in events if e.type != "token"]


async def test_a_run_executes_on_a_worker_and_streams_back_live(cluster: Cluster):
    run_id = cluster.start(quick_graph(), "tell me about bees")
    stream = cluster.executor.subscribe(run_id)
    cluster.executor.submit(run_id)
    events = await collect(stream)

    assert _types(events) == [
        "run_started",
        *("node_started", "node_finished") * 3,
        "run_finished",
    ]
    tokens = [e for e in events if e.type == "token"]
    assert len(tokens) > 3 and {e.seq for e in tokens} == {0}
    assert token_text(events, "alpha") == '[demo model] Alpha: received "tell me about bees"'
    check_stream(events)
    assert cluster.store.get_run(run_id).status.value == "succeeded"
    assert sum(w.received(run_id) for w in cluster.workers) == 1

    replay = await collect(cluster.executor.subscribe(run_id))  # later: from the store
    assert [(e.seq, e.type) for e in replay] == [
        (e.seq, e.type) for e in cluster.store.list_run_events(run_id)
    ]


async def test_a_run_waiting_for_a_person_resumes_on_a_worker(cluster: Cluster):
    run_id = cluster.start(approval_graph(), "a post")
    cluster.executor.submit(run_id)
    first = await collect(cluster.executor.subscribe(run_id))
    assert first[-1].type == "interrupt"

    cluster.executor.submit(run_id, resume={"approved": True, "comment": ""})
    rest = await collect(cluster.executor.subscribe(run_id, after_seq=first[-1].seq))

    assert _types(rest)[-1] == "run_finished"
    assert cluster.store.get_run(run_id).status.value == "succeeded"


async def test_cancel_reaches_the_worker_executing_the_run(cluster: Cluster):
    run_id = cluster.start(slow_graph())
    stream = cluster.executor.subscribe(run_id)
    cluster.executor.submit(run_id)
    events = []
    async with asyncio.timeout(15):
        async for event in stream:
            events.append(event)
            if event.type == "node_started" and event.node_id == "slow":
                asked = time.monotonic()
                cluster.executor.cancel(run_id)

    assert events[-1].type == "run_cancelled"
    assert time.monotonic() - asked < 3
    assert cluster.store.get_run(run_id).status.value == "cancelled"


async def test_a_run_cancelled_while_queued_is_never_executed(cluster: Cluster):
    run_id = cluster.start(quick_graph())
    cluster.executor.cancel(run_id)  # before any worker has it
    assert cluster.store.get_run(run_id).status.value == "cancelled"

    cluster.executor.submit(run_id)
    await eventually(lambda: any(w.received(run_id) for w in cluster.workers))
    await asyncio.sleep(0.3)

    assert [e.type for e in cluster.store.list_run_events(run_id)] == ["run_cancelled"]
    assert _types(await collect(cluster.executor.subscribe(run_id))) == ["run_cancelled"]


async def test_two_workers_share_a_burst_of_runs(cluster: Cluster):
    run_ids = [cluster.start(steady_graph()) for _ in range(10)]
    for run_id in run_ids:
        cluster.executor.submit(run_id)

    for run_id in run_ids:
        assert _types(await collect(cluster.executor.subscribe(run_id)))[-1] == "run_finished"

    def shares() -> list[int]:  # from the workers' logs, which may lag a little
        return [len(set(w.finished_runs) & set(run_ids)) for w in cluster.workers]

    await eventually(lambda: sum(shares()) == 10)
    assert all(shares()), shares()


async def test_a_killed_pool_process_is_redelivered_and_ends_worker_lost(cluster: Cluster):
    run_id = cluster.start(slow_graph())
    stream = cluster.executor.subscribe(run_id)
    cluster.executor.submit(run_id)
    events = []
    async with asyncio.timeout(20):
        async for event in stream:
            events.append(event)
            if event.type == "node_started" and event.node_id == "slow":
                worker = await eventually(lambda: cluster.executing(run_id))
                os.kill(worker.pool_processes()[0], signal.SIGKILL)

    failed = events[-1]
    assert (failed.type, failed.code) == ("run_failed", WORKER_LOST)
    assert failed.node_id in ("slow", None)  # None: the dead process had not stored it yet
    run = cluster.store.get_run(run_id)
    assert run.status.value == "failed" and run.error["code"] == WORKER_LOST
    # acks_late + reject_on_worker_lost: the task went back to the queue at once
    await eventually(lambda: sum(w.received(run_id) for w in cluster.workers) == 2)


async def test_a_killed_worker_leaves_no_run_running(cluster: Cluster):
    run_id = cluster.start(slow_graph())
    stream = cluster.executor.subscribe(run_id)
    cluster.executor.submit(run_id)
    events = []
    async with asyncio.timeout(20):
        async for event in stream:
            events.append(event)
            if event.type == "node_started" and event.node_id == "slow":
                killed_at = time.monotonic()
                (await eventually(lambda: cluster.executing(run_id))).kill()

    assert (events[-1].type, events[-1].code) == ("run_failed", WORKER_LOST)
    assert time.monotonic() - killed_at < 10  # stale after 3 s, reaped within 1 s more
    assert cluster.store.get_run(run_id).status.value == "failed"

    run_id = cluster.start(quick_graph())  # and runs go on, on the worker left
    cluster.executor.submit(run_id)
    assert _types(await collect(cluster.executor.subscribe(run_id)))[-1] == "run_finished"
