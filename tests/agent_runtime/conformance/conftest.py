"""Fixtures of the backend conformance suite: every test runs on every backend.

The model is the scripted server over real HTTP (one per test module, running
the module's ``SCRIPT``); the store is a real SQLite file in ``tmp_path``. A
backend joins the suite by being registered in ``agent_runtime.backends``
(``BACKEND_NAMES``); tests assert only normalised behaviour (event types, node
ids, outputs, statuses, error codes), so they must pass unchanged on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from agent_runtime.backends import BACKEND_NAMES
from agent_runtime.model_server import ScriptedModelServer
from tests.agent_runtime.conformance._harness import Harness, Harnesses, MakeHarness


@pytest.fixture(params=BACKEND_NAMES)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend under test (every registered one)."""
    return request.param


@pytest.fixture(scope="module")
def model_server(request: pytest.FixtureRequest) -> Iterator[ScriptedModelServer]:
    """The demo model running the test module's ``SCRIPT`` (None: default answers only)."""
    with ScriptedModelServer(script=getattr(request.module, "SCRIPT", None)) as server:
        yield server


@pytest.fixture
async def make_harness(
    backend: str, model_server: ScriptedModelServer, tmp_path: Path
) -> AsyncIterator[MakeHarness]:
    """Build harnesses: ``await make_harness(base_url=..., database_url=..., store=...)``.

    By default each gets a new SQLite store under ``tmp_path`` and the module's
    model server; everything is closed after the test.
    """
    harnesses = Harnesses(model_server, tmp_path, backend)
    yield harnesses.make
    await harnesses.aclose()


@pytest.fixture
async def harness(make_harness: MakeHarness) -> Harness:
    """A harness on a fresh SQLite store and the module's model server."""
    return await make_harness()
