"""UI tests get a fresh data dir: settings re-read, the service's store reopened there.

``services`` adds the demo model (running the test module's ``SCRIPT``) and a fresh
in-process executor, for tests that really run graphs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import reflex as rx
from reflex_base.registry import RegistrationContext

from agent_runtime.model_server import ScriptedModelServer
from agent_runtime.settings import get_settings
from app.routes import add_routes
from app.services import graphs, runs


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty data dir with its own SQLite store, used by ``app.services`` in this test."""
    path = tmp_path / "data"
    monkeypatch.setenv("ORCHESTRALL_DATA_DIR", str(path))
    monkeypatch.setenv("ORCHESTRALL_DATABASE_URL", f"sqlite:///{path / 'orchestrall.db'}")
    graphs.close_store()
    get_settings.cache_clear()
    yield path
    graphs.close_store()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def model_server(request: pytest.FixtureRequest) -> Iterator[ScriptedModelServer]:
    """The demo model running the test module's ``SCRIPT`` (None: default answers only)."""
    with ScriptedModelServer(script=getattr(request.module, "SCRIPT", None)) as server:
        yield server


@pytest.fixture
def services(
    data_dir: Path, model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A data dir, the demo model and this process's run executor (in-process) made anew."""
    monkeypatch.setenv("ORCHESTRALL_DEFAULT_BASE_URL", model_server.base_url)
    monkeypatch.delenv("ORCHESTRALL_BROKER_URL", raising=False)
    runs.close_executor()
    yield
    runs.close_executor()


def save_graph(spec: dict) -> str:
    """Store ``spec`` as a new graph through the app's store; its id."""
    return graphs.get_store().create_graph(spec["name"], spec=spec).id


@pytest.fixture(scope="module")
def app_routes() -> None:
    """The pages registered on an app of their own, so states have the route vars
    (``graph_id``, ``run_id``…) a page load sets."""
    token = RegistrationContext.set(RegistrationContext.ensure_context().fork())
    try:
        add_routes(rx.App())
    finally:
        RegistrationContext.reset(token)
