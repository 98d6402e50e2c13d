"""API keys as the settings page shows, creates and revokes them.

    view = load_api_keys()              # ApiKeysView: rows (never a key), graphs to scope to
    made = create_api_key(form)         # CreatedKey: its row and the key, shown once
    revoke_api_key(made.row.id)         # refused by the API from the next request on

The keys themselves live in ``agent_runtime.access.ApiKeys`` (only a sha256 is
stored); this module turns the page's form into a call to it and its records into
plain rows. ``CreatedKey.key`` is the one value here that is a secret: the page
shows it once and drops it. Bad input raises ``AccessError`` or
``ConfigurationError`` with a ``code`` and a message for the page, and saves nothing.

The expiry is a date: the key works through the end of that day, UTC.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from agent_runtime.access import ApiKey, ApiKeys
from agent_runtime.errors import AccessError, ConfigurationError
from agent_runtime.settings import get_settings
from app.services.graphs import get_store

__all__ = [
    "GRAPH_FIELD_PREFIX",
    "ApiKeyRow",
    "ApiKeysView",
    "CreatedKey",
    "GraphChoice",
    "create_api_key",
    "load_api_keys",
    "revoke_api_key",
]

GRAPH_FIELD_PREFIX = "graph:"
"""A scoped key's graphs come in the form as ``graph:<id>`` fields (checked boxes)."""
MAX_LIMIT = 100_000


@dataclasses.dataclass(frozen=True)
class ApiKeyRow:
    """One key as the list shows it: never the key, only its prefix."""

    id: str
    name: str
    prefix: str
    scope: str  # "All graphs", or the graphs' names
    limits: str  # "60/min · 4 runs", defaults marked
    state: str  # active | revoked | expired
    created_at: str  # ISO 8601 with offset; the browser shows it relative to now
    expires_at: str  # "" : never
    expires_on: str  # the last day it works, "26 Dec 2030" (UTC); "" : never
    last_used_at: str  # "" : never used


@dataclasses.dataclass(frozen=True)
class GraphChoice:
    """A graph a key can be scoped to."""

    id: str
    name: str


@dataclasses.dataclass(frozen=True)
class ApiKeysView:
    """The API keys section: the keys (newest first), the graphs, the default limits."""

    keys: list[ApiKeyRow]
    graphs: list[GraphChoice]
    default_per_minute: int
    default_concurrent_runs: int


@dataclasses.dataclass(frozen=True)
class CreatedKey:
    """A key just made: its row, and the key itself (shown once, never stored)."""

    row: ApiKeyRow
    key: str = dataclasses.field(repr=False)


def _keys() -> ApiKeys:
    return ApiKeys(get_store())


