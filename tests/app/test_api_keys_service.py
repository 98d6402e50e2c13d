"""API keys as the settings page creates, lists and revokes them, on a real SQLite store.

The service (``app.services.api_keys``) and the section's state (``ApiKeysState``):
a new key is returned once and verifies; rows carry only its prefix; scope, expiry
and limits come from the form with plain-words errors that save nothing; a revoked
key is refused at once. The state holds the key only while its dialog is open.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from agent_runtime.access import ApiKeys
from agent_runtime.errors import AccessError, NotFoundError, OrchestrallError
from agent_runtime.settings import get_settings
from agent_runtime.store._tables import ApiKeyRow
from app.pages.settings_api_keys_state import ApiKeysState
from app.pages.settings_state import SettingsState
from app.services import api_keys as service
from app.services import graphs


def _keys() -> ApiKeys:
    return ApiKeys(graphs.get_store())


def _set_expiry(key_id: str, when: datetime) -> None:
    """Move a key's expiry (the service refuses past dates, so tests reach into the table)."""
    with graphs.get_store().database.write() as s:
        s.execute(sa.update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(expires_at=when))


# ------------------------------------------------------------- service ---


def test_a_fresh_install_has_no_keys_and_lists_graphs_by_name(data_dir: Path) -> None:
    b = graphs.get_store().create_graph("beta").id
    a = graphs.get_store().create_graph("Alpha").id

    view = service.load_api_keys()

    assert view.keys == []
    assert [(g.id, g.name) for g in view.graphs] == [(a, "Alpha"), (b, "beta")]
    assert (view.default_per_minute, view.default_concurrent_runs) == (60, 4)


def test_a_new_key_is_returned_once_and_verifies(data_dir: Path) -> None:
    made = service.create_api_key({"name": "  CRM   bot ", "scope": "all"})

    assert made.key.startswith(made.row.prefix + "_") and made.row.prefix.startswith("orch_")
    assert made.key not in repr(made)
    assert made.row.name == "CRM bot" and made.row.scope == "All graphs"
    assert made.row.state == "active" and made.row.expires_at == made.row.expires_on == ""
    assert made.row.last_used_at == ""
    assert made.row.limits == "60/min (default) · 4 runs (default) at once"
    verified = _keys().verify(made.key)
    assert verified.id == made.row.id and verified.allows("any-graph")

    view = service.load_api_keys()
    assert [k.id for k in view.keys] == [made.row.id]
    assert made.key not in json.dumps([vars(k) for k in view.keys])
    assert view.keys[0].last_used_at != ""  # the verify above used it


def test_a_key_scoped_to_graphs_names_them_and_allows_only_them(data_dir: Path) -> None:
    store = graphs.get_store()
    crm, faq, other = (store.create_graph(n).id for n in ("CRM", "FAQ", "Other"))

    made = service.create_api_key(
        {"name": "two", "scope": "graphs", f"graph:{faq}": "on", f"graph:{crm}": "on"}
    )

    assert made.row.scope in ("CRM, FAQ", "FAQ, CRM")
    key = _keys().verify(made.key)
    assert key.allows(crm) and key.allows(faq) and not key.allows(other)

    graphs.delete_graph(faq)
    (row,) = service.load_api_keys().keys
    assert sorted(row.scope.split(", ")) == ["(deleted graph)", "CRM"]


def test_an_expiry_date_means_the_end_of_that_day_utc(data_dir: Path) -> None:
    now = datetime(2031, 3, 4, 23, 30, tzinfo=UTC)
    today = service.create_api_key({"name": "t", "expires_on": "2031-03-04"}, now=now)
    later = service.create_api_key({"name": "l", "expires_on": "2031-12-31"}, now=now)

    assert today.row.expires_at == "2031-03-05T00:00:00+00:00"
    assert later.row.expires_at == "2032-01-01T00:00:00+00:00"
    assert (today.row.expires_on, later.row.expires_on) == ("4 Mar 2031", "31 Dec 2031")

    _set_expiry(today.row.id, datetime.now(UTC) - timedelta(seconds=1))
    states = {k.name: k.state for k in service.load_api_keys().keys}
    assert states == {"t": "expired", "l": "active"}
    with pytest.raises(AccessError, match="expired") as err:
        _keys().verify(today.key)
    assert err.value.code == "unauthorized"


@pytest.mark.parametrize(
    ("form", "code", "message"),
    [
        ({"name": "   "}, "bad_key_name", "Give the key a name"),
        ({"name": "x" * 101}, "bad_key_name", "1 to 100 characters"),
        ({"name": "k", "expires_on": "31/12/2030"}, "bad_key_expiry", "a date like 2030-12-31"),
        ({"name": "k", "expires_on": "2000-01-01"}, "bad_key_expiry", "has passed"),
        ({"name": "k", "per_minute": "0"}, "bad_limit", "requests per minute must be"),
        ({"name": "k", "per_minute": "1.5"}, "bad_limit", "whole number"),
        ({"name": "k", "concurrent_runs": "100001"}, "bad_limit", "number of runs at once"),
        ({"name": "k", "scope": "graphs"}, "bad_key_scope", "Choose at least one graph"),
        ({"name": "k", "scope": "graphs", "graph:nope": "on"}, "bad_key_scope", "no longer"),
        ({"name": "k", "scope": "some"}, "bad_key_scope", "Unknown scope"),
    ],
)
def test_bad_input_is_refused_in_plain_words_and_saves_nothing(
    data_dir: Path, form: dict, code: str, message: str
) -> None:
    with pytest.raises(OrchestrallError, match=message) as err:
        service.create_api_key(form)

    assert err.value.code == code
    assert service.load_api_keys().keys == []


