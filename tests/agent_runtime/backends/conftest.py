"""Fixtures of the backends' own tests: the demo model over real HTTP, real stores.

``make_harness(backend)`` gives a conformance ``Harness`` (a real ``Runtime`` on a
SQLite store in ``tmp_path``) on any backend, by default the one a test folder is
about (its ``default_backend`` fixture), so a test can run one spec on LangGraph
(the reference) and on that backend and compare what a user sees.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from agent_runtime.model_server import ScriptedModelServer
from tests.agent_runtime.conformance._harness import Harnesses, MakeHarness


@pytest.fixture(scope="module")
def model_server(request: pytest.FixtureRequest) -> Iterator[ScriptedModelServer]:
    """The demo model running the test module's ``SCRIPT`` (None: default answers only)."""
    with ScriptedModelServer(script=getattr(request.module, "SCRIPT", None)) as server:
        yield server


@pytest.fixture
def default_backend() -> str:
    """The backend ``make_harness()`` runs on when a test names none."""
    return "langgraph"


@pytest.fixture
async def make_harness(
    default_backend: str, model_server: ScriptedModelServer, tmp_path: Path
) -> AsyncIterator[MakeHarness]:
    """``await make_harness("crewai", base_url=..., store=...)``; closed after the test."""
    harnesses = Harnesses(model_server, tmp_path, default_backend)
    yield harnesses.make
    await harnesses.aclose()