def _iso(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value is not None else ""


def _last_day(expires_at: datetime | None) -> str:
    """The last day a key works, as the form's date picker chose it (UTC)."""
    if expires_at is None:
        return ""
    moment = expires_at.astimezone(UTC)
    if moment.time() == time.min:  # the end of the day before: what the form sets
        moment -= timedelta(days=1)
    return f"{moment.day} {moment:%b %Y}"


def _scope(key: ApiKey, names: Mapping[str, str]) -> str:
    if key.graph_ids is None:
        return "All graphs"
    return ", ".join(names.get(g, "(deleted graph)") for g in key.graph_ids) or "No graphs"


def _limits(key: ApiKey) -> str:
    settings = get_settings()
    per_minute = key.per_minute or settings.api_requests_per_minute
    runs = key.concurrent_runs or settings.api_concurrent_runs
    per_minute_text = f"{per_minute}/min" + ("" if key.per_minute else " (default)")
    runs_text = f"{runs} run{'s' if runs != 1 else ''}" + (
        "" if key.concurrent_runs else " (default)"
    )
    return f"{per_minute_text} · {runs_text} at once"


def _row(key: ApiKey, names: Mapping[str, str]) -> ApiKeyRow:
    return ApiKeyRow(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        scope=_scope(key, names),
        limits=_limits(key),
        state=key.state(),
        created_at=_iso(key.created_at),
        expires_at=_iso(key.expires_at),
        expires_on=_last_day(key.expires_at),
        last_used_at=_iso(key.last_used_at),
    )


def _graph_names() -> dict[str, str]:
    return {g.id: g.name for g in get_store().list_graphs()}


def load_api_keys() -> ApiKeysView:
    """Every key (revoked and expired ones too, newest first) and the graphs to scope to."""
    names = _graph_names()
    settings = get_settings()
    return ApiKeysView(
        keys=[_row(k, names) for k in _keys().list()],
        graphs=sorted(
            (GraphChoice(id=i, name=n) for i, n in names.items()),
            key=lambda g: (g.name.casefold(), g.id),
        ),
        default_per_minute=settings.api_requests_per_minute,
        default_concurrent_runs=settings.api_concurrent_runs,
    )


# ------------------------------------------------------------- the form ---


def _text(form: Mapping[str, Any], field: str) -> str:
    value = form.get(field)
    return value.strip() if isinstance(value, str) else ""


def _limit(form: Mapping[str, Any], field: str, label: str) -> int | None:
    text = _text(form, field)
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise AccessError(
            f"The {label} must be a whole number from 1 to {MAX_LIMIT}, or empty for the default.",
            code="bad_limit",
        )
    return int(text)


def _expiry(form: Mapping[str, Any], today: date) -> datetime | None:
    """The end of the chosen day (UTC), or None; a past day is refused."""
    text = _text(form, "expires_on")
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise AccessError(
            "The expiry must be a date like 2030-12-31.", code="bad_key_expiry"
        ) from None
    if day < today:
        raise AccessError("The expiry date has passed: pick today or later.", code="bad_key_expiry")
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def _graph_ids(form: Mapping[str, Any], names: Mapping[str, str]) -> list[str] | None:
    scope = _text(form, "scope") or "all"
    if scope == "all":
        return None
    if scope != "graphs":
        raise ConfigurationError(f"Unknown scope {scope!r}.", code="bad_key_scope")
    chosen = [
        field.removeprefix(GRAPH_FIELD_PREFIX)
        for field, value in form.items()
        if isinstance(field, str) and field.startswith(GRAPH_FIELD_PREFIX) and value
    ]
    if not chosen:
        raise AccessError("Choose at least one graph, or allow all graphs.", code="bad_key_scope")
    unknown = [g for g in chosen if g not in names]
    if unknown:
        raise AccessError(
            "A chosen graph no longer exists: reload the page and choose again.",
            code="bad_key_scope",
        )
    return sorted(set(chosen))


def create_api_key(form: Mapping[str, Any], *, now: datetime | None = None) -> CreatedKey:
    """A new key from the page's form; the key is in the result once and never again.

    ``form``: ``name``; ``scope`` (``all`` or ``graphs``, then one ``graph:<id>``
    field per chosen graph); ``expires_on`` (``YYYY-MM-DD`` or empty: never);
    ``per_minute`` and ``concurrent_runs`` (whole numbers, or empty: the defaults).
    """
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    names = _graph_names()
    name = " ".join(_text(form, "name").split())
    if not name:
        raise AccessError(
            "Give the key a name, such as the app that will use it.", code="bad_key_name"
        )
    graph_ids = _graph_ids(form, names)
    expires_at = _expiry(form, today)
    per_minute = _limit(form, "per_minute", "requests per minute")
    concurrent_runs = _limit(form, "concurrent_runs", "number of runs at once")
    made, key = _keys().create(
        name,
        graph_ids=graph_ids,
        expires_at=expires_at,
        per_minute=per_minute,
        concurrent_runs=concurrent_runs,
    )
    return CreatedKey(row=_row(made, names), key=key)


def revoke_api_key(key_id: str) -> ApiKeyRow:
    """Refuse the key from the next request on; it stays listed as revoked."""
    return _row(_keys().revoke(key_id), _graph_names())
