"""Fixtures of the executor tests: the scripted model over HTTP and a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_runtime.model_server import ScriptedModelServer
from agent_runtime.settings import Settings
from agent_runtime.store import Store, open_store
from tests.agent_runtime.executors._graphs import SCRIPT


@pytest.fixture(scope="module")
def model_server() -> Iterator[ScriptedModelServer]:
    with ScriptedModelServer(script=SCRIPT) as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, model_server: ScriptedModelServer) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'orchestrall.db'}",
        default_base_url=model_server.base_url,
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with open_store(settings=settings) as opened:
        yield opened
