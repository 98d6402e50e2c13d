"""Rate limits shared by two app worker processes through Redis (and not in memory).

Two separate Python processes (``_limiter_worker.py``), each with its own
``RateLimiter``, hit the same key at the same moment. With Redis storage the key
gets its limit once in all, however the requests fall between the processes; a run
slot taken in one process counts in the other and is freed from a third. With the
default memory storage each process counts alone, so N workers allow N times the
limit: that is why several app workers need ``ORCHESTRALL_REDIS_URL`` (or a Redis
broker), as ``docs`` and ``RateLimiter.shared`` say.

The last test shows it end to end: two processes serving the HTTP API
(``uvicorn --factory app.api:build_api``) on one database, a key allowed 6 requests
a minute, requests alternating between them: with Redis the 7th gets 429 with a
Retry-After from whichever worker answers; in memory twice the limit gets through.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from agent_runtime.access import ApiKey, ApiKeys, RateLimiter
from agent_runtime.errors import RateLimitedError
from agent_runtime.store import open_store

ROOT = Path(__file__).resolve().parents[3]
WORKER = Path(__file__).with_name("_limiter_worker.py")
WORKERS = 2


def _run_workers(storage_url: str, mode: str, key_id: str, limit: int, tries: int) -> list[dict]:
    """Start ``WORKERS`` processes, let them set up, then release them together."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(WORKER), storage_url, mode, key_id, str(limit), str(tries)]
    procs = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            assert line == "ready", f"worker did not start: {line!r} {proc.stderr.read()}"
        for proc in procs:  # the go, to all at once
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _key(key_id: str, limit: int) -> ApiKey:
    return ApiKey(
        id=key_id,
        name=key_id,
        prefix=f"orch_{key_id[:8]}",
        graph_ids=None,
        per_minute=limit,
        concurrent_runs=limit,
        created_at=datetime.now(UTC),
        expires_at=None,
        revoked_at=None,
        last_used_at=None,
    )


def test_two_processes_on_redis_share_one_requests_per_minute_limit(redis_url: str) -> None:
    key_id = uuid.uuid4().hex

    results = _run_workers(redis_url, "hits", key_id, limit=25, tries=40)

    allowed = [r["allowed"] for r in results]
    assert sum(allowed) == 25, allowed  # not 2 x 25
    # A third process (this one) finds the window full too.
    with pytest.raises(RateLimitedError) as err:
        RateLimiter(storage_url=redis_url).hit(_key(key_id, 25))
    assert 1 <= err.value.retry_after <= 60


def test_two_processes_on_redis_share_the_concurrent_run_slots(redis_url: str) -> None:
    key_id = uuid.uuid4().hex
    key = _key(key_id, 3)

    results = _run_workers(redis_url, "runs", key_id, limit=3, tries=5)

    assert sum(r["allowed"] for r in results) == 3
    here = RateLimiter(storage_url=redis_url)
    with pytest.raises(RateLimitedError) as err:
        here.acquire_run(key)
    assert err.value.code == "too_many_runs"
    # A slot one worker took (it exited without releasing) is released from another.
    token = next(t for r in results for t in r["tokens"])
    here.release_run(key, token)
    with here.run_slot(key):
        pass


def test_in_memory_each_process_counts_alone() -> None:
    """Documented behaviour, not a bug: memory counters are per process, so two workers
    without Redis allow twice the limit. ``RateLimiter.shared`` says which one is in force."""
    key_id = uuid.uuid4().hex

    hits = _run_workers("memory://", "hits", key_id, limit=25, tries=40)
    runs = _run_workers("memory://", "runs", key_id, limit=3, tries=5)

    assert [r["allowed"] for r in hits] == [25, 25]
    assert [r["allowed"] for r in runs] == [3, 3]
    assert not RateLimiter(storage_url="memory://").shared


# ------------------------------------------- the API itself, two workers ---


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _api_workers(data_dir: Path, redis_url: str | None, log_dir: Path) -> Iterator[list[str]]:
    """Two API processes (``uvicorn --factory app.api:build_api``) on one database."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ORCHESTRALL_DATA_DIR": str(data_dir),
        "ORCHESTRALL_DATABASE_URL": f"sqlite:///{data_dir / 'orchestrall.db'}",
    }
    for name in ("ORCHESTRALL_REDIS_URL", "ORCHESTRALL_BROKER_URL", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    if redis_url:
        env["ORCHESTRALL_REDIS_URL"] = redis_url
    ports = [_free_port() for _ in range(WORKERS)]
    procs = []
    for i, port in enumerate(ports):
        with (log_dir / f"api-{i}.log").open("wb") as log:
            command = [sys.executable, "-m", "uvicorn", "--factory", "app.api:build_api"]
            command += ["--port", str(port), "--log-level", "warning"]
            procs.append(
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            )
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 90
        for url, proc in zip(urls, procs, strict=True):
            while True:
                try:
                    httpx.get(f"{url}/api/v1/openapi.json", timeout=5).raise_for_status()
                    break
                except httpx.HTTPError:
                    assert proc.poll() is None, (log_dir / "api-0.log").read_text()
                    assert time.monotonic() < deadline, "the API workers did not start"
                    time.sleep(0.1)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _statuses(urls: list[str], key: str, requests: int) -> list[tuple[int, str | None]]:
    """``requests`` GET /api/v1/graphs, alternating between the workers."""
    answers = []
    for i in range(requests):
        answer = httpx.get(
            f"{urls[i % len(urls)]}/api/v1/graphs",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        answers.append((answer.status_code, answer.headers.get("retry-after")))
    return answers


@pytest.mark.slow
@pytest.mark.parametrize("shared", [True, False], ids=["redis", "memory"])
def test_two_api_workers_share_a_key_s_requests_per_minute_only_with_redis(
    tmp_path: Path, request: pytest.FixtureRequest, shared: bool
) -> None:
    data_dir = tmp_path / "data"
    with open_store(f"sqlite:///{data_dir / 'orchestrall.db'}") as store:
        _, key = ApiKeys(store).create("two workers", per_minute=6)
    redis_url = request.getfixturevalue("redis_url") if shared else None

    with _api_workers(data_dir, redis_url, tmp_path) as urls:
        answers = _statuses(urls, key, 14)

    statuses = [status for status, _ in answers]
    if shared:
        # 6 in all, then 429 from whichever worker gets the request, with a Retry-After.
        assert statuses == [200] * 6 + [429] * 8
        assert all(1 <= int(retry) <= 60 for status, retry in answers if status == 429)
    else:
        # Each worker counts alone: 6 each (alternating), so twice the limit gets through.
        assert statuses == [200] * 12 + [429] * 2
