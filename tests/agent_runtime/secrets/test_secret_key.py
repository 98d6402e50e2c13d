"""The installation's secret key: ORCHESTRALL_SECRET_KEY, or a 0600 key file made on first start."""

from __future__ import annotations

import logging
import os
import pickle
import stat
import threading
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from agent_runtime.errors import ConfigurationError
from agent_runtime.secrets import KEY_FILE_NAME, SecretKey, load_secret_key
from agent_runtime.settings import Settings


def test_first_start_creates_a_private_key_file_that_later_starts_reuse(settings: Settings):
    assert not settings.data_dir.exists()

    first = load_secret_key(settings)

    path = settings.data_dir / KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    Fernet(path.read_bytes().strip())  # a real Fernet key
    assert load_secret_key(settings) == first
    assert load_secret_key(settings).id == first.id
    assert [p.name for p in settings.data_dir.iterdir()] == [KEY_FILE_NAME]  # no temp files left


def test_the_key_file_is_private_whatever_the_umask(settings: Settings):
    old = os.umask(0)
    try:
        load_secret_key(settings)
    finally:
        os.umask(old)
    assert stat.S_IMODE((settings.data_dir / KEY_FILE_NAME).stat().st_mode) == 0o600


def test_processes_starting_together_agree_on_one_key(settings: Settings):
    keys: list[SecretKey] = []
    barrier = threading.Barrier(8)

    def load() -> None:
        barrier.wait()
        keys.append(load_secret_key(settings))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len({k.id for k in keys}) == 1
    assert sorted(p.name for p in settings.data_dir.iterdir()) == [KEY_FILE_NAME]


def test_orchestrall_secret_key_wins_and_writes_no_file(tmp_path: Path, monkeypatch):
    given = Fernet.generate_key().decode()
    monkeypatch.setenv("ORCHESTRALL_SECRET_KEY", given)
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")

    key = load_secret_key(settings)

    assert key == SecretKey(given)
    assert key.source == "ORCHESTRALL_SECRET_KEY"
    assert not (tmp_path / "data" / KEY_FILE_NAME).exists()
    assert given not in repr(settings)


@pytest.mark.parametrize("bad", ["", "not-a-key", "c2hvcnQ=", "x" * 44])
def test_a_key_that_is_not_a_fernet_key_is_a_clear_error_without_echo(tmp_path: Path, bad: str):
    settings = Settings(_env_file=None, data_dir=tmp_path, secret_key=bad)

    with pytest.raises(ConfigurationError) as err:
        load_secret_key(settings)

    assert err.value.code == "bad_secret_key"
    assert "ORCHESTRALL_SECRET_KEY" in err.value.message
    assert "Fernet.generate_key" in err.value.message
    if bad:
        assert bad not in err.value.message


def test_a_damaged_key_file_names_the_file(settings: Settings):
    settings.data_dir.mkdir()
    path = settings.data_dir / KEY_FILE_NAME
    path.write_text("garbage-in-the-key-file\n")
    path.chmod(0o600)

    with pytest.raises(ConfigurationError) as err:
        load_secret_key(settings)

    assert err.value.code == "bad_secret_key"
    assert str(path) in err.value.message
    assert "garbage-in-the-key-file" not in err.value.message


def test_a_key_file_others_can_read_is_reported(settings: Settings, caplog):
    load_secret_key(settings)
    path = settings.data_dir / KEY_FILE_NAME
    path.chmod(0o644)

    with caplog.at_level(logging.WARNING, logger="agent_runtime.secrets"):
        load_secret_key(settings)

    assert "chmod 600" in caplog.text
    assert path.read_text().strip() not in caplog.text


def test_a_key_never_shows_itself_and_cannot_be_pickled(settings: Settings):
    key = load_secret_key(settings)
    text = (settings.data_dir / KEY_FILE_NAME).read_text().strip()

    assert text not in repr(key) and text not in str(key)
    source = str(settings.data_dir / KEY_FILE_NAME)
    assert repr(key) == f"SecretKey(id={key.id!r}, source={source!r})"
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(key)


def test_values_round_trip_and_each_encryption_differs():
    key = SecretKey.generate()
    first, second = key.encrypt("sk-value-1234"), key.encrypt("sk-value-1234")

    assert first != second and "sk-value-1234" not in first
    assert key.decrypt(first) == key.decrypt(second) == "sk-value-1234"
