"""UI tests get a fresh data dir: settings re-read, the service's store reopened there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_runtime.settings import get_settings
from app.services import graphs


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
