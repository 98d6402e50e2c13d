"""The executors' public surface: the factory, options, the wire format, the worker command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

import agent_runtime.executors as executors
from agent_runtime.errors import ConfigurationError
from agent_runtime.events import TokenEvent
from agent_runtime.executors import (
    CeleryExecutor,
    ExecutorOptions,
    InProcessExecutor,
    RunExecutor,
    executor_for,
)
from agent_runtime.executors._redis import decode, encode
from agent_runtime.runtime import Runtime
from tests.agent_runtime.executors._graphs import quick_graph
from tests.agent_runtime.executors._helpers import collect


def test_exported_members():
    assert set(executors.__all__) == {
        "WORKER_LOST",
        "CeleryExecutor",
        "ExecutorOptions",
        "InProcessExecutor",
        "RunExecutor",
        "executor_for",
        "reap_stale_runs",
    }
    for name in executors.__all__:
        assert getattr(executors, name) is not None


def test_no_broker_means_in_process(settings, store):
    executor = executor_for(settings, store, options=ExecutorOptions(_env_file=None))
    try:
        assert isinstance(executor, InProcessExecutor) and isinstance(executor, RunExecutor)
    finally:
        executor.close()


def test_a_redis_broker_means_celery(settings, store):
    settings = settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"})
    executor = executor_for(settings, store)  # connects lazily: nothing listens on port 1
    try:
        assert isinstance(executor, CeleryExecutor) and isinstance(executor, RunExecutor)
    finally:
        executor.close()


def test_another_broker_is_a_clear_configuration_error(settings, store):
    settings = settings.model_copy(update={"broker_url": "amqp://guest:secret@rabbit//"})
    with pytest.raises(ConfigurationError, match="redis://") as err:
        executor_for(settings, store)
    assert err.value.code == "bad_broker_url"
    assert "secret" not in str(err.value)


def test_options_come_from_the_environment_and_are_checked(monkeypatch):
    monkeypatch.setenv("ORCHESTRALL_MAX_CONCURRENT_RUNS", "7")
    assert ExecutorOptions(_env_file=None).max_concurrent_runs == 7
    with pytest.raises(ValidationError, match="twice heartbeat_interval"):
        ExecutorOptions(_env_file=None, heartbeat_interval=5, stale_run_after=6)
    with pytest.raises(ValidationError):
        ExecutorOptions(_env_file=None, max_concurrent_runs=0)


def test_live_messages_are_event_json_with_their_place():
    event = TokenEvent(run_id="r1", node_id="agent_1", delta="héllo")
    idx, stored_seq, back = decode(encode(event, 7, 3))
    assert (idx, stored_seq, back) == (3, 7, event)


def test_importing_the_executors_does_not_import_celery():
    code = "import agent_runtime.executors, sys; print('celery' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _worker_command(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ORCHESTRALL_")}
    command = [sys.executable, "-c", "from agent_runtime.cli import main; main()", "worker"]
    return subprocess.run(
        [*command, *args], env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_the_worker_command_needs_a_broker(tmp_path):
    result = _worker_command(ORCHESTRALL_DATA_DIR=str(tmp_path))
    assert result.returncode == 1
    assert "ORCHESTRALL_BROKER_URL=redis://" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_worker_command_refuses_an_unknown_pool():
    result = _worker_command("--pool", "gevent", ORCHESTRALL_BROKER_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 1 and "--pool must be" in result.stderr


async def test_without_redis_a_subscriber_follows_the_store(settings, store):
    """Live events are best effort: with Redis down, a subscriber still sees the whole run
    (from the store, tokens coalesced), here one executing in another executor."""
    options = ExecutorOptions(_env_file=None, subscribe_poll_interval=0.2)
    no_redis = settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"})
    runtime = Runtime(settings=settings, store=store)
    run_id = runtime.start(store.create_graph("Q", spec=quick_graph()).id, {"message": "hi"}).id
    with (
        InProcessExecutor(settings, store, options=options) as elsewhere,
        executor_for(no_redis, store, options=options) as celery,
    ):
        stream = celery.subscribe(run_id)
        elsewhere.submit(run_id)
        events = await collect(stream)

    assert events[0].type == "run_started"
    assert events[-1].type == "run_finished"
    assert [e.seq for e in events] == [e.seq for e in store.list_run_events(run_id)]
