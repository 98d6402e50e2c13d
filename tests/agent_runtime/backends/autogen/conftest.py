"""Fixtures of the AutoGen backend's own tests: the demo model over real HTTP, real stores.

``make_harness(backend)`` gives a conformance ``Harness`` (a real ``Runtime`` on a
SQLite store in ``tmp_path``) on either backend, so a test can run one spec on
LangGraph and on AutoGen and compare what a user sees.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from agent_runtime.model_server import ScriptedModelServer
from agent_runtime.settings import Settings
from agent_runtime.store import Store, open_store
from tests.agent_runtime.conformance._harness import Harness

MakeHarness = Callable[..., Awaitable[Harness]]


@pytest.fixture(scope="module")
def model_server(request: pytest.FixtureRequest) -> Iterator[ScriptedModelServer]:
    """The demo model running the test module's ``SCRIPT`` (None: default answers only)."""
    with ScriptedModelServer(script=getattr(request.module, "SCRIPT", None)) as server:
        yield server


@pytest.fixture
async def make_harness(
    model_server: ScriptedModelServer, tmp_path: Path
) -> AsyncIterator[MakeHarness]:
    """``await make_harness("autogen", base_url=..., store=...)``; closed after the test."""
    model_server.clear_requests()
    made: list[tuple[Harness, Store | None]] = []
    counter = itertools.count()

    async def make(
        backend: str = "autogen", *, base_url: str | None = None, store: Store | None = None
    ) -> Harness:
        data_dir = tmp_path / f"data{next(counter)}"
        data_dir.mkdir()
        settings = Settings(
            _env_file=None,
            data_dir=data_dir,
            database_url=f"sqlite:///{data_dir / 'orchestrall.db'}",
            default_base_url=base_url or model_server.base_url,
        )
        own_store = None if store is not None else open_store(settings=settings)
        harness = Harness(
            backend=backend, server=model_server, settings=settings, store=store or own_store
        )
        made.append((harness, own_store))
        return harness

    yield make
    for harness, own_store in reversed(made):
        await harness.aclose()
        if own_store is not None:
            own_store.close()
