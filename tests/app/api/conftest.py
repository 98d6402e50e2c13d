"""The HTTP API under test: the backend's API app (``app.api.build_api``) on a fresh data dir.

``api`` is a Starlette ``TestClient`` on the ASGI app (fast; one event loop for the
whole test, so run-slot watchers live as they would in the server). ``live_url`` is
the same app under uvicorn on a free port, for what needs real HTTP: an SSE client
that hangs up half-way, and the ``openai`` client. Runs are real: the in-process
executor and the scripted model (the test module's ``SCRIPT``).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient

from agent_runtime.access import ApiKeys
from app.api import build_api
from app.services import graphs

__all__ = ["auth", "parse_sse", "save"]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def save(spec: dict[str, Any]) -> str:
    """Store ``spec`` as a new graph; its id."""
    return graphs.get_store().create_graph(spec["name"], spec=spec).id


def parse_sse(text: str) -> list[dict[str, Any]]:
    """The messages of an SSE body: ``{"id", "event", "data"}`` (data JSON-decoded)."""
    messages = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields: dict[str, Any] = {}
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            fields[name] = value[1:] if value.startswith(" ") else value
        if "data" in fields:
            fields["data"] = json.loads(fields["data"])
            messages.append(fields)
    return messages


@pytest.fixture
def api_env(services: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs really execute; rate-limit counters in this process's memory."""
    monkeypatch.delenv("ORCHESTRALL_REDIS_URL", raising=False)


@pytest.fixture
def make_key(api_env: None) -> Callable[..., str]:
    """``make_key(name="k", graph_ids=None, per_minute=None, …)``: a new API key (the secret)."""

    def make(name: str = "test key", **options: Any) -> str:
        return ApiKeys(graphs.get_store()).create(name, **options)[1]

    return make


@pytest.fixture
def key(make_key: Callable[..., str]) -> str:
    """A key for every graph, with room for many requests."""
    return make_key(per_minute=10_000, concurrent_runs=50)


@pytest.fixture
def api(api_env: None) -> Iterator[TestClient]:
    with TestClient(build_api()) as client:
        yield client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    """``build_api()`` under uvicorn in a thread; it serves whatever data dir a test set up."""
    config = uvicorn.Config(
        build_api(),
        host="127.0.0.1",
        port=_free_port(),
        log_level="warning",
        lifespan="off",
        ws="none",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="api-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the API did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{config.port}"
    server.should_exit = True
    thread.join(timeout=10)