def test_limits_given_are_kept_and_shown(data_dir: Path) -> None:
    made = service.create_api_key({"name": "k", "per_minute": " 5 ", "concurrent_runs": "1"})

    key = _keys().verify(made.key)
    assert (key.per_minute, key.concurrent_runs) == (5, 1)
    assert made.row.limits == "5/min · 1 run at once"


def test_the_default_limits_follow_the_settings(data_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("ORCHESTRALL_API_REQUESTS_PER_MINUTE", "7")
    get_settings.cache_clear()

    view = service.load_api_keys()
    made = service.create_api_key({"name": "k"})

    assert view.default_per_minute == 7
    assert made.row.limits.startswith("7/min (default)")


def test_a_revoked_key_is_refused_at_once_and_stays_listed(data_dir: Path) -> None:
    made = service.create_api_key({"name": "gone"})
    kept = service.create_api_key({"name": "kept"})
    _keys().verify(made.key)

    row = service.revoke_api_key(made.row.id)

    assert row.state == "revoked"
    with pytest.raises(AccessError, match="revoked") as err:
        _keys().verify(made.key)
    assert err.value.code == "unauthorized"
    assert _keys().verify(kept.key).name == "kept"
    states = {k.name: k.state for k in service.load_api_keys().keys}
    assert states == {"gone": "revoked", "kept": "active"}
    assert service.revoke_api_key(made.row.id).state == "revoked"  # twice is harmless
    with pytest.raises(NotFoundError):
        service.revoke_api_key("no-such-key")


def test_keys_are_listed_newest_first(data_dir: Path) -> None:
    names = [service.create_api_key({"name": n}).row.name for n in ("one", "two", "three")]

    assert [k.name for k in service.load_api_keys().keys] == names[::-1]


def test_the_expiry_cannot_be_yesterday_but_can_be_today(data_dir: Path) -> None:
    today = datetime.now(UTC).date()

    made = service.create_api_key({"name": "k", "expires_on": today.isoformat()})

    assert made.row.state == "active"
    with pytest.raises(AccessError):
        service.create_api_key({"name": "k", "expires_on": (today - timedelta(days=1)).isoformat()})


# --------------------------------------------------------------- state ---


def _client_text(state: ApiKeysState) -> str:
    """Everything the browser could get from this state, plus its pickled form."""
    return json.dumps(state.dict(), default=str) + repr(state._serialize())


def _loaded() -> ApiKeysState:
    state = ApiKeysState()
    state.load_api_keys()
    return state


def test_the_settings_page_load_also_loads_the_keys(data_dir: Path) -> None:
    event = SettingsState().load_settings()

    assert "load_api_keys" in str(event)


def test_a_new_key_is_in_the_state_only_while_its_dialog_is_open(data_dir: Path) -> None:
    state = _loaded()
    form = {"name": "bot", "per_minute": "10"}

    state.create_key(form)

    assert form == {}  # the handler dropped the submitted form
    key = state.new_key
    assert state.showing_new_key and key.startswith(state.new_key_prefix + "_")
    assert state.new_key_name == "bot" and state.form_error == ""
    assert [k.prefix for k in state.keys] == [state.new_key_prefix]
    assert _keys().verify(key).name == "bot"

    state.new_key_dialog_changed(False)

    assert not state.showing_new_key and key not in _client_text(state)
    assert state.keys[0].prefix in _client_text(state)


def test_a_reload_drops_a_key_still_on_show(data_dir: Path) -> None:
    state = _loaded()
    state.create_key({"name": "bot"})
    key = state.new_key

    state.load_api_keys()

    assert key and key not in _client_text(state)


def test_a_bad_form_keeps_what_was_typed_and_says_why(data_dir: Path) -> None:
    gid = graphs.get_store().create_graph("Support").id
    state = _loaded()
    version = state.form_version
    state.set_scope("graphs")

    state.create_key({"name": "bot", "per_minute": "0", f"graph:{gid}": "on"})

    assert state.form_error.startswith("The requests per minute must be")
    assert (state.form_name, state.form_per_minute, state.form_graph_ids) == ("bot", "0", [gid])
    assert state.scope == "graphs" and state.form_version > version
    assert state.keys == [] and not state.showing_new_key

    state.create_key({"name": "bot", f"graph:{gid}": "on"})

    assert state.form_error == "" and state.scope == "all"
    assert state.keys[0].scope == "Support"


def test_revoking_asks_first_then_marks_the_key_revoked(data_dir: Path) -> None:
    state = _loaded()
    state.create_key({"name": "bot"})
    key, key_id = state.new_key, state.keys[0].id
    state.close_new_key()

    state.ask_revoke(key_id)
    assert state.confirming_revoke and state.revoke_name == "bot"
    state.revoke_dialog_changed(False)  # Cancel
    assert not state.confirming_revoke and state.keys[0].state == "active"

    state.ask_revoke(key_id)
    toast = state.revoke_key()

    assert "Revoked bot" in str(toast)
    assert state.keys[0].state == "revoked" and not state.confirming_revoke
    with pytest.raises(AccessError):
        _keys().verify(key)
