"""Named secrets encrypted in the store, on SQLite and PostgreSQL: values go in, hints come out."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from agent_runtime.errors import ConfigurationError, NotFoundError, StoreError
from agent_runtime.secrets import SecretInfo, SecretKey, SecretStore, StoredSecrets, mask_secret
from agent_runtime.store import Store, open_store
from agent_runtime.store._db import Database
from agent_runtime.store._migrate import alembic_config
from agent_runtime.store._tables import SecretRow

VALUE = "sk-proj-0123456789abcdef1a2b"


def _raw_rows(store: Store) -> list[dict]:
    """The ``secret`` rows as stored (columns typed, nothing decrypted)."""
    with store._db.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(SecretRow.__table__))]


def test_a_secret_round_trips_and_is_listed_by_hint_only(secrets: SecretStore, store: Store):
    info = secrets.set_secret("OPENAI_API_KEY", VALUE)

    assert info.name == "OPENAI_API_KEY" and info.hint == "••••1a2b" and info.readable
    assert secrets.reveal("OPENAI_API_KEY") == VALUE
    listed = secrets.list_secrets()
    assert listed == [SecretInfo("OPENAI_API_KEY", "••••1a2b", info.updated_at, True)]
    assert VALUE not in repr(listed) and VALUE not in repr(secrets)
    assert secrets.names() == ["OPENAI_API_KEY"]
    assert secrets.info("OPENAI_API_KEY") == listed[0]
    assert secrets.info("NOT_THERE") is None and secrets.reveal("NOT_THERE") is None


def test_only_ciphertext_is_stored(secrets: SecretStore, store: Store, key: SecretKey):
    secrets.set_secret("SHOP_API_TOKEN", VALUE)

    [row] = _raw_rows(store)
    assert VALUE not in str(row)
    assert row["key_id"] == key.id
    assert key.decrypt(row["ciphertext"]) == VALUE


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("abcdefghijk", "••••••••"),  # 11 characters: nothing shown
        ("abcdefgh1a2b", "••••1a2b"),  # 12: the last 4
        ("x", "••••••••"),
        (VALUE, "••••1a2b"),
    ],
)
def test_hints_show_the_last_four_only_for_long_values(value: str, hint: str):
    assert mask_secret(value) == hint


def test_replacing_a_secret_keeps_one_row_and_its_creation_time(secrets: SecretStore, store: Store):
    first = secrets.set_secret("SHOP_API_TOKEN", "first-value-0001")
    time.sleep(0.01)
    second = secrets.set_secret("SHOP_API_TOKEN", "  second-value-0002\n")  # pasted with a newline

    assert secrets.reveal("SHOP_API_TOKEN") == "second-value-0002"
    assert second.hint == "••••0002" and second.updated_at > first.updated_at
    [row] = _raw_rows(store)
    assert row["hint"] == "••••0002"
    assert row["created_at"] == first.updated_at


def test_delete_removes_the_secret_and_an_unknown_name_is_not_found(secrets: SecretStore):
    secrets.set_secret("SHOP_API_TOKEN", VALUE)
    secrets.set_secret("CRM_TOKEN", VALUE)

    secrets.delete_secret("SHOP_API_TOKEN")

    assert secrets.names() == ["CRM_TOKEN"]
    assert secrets.reveal("SHOP_API_TOKEN") is None
    with pytest.raises(NotFoundError, match="SHOP_API_TOKEN"):
        secrets.delete_secret("SHOP_API_TOKEN")


@pytest.mark.parametrize("name", ["lower_case", "X", "1ABC", "HAS-DASH", "A" * 65, "", VALUE])
def test_a_bad_name_is_refused_without_echoing_it(secrets: SecretStore, name: str):
    with pytest.raises(StoreError) as err:
        secrets.set_secret(name, "some-value-1234")

    assert err.value.code == "invalid_secret_name"
    assert "SHOP_API_TOKEN" in err.value.message  # an example of a good name
    if name:
        assert name not in err.value.message
    assert secrets.list_secrets() == []


@pytest.mark.parametrize("value", ["", "   ", "two\nlines", "tab\there", "x" * 8193, None])
def test_a_bad_value_is_refused_and_nothing_is_saved(secrets: SecretStore, value):
    secrets.set_secret("SHOP_API_TOKEN", "the-saved-value-1")

    with pytest.raises(StoreError) as err:
        secrets.set_secret("SHOP_API_TOKEN", value)

    assert err.value.code == "invalid_secret_value"
    assert secrets.reveal("SHOP_API_TOKEN") == "the-saved-value-1"


def test_another_key_gives_a_clear_error_never_garbage(secrets: SecretStore, store: Store):
    secrets.set_secret("OPENAI_API_KEY", VALUE)
    other = SecretStore(store, SecretKey.generate(source="ORCHESTRALL_SECRET_KEY"))

    with pytest.raises(ConfigurationError) as err:
        other.reveal("OPENAI_API_KEY")

    assert err.value.code == "secret_key_mismatch"
    assert "OPENAI_API_KEY" in err.value.message
    assert "another secret key" in err.value.message
    assert "ORCHESTRALL_SECRET_KEY" in err.value.message
    assert VALUE not in err.value.message
    assert other.list_secrets()[0].readable is False
    assert secrets.list_secrets()[0].readable is True


def test_a_damaged_value_is_reported_like_a_key_mismatch(secrets: SecretStore, store: Store):
    secrets.set_secret("OPENAI_API_KEY", VALUE)
    with store._db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE secret SET ciphertext = 'gAAAAAdamaged'"))

    with pytest.raises(ConfigurationError) as err:
        secrets.reveal("OPENAI_API_KEY")

    assert err.value.code == "secret_key_mismatch"
    assert "does not match" in err.value.message


def test_reencrypt_moves_secrets_to_a_new_key(secrets: SecretStore, store: Store, key: SecretKey):
    secrets.set_secret("OPENAI_API_KEY", VALUE)
    secrets.set_secret("SHOP_API_TOKEN", "shop-token-value")
    new = SecretStore(store, SecretKey.generate())

    assert new.reencrypt(key) == 2

    assert new.reveal("OPENAI_API_KEY") == VALUE
    assert all(info.readable for info in new.list_secrets())
    with pytest.raises(ConfigurationError):
        secrets.reveal("OPENAI_API_KEY")  # the old key no longer opens them
    assert new.reencrypt(key) == 0


# ------------------------------------------------------ StoredSecrets ---


def test_stored_secrets_decrypt_on_access_and_fall_back_to_the_environment(
    secrets: SecretStore, monkeypatch
):
    monkeypatch.setenv("ENV_ONLY_TOKEN", "from-the-environment")
    monkeypatch.setenv("SHOP_API_TOKEN", "env-loses-to-stored")
    secrets.set_secret("SHOP_API_TOKEN", "stored-wins-1234")
    mapping = StoredSecrets(secrets)

    assert mapping["SHOP_API_TOKEN"] == "stored-wins-1234"
    assert mapping["ENV_ONLY_TOKEN"] == "from-the-environment"
    assert mapping.get("NOT_SET_ANYWHERE") is None
    with pytest.raises(KeyError):
        mapping["NOT_SET_ANYWHERE"]
    with pytest.raises(KeyError):
        mapping["lower"]
    assert "SHOP_API_TOKEN" in mapping and "ENV_ONLY_TOKEN" in mapping
    assert "NOT_SET_ANYWHERE" not in mapping and "lower" not in mapping
    names = list(mapping)
    assert names.count("SHOP_API_TOKEN") == 1 and "ENV_ONLY_TOKEN" in names
    assert len(mapping) == len(names)
    assert repr(mapping) == "StoredSecrets(<hidden>)"
    assert "stored-wins" not in str(mapping)


def test_stored_secrets_with_an_explicit_fallback(secrets: SecretStore):
    secrets.set_secret("CRM_TOKEN", "crm-value-123")
    mapping = StoredSecrets(secrets, fallback={"OTHER_TOKEN": "x"})

    assert dict(mapping) == {"CRM_TOKEN": "crm-value-123", "OTHER_TOKEN": "x"}


def test_stored_secrets_under_another_key_raise_instead_of_looking_missing(
    secrets: SecretStore, store: Store
):
    secrets.set_secret("OPENAI_API_KEY", VALUE)
    mapping = StoredSecrets(SecretStore(store, SecretKey.generate()), fallback={})

    assert "OPENAI_API_KEY" in mapping  # membership never decrypts
    with pytest.raises(ConfigurationError) as err:
        mapping.get("OPENAI_API_KEY")
    assert err.value.code == "secret_key_mismatch"


# ---------------------------------------------------------- migration ---


def test_the_secret_migration_follows_the_initial_one():
    script = ScriptDirectory.from_config(alembic_config())
    revision = script.get_revision("0002_secrets")
    assert revision.down_revision == "0001"


def test_downgrading_past_secrets_drops_only_the_secret_table(db_url: str, key: SecretKey):
    with open_store(db_url) as opened:
        graph = opened.create_graph("Kept")
        SecretStore(opened, key).set_secret("SHOP_API_TOKEN", VALUE)
    db = Database(db_url)
    try:
        cfg = alembic_config()
        with db.write_connection() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001")
        assert "secret" not in sa.inspect(db.engine).get_table_names()
    finally:
        db.dispose()
    with open_store(db_url) as reopened:
        assert reopened.get_graph(graph.id).name == "Kept"
        assert SecretStore(reopened, key).list_secrets() == []
