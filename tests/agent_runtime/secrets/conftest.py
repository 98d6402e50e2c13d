"""Secret tests run on SQLite and PostgreSQL with the store suite's fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_runtime.secrets import SecretKey, SecretStore, load_secret_key
from agent_runtime.settings import Settings
from agent_runtime.store import Store
from tests.agent_runtime.store.conftest import db_url, store

__all__ = ["db_url", "store"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a data dir that does not exist yet and no ORCHESTRALL_SECRET_KEY."""
    return Settings(_env_file=None, data_dir=tmp_path / "data", secret_key=None)


@pytest.fixture
def key(settings: Settings) -> SecretKey:
    return load_secret_key(settings)


@pytest.fixture
def secrets(store: Store, key: SecretKey) -> SecretStore:
    return SecretStore(store, key)
