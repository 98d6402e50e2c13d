"""``ApiKeys`` on SQLite and PostgreSQL: keys shown once and stored hashed, named, scoped,
expiring, revocable (refused at once, by every worker), last use recorded.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from agent_runtime.access import KEY_PREFIX, ApiKeys
from agent_runtime.errors import AccessError, NotFoundError
from agent_runtime.store import Store, open_store
from agent_runtime.store._tables import ApiKeyRow

KEY_SHAPE = re.compile(r"^orch_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$")


def _stored_text(store: Store) -> str:
    """Every column of every api_key row, as text."""
    with store.database.read() as s:
        rows = s.execute(sa.select(ApiKeyRow.__table__)).all()
    return repr([tuple(r) for r in rows])


def _set_expiry(store: Store, key_id: str, when: datetime) -> None:
    with store.database.write() as s:
        s.execute(sa.update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(expires_at=when))


def test_a_key_is_returned_once_and_only_its_hash_is_stored(store: Store) -> None:
    keys = ApiKeys(store)

    made, key = keys.create("CRM bot")

    assert KEY_SHAPE.match(key) and key.startswith(made.prefix + "_")
    assert made.prefix == f"{KEY_PREFIX}{made.id[:8]}"
    assert key not in repr(made) and key not in _stored_text(store)
    assert hashlib.sha256(key.encode()).hexdigest() in _stored_text(store)
    assert made.name == "CRM bot" and made.graph_ids is None and made.state() == "active"
    assert made.created_at.tzinfo is not None
    assert (made.expires_at, made.revoked_at, made.last_used_at) == (None, None, None)
    assert keys.verify(key).id == made.id


def test_every_key_is_different(store: Store) -> None:
    keys = ApiKeys(store)

    made = [keys.create(f"k{i}") for i in range(50)]

    assert len({key for _, key in made}) == 50
    assert len({record.prefix for record, _ in made}) == 50


@pytest.mark.parametrize(
    ("presented", "message"),
    [
        (None, "An API key is needed"),
        ("", "An API key is needed"),
        ("sk-not-ours-0123456789", "not an Orchestrall API key"),
        ("orch_" + "a" * 300, "not an Orchestrall API key"),
        ("orch_00000000_" + "b" * 43, "not known here"),
    ],
)
def test_a_missing_or_unknown_key_is_refused_without_echoing_it(
    store: Store, presented: str | None, message: str
) -> None:
    ApiKeys(store).create("real")

    with pytest.raises(AccessError, match=message) as err:
        ApiKeys(store).verify(presented)

    assert err.value.code == "unauthorized"
    assert not presented or presented not in err.value.message


def test_a_key_changed_by_one_character_is_refused(store: Store) -> None:
    keys = ApiKeys(store)
    _, key = keys.create("k")
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")

    with pytest.raises(AccessError, match="not known"):
        keys.verify(tampered)
    with pytest.raises(AccessError, match="not an Orchestrall API key"):
        keys.verify(key.upper())
    with pytest.raises(AccessError, match="not known"):
        keys.verify(key[:14] + key[14:].swapcase())


def test_a_revoked_key_is_refused_at_once_by_every_worker(store: Store, db_url: str) -> None:
    keys, other_worker = ApiKeys(store), ApiKeys(store)
    made, key = keys.create("leaving")
    _, kept = keys.create("staying")
    other_worker.verify(key)

    revoked = keys.revoke(made.id)

    assert revoked.state() == "revoked" and revoked.revoked_at is not None
    with pytest.raises(AccessError, match="This API key is revoked") as err:
        other_worker.verify(key)
    assert err.value.code == "unauthorized"
    with open_store(db_url) as second_process_store:  # its own engine and connections
        with pytest.raises(AccessError, match="revoked"):
            ApiKeys(second_process_store).verify(key)
        assert ApiKeys(second_process_store).verify(kept).name == "staying"
    assert keys.revoke(made.id).revoked_at == revoked.revoked_at  # revoking again changes nothing


def test_an_expired_key_is_refused(store: Store) -> None:
    keys = ApiKeys(store)
    made, key = keys.create("short", expires_at=datetime.now(UTC) + timedelta(hours=1))
    assert keys.verify(key).expires_at == made.expires_at

    _set_expiry(store, made.id, datetime.now(UTC) - timedelta(seconds=1))

    with pytest.raises(AccessError, match="This API key is expired"):
        keys.verify(key)
    assert keys.get(made.id).state() == "expired"
    assert keys.get(made.id).state(now=datetime.now(UTC) - timedelta(days=1)) == "active"


def test_a_revoked_key_says_revoked_even_when_also_expired(store: Store) -> None:
    keys = ApiKeys(store)
    made, _ = keys.create("both", expires_at=datetime.now(UTC) + timedelta(hours=1))
    keys.revoke(made.id)
    _set_expiry(store, made.id, datetime.now(UTC) - timedelta(seconds=1))

    assert keys.get(made.id).state() == "revoked"


def test_scope_is_every_graph_or_a_list(store: Store) -> None:
    keys = ApiKeys(store)
    every, _ = keys.create("all")
    some, key = keys.create("some", graph_ids=["g2", "g1", "g2"])

    assert every.allows("anything")
    assert some.graph_ids == ("g1", "g2")
    verified = keys.verify(key)
    assert verified.allows("g1") and verified.allows("g2") and not verified.allows("g3")
    none, _ = keys.create("none", graph_ids=[])
    assert not none.allows("g1")


def test_limits_are_kept_per_key(store: Store) -> None:
    keys = ApiKeys(store)
    _, key = keys.create("limited", per_minute=5, concurrent_runs=2)
    _, default = keys.create("default")

    assert (keys.verify(key).per_minute, keys.verify(key).concurrent_runs) == (5, 2)
    assert (keys.verify(default).per_minute, keys.verify(default).concurrent_runs) == (None, None)


@pytest.mark.parametrize(
    ("name", "options", "code"),
    [
        ("   ", {}, "bad_key_name"),
        ("x" * 101, {}, "bad_key_name"),
        ("k", {"expires_at": datetime.now(UTC) - timedelta(minutes=1)}, "bad_key_expiry"),
        ("k", {"per_minute": 0}, "bad_limit"),
        ("k", {"concurrent_runs": 100_001}, "bad_limit"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    store: Store, name: str, options: dict, code: str
) -> None:
    with pytest.raises(AccessError) as err:
        ApiKeys(store).create(name, **options)

    assert err.value.code == code
    assert ApiKeys(store).list() == []


def test_names_are_tidied(store: Store) -> None:
    made, _ = ApiKeys(store).create("  CRM \n  bot ")

    assert made.name == "CRM bot"


def test_the_list_is_newest_first_with_revoked_and_expired_keys(store: Store) -> None:
    keys = ApiKeys(store)
    keys.create("first")
    second, _ = keys.create("second", expires_at=datetime.now(UTC) + timedelta(days=1))
    third, _ = keys.create("third")
    keys.revoke(third.id)
    _set_expiry(store, second.id, datetime.now(UTC) - timedelta(seconds=1))

    listed = keys.list()

    assert [(k.name, k.state()) for k in listed] == [
        ("third", "revoked"),
        ("second", "expired"),
        ("first", "active"),
    ]


def test_unknown_ids_are_not_found(store: Store) -> None:
    keys = ApiKeys(store)

    for call in (keys.get, keys.revoke):
        with pytest.raises(NotFoundError) as err:
            call("no-such-id")
        assert err.value.code == "key_not_found"


def test_last_use_is_recorded_at_most_once_a_minute(store: Store) -> None:
    keys = ApiKeys(store)
    made, key = keys.create("used")
    assert keys.get(made.id).last_used_at is None

    keys.verify(key)
    first = keys.get(made.id).last_used_at
    keys.verify(key)

    assert first is not None and abs(first - datetime.now(UTC)) < timedelta(minutes=1)
    assert keys.get(made.id).last_used_at == first  # the second use within a minute: no write
