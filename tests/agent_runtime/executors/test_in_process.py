"""The in-process executor: one loop thread, bounded concurrency, live events to any loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from agent_runtime.errors import NotFoundError
from agent_runtime.executors import WORKER_LOST, ExecutorOptions, InProcessExecutor, RunExecutor
from agent_runtime.runtime import Runtime
from agent_runtime.settings import Settings
from agent_runtime.store import Store
from tests.agent_runtime.executors._graphs import (
    LONG_ANSWER,
    approval_graph,
    pair_graph,
    quick_graph,
    slow_graph,
    steady_graph,
    verbose_graph,
)
from tests.agent_runtime.executors._helpers import check_stream, collect, eventually, token_text

LONG = ("verbose", LONG_ANSWER)
OPTIONS = dict(
    heartbeat_interval=0.2, stale_run_after=1.0, reap_interval=0.3, subscribe_poll_interval=0.3
)


def _options(**overrides: object) -> ExecutorOptions:
    return ExecutorOptions(_env_file=None, **{**OPTIONS, **overrides})


@pytest.fixture
def runtime(settings: Settings, store: Store) -> Runtime:
    """Creates runs (``start``); executors execute them."""
    return Runtime(settings=settings, store=store)


@pytest.fixture
def executor(settings: Settings, store: Store) -> Iterator[InProcessExecutor]:
    with InProcessExecutor(settings, store, options=_options(max_concurrent_runs=2)) as made:
        yield made


def _start(runtime: Runtime, spec: dict, message: str = "hello there") -> str:
    graph_id = runtime.store.create_graph(spec["name"], spec=spec).id
    return runtime.start(graph_id, {"message": message}).id


def _types(events: list) -> list[str]:
    return [e.type for e in events if e.type != "token"]


async def test_a_subscriber_sees_the_run_live_tokens_included(executor, runtime, store):
    run_id = _start(runtime, quick_graph(), "tell me about bees")
    stream = executor.subscribe(run_id)
    executor.submit(run_id)
    events = await collect(stream)

    assert isinstance(executor, RunExecutor)
    assert _types(events) == [
        "run_started",
        *("node_started", "node_finished") * 3,
        "run_finished",
    ]
    tokens = [e for e in events if e.type == "token"]
    assert len(tokens) > 3 and {e.seq for e in tokens} == {0}  # live deltas, one by one
    assert token_text(events, "alpha") == '[demo model] Alpha: received "tell me about bees"'
    check_stream(events)
    run = store.get_run(run_id)  # the final event came after the run row was final
    assert run.status.value == "succeeded" and run.output == events[-1].output


@pytest.mark.parametrize("spec", [pair_graph, verbose_graph], ids=["pause", "long-answer"])
async def test_subscribers_arriving_at_any_time_see_each_event_once(spec, executor, runtime):
    run_id = _start(runtime, spec(), "a long story")
    early = asyncio.ensure_future(collect(executor.subscribe(run_id)))
    executor.submit(run_id)
    late = []
    for delay in (0.0, 0.05, 0.15, 0.3):  # at the start, amid tokens, in a pause, later
        await asyncio.sleep(delay)
        late.append(asyncio.ensure_future(collect(executor.subscribe(run_id))))
    streams = [await early, *[await task for task in late]]
    after = await collect(executor.subscribe(run_id))  # once it is over: from the store

    stored = [(e.seq, e.type) for e in after]
    assert stored == [(e.seq, e.type) for e in await collect(executor.subscribe(run_id))]
    for events in [*streams, after]:
        check_stream(events)
        assert _types(events) == _types(after)
        node, text = ("steady", "steady as she goes") if spec is pair_graph else LONG
        assert token_text(events, node) == text


async def test_after_seq_resumes_a_subscription_where_it_left_off(executor, runtime, store):
    run_id = _start(runtime, quick_graph())
    executor.submit(run_id)
    everything = await collect(executor.subscribe(run_id))
    middle = everything[3].seq  # Alpha's node_started: its tokens are stored after it

    rest = await collect(executor.subscribe(run_id, after_seq=middle))

    assert [e.seq for e in rest] == [e.seq for e in store.list_run_events(run_id, middle)]
    assert rest[0].type == "token" and rest[0].seq == middle + 1  # stored coalesced
    assert rest[-1] == everything[-1]


async def test_cancel_stops_a_running_run_at_once(executor, runtime, store):
    run_id = _start(runtime, slow_graph())
    stream = executor.subscribe(run_id)
    executor.submit(run_id)
    events = []
    async with asyncio.timeout(10):
        async for event in stream:
            events.append(event)
            if event.type == "node_started" and event.node_id == "slow":
                started = time.monotonic()
                executor.cancel(run_id)

    assert events[-1].type == "run_cancelled"
    assert time.monotonic() - started < 2  # the 20 s model call was abandoned
    assert store.get_run(run_id).status.value == "cancelled"


async def test_runs_beyond_the_limit_wait_and_a_waiting_one_cancels_at_once(
    settings, store, runtime
):
    with InProcessExecutor(settings, store, options=_options(max_concurrent_runs=1)) as one:
        busy, waiting = _start(runtime, slow_graph()), _start(runtime, quick_graph())
        one.submit(busy)
        one.submit(waiting)
        await eventually(lambda: store.get_run(busy).status.value == "running")
        assert store.get_run(waiting).status.value == "queued"

        one.cancel(waiting)
        events = await collect(one.subscribe(waiting), timeout=3)

        assert _types(events) == ["run_cancelled"]
        assert store.get_run(busy).status.value == "running"
        one.cancel(busy)
        assert _types(await collect(one.subscribe(busy)))[-1] == "run_cancelled"


async def test_at_most_max_concurrent_runs_execute_at_once(executor, runtime, store):
    run_ids = [_start(runtime, steady_graph()) for _ in range(5)]
    most, stop = 0, threading.Event()

    def watch() -> None:
        nonlocal most
        while not stop.is_set():
            most = max(most, len(store.list_runs(status="running")))
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    with ThreadPoolExecutor(4) as pool:  # submitted from several threads at once
        list(pool.map(executor.submit, run_ids))
    try:
        for run_id in run_ids:
            assert _types(await collect(executor.subscribe(run_id)))[-1] == "run_finished"
    finally:
        stop.set()
        watcher.join()

    assert most == 2


async def test_a_run_resumed_right_at_its_interrupt_goes_on(executor, runtime, store):
    run_id = _start(runtime, approval_graph(), "a post")
    executor.submit(run_id)
    first = await collect(executor.subscribe(run_id))
    assert first[-1].type == "interrupt"

    executor.submit(run_id, resume={"approved": True, "comment": ""})
    rest = await collect(executor.subscribe(run_id, after_seq=first[-1].seq))

    assert _types(rest) == [
        "node_finished",
        *("node_started", "node_finished") * 2,
        "run_finished",
    ]
    assert store.get_run(run_id).status.value == "succeeded"


async def test_a_run_this_process_cannot_build_fails_with_the_reason(executor, runtime, store):
    graph_id = store.create_graph("Quick", spec=quick_graph()).id
    run_id = store.create_run(graph_id, {"message": "hi"}, backend="dask").id

    executor.submit(run_id)
    events = await collect(executor.subscribe(run_id))

    assert _types(events) == ["run_failed"]
    assert events[0].code == "unknown_backend" and "dask" in events[0].message
    assert store.get_run(run_id).error["code"] == "unknown_backend"


async def test_runs_left_running_by_a_dead_process_fail_as_worker_lost(settings, store):
    graph_id = store.create_graph("Slow", spec=slow_graph()).id
    orphan = store.create_run(graph_id, {"message": "hi"}).id
    store.update_run_status(orphan, "running")
    store.append_run_event(orphan, "node_started", "slow", {"kind": "agent"})
    store.touch_run(orphan)
    await asyncio.sleep(1.1)  # its heartbeat goes stale: the process that ran it is gone

    with InProcessExecutor(settings, store, options=_options()) as executor:
        events = await collect(executor.subscribe(orphan), timeout=5)

    assert events[-1].type == "run_failed"
    assert (events[-1].code, events[-1].node_id) == (WORKER_LOST, "slow")
    run = store.get_run(orphan)
    assert run.status.value == "failed" and run.error["code"] == WORKER_LOST
    assert "node 'slow'" in run.error["message"]


async def test_close_cancels_what_is_still_running(settings, store, runtime):
    executor = InProcessExecutor(settings, store, options=_options())
    run_id = _start(runtime, slow_graph())
    executor.submit(run_id)
    await eventually(lambda: store.get_run(run_id).status.value == "running")

    await asyncio.to_thread(executor.close)

    assert store.get_run(run_id).status.value == "cancelled"
    with pytest.raises(RuntimeError, match="closed"):
        executor.submit(run_id)


async def test_unknown_runs_are_a_clear_error(executor):
    with pytest.raises(NotFoundError):
        executor.cancel("nope")
    with pytest.raises(NotFoundError):
        await collect(executor.subscribe("nope"))


def _running_elsewhere(store: Store) -> str:
    """A run another (maybe dead) process marked running, heartbeat fresh."""
    graph_id = store.create_graph("Slow", spec=slow_graph()).id
    run_id = store.create_run(graph_id, {"message": "hi"}).id
    store.update_run_status(run_id, "running")
    store.touch_run(run_id)
    return run_id


async def test_a_run_redelivered_after_its_worker_died_fails_worker_lost(settings, store):
    run_id = _running_elsewhere(store)
    options = _options(reap_interval=600)  # only the redelivered task may notice
    with InProcessExecutor(settings, store, options=options) as executor:
        started = time.monotonic()
        status = await asyncio.wrap_future(executor._engine.submit(run_id))
        events = await collect(executor.subscribe(run_id))

    assert status == "failed"
    assert 1.0 <= time.monotonic() - started < 3  # it waited for the heartbeat to go stale
    assert (events[-1].type, events[-1].code) == ("run_failed", WORKER_LOST)


async def test_a_duplicate_of_a_run_alive_elsewhere_is_dropped(settings, store):
    run_id = _running_elsewhere(store)
    alive = threading.Event()

    def beat() -> None:  # the process that really executes it
        while not alive.wait(0.1):
            store.touch_run(run_id)

    beater = threading.Thread(target=beat)
    beater.start()
    try:
        with InProcessExecutor(settings, store, options=_options(reap_interval=600)) as executor:
            status = await asyncio.wrap_future(executor._engine.submit(run_id))
            await asyncio.sleep(1.2)  # longer than stale_run_after
    finally:
        alive.set()
        beater.join()

    assert status == "running"
    assert store.get_run(run_id).status.value == "running"
    assert store.list_run_events(run_id) == []
