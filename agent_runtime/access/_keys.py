"""``ApiKeys``: API keys stored hashed, named, scoped, expiring and revocable.

    keys = ApiKeys(store)
    made, secret = keys.create("CRM bot", graph_ids=["g1"], expires_at=None)  # secret: once
    key = keys.verify(secret)            # ApiKey, or AccessError (unauthorized)
    key.allows("g1")                     # scope: every graph (graph_ids None) or a list
    keys.revoke(made.id)                 # refused at once, on every worker

A key is ``orch_<8 id chars>_<43 random chars>`` (256 bits of randomness). Only
its sha256 is stored, and a ``prefix`` (``orch_<id chars>``) to recognise it in
the list. Verifying hashes the presented key and looks the hash up (an index,
one query), so revocation and expiry act on the next request. ``last_used_at``
is written at most once a minute per key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import threading
import time
from datetime import datetime

import sqlalchemy as sa

from agent_runtime.errors import AccessError, NotFoundError, StoreError
from agent_runtime.store import Store
from agent_runtime.store._tables import ApiKeyRow, new_id, utcnow

__all__ = ["KEY_PREFIX", "ApiKey", "ApiKeys"]

KEY_PREFIX = "orch_"
_TOUCH_EVERY_S = 60.0
MAX_NAME = 100


@dataclasses.dataclass(frozen=True)
class ApiKey:
    """A key as listed and as a request's caller: never the key itself."""

    id: str
    name: str
    prefix: str
    graph_ids: tuple[str, ...] | None
    """None: every graph."""
    per_minute: int | None
    concurrent_runs: int | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def allows(self, graph_id: str) -> bool:
        return self.graph_ids is None or graph_id in self.graph_ids

    def state(self, now: datetime | None = None) -> str:
        """``active``, ``revoked`` or ``expired``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or utcnow()):
            return "expired"
        return "active"


def _record(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        graph_ids=tuple(row.graph_ids) if row.graph_ids is not None else None,
        per_minute=row.per_minute,
        concurrent_runs=row.concurrent_runs,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeys:
    """The API keys in a store's database (thread-safe)."""

    def __init__(self, store: Store) -> None:
        self._db = store.database
        self._touched: dict[str, float] = {}
        self._lock = threading.Lock()

    def create(
        self,
        name: str,
        *,
        graph_ids: list[str] | None = None,
        expires_at: datetime | None = None,
        per_minute: int | None = None,
        concurrent_runs: int | None = None,
    ) -> tuple[ApiKey, str]:
        """A new key: its record and the key itself, which is never shown again."""
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME:
            raise AccessError(
                f"An API key needs a name of 1 to {MAX_NAME} characters.", code="bad_key_name"
            )
        if expires_at is not None and expires_at <= utcnow():
            raise AccessError("The expiry must be in the future.", code="bad_key_expiry")
        for label, value in (("requests per minute", per_minute), ("runs", concurrent_runs)):
            if value is not None and not 1 <= value <= 100_000:
                raise AccessError(f"The limit of {label} must be 1 to 100000.", code="bad_limit")
        key_id = new_id()
        visible = key_id[:8]
        key = f"{KEY_PREFIX}{visible}_{secrets.token_urlsafe(32)}"
        row = ApiKeyRow(
            id=key_id,
            name=name,
            prefix=f"{KEY_PREFIX}{visible}",
            key_hash=_hash(key),
            graph_ids=sorted(set(graph_ids)) if graph_ids is not None else None,
            per_minute=per_minute,
            concurrent_runs=concurrent_runs,
            created_at=utcnow(),
            expires_at=expires_at,
        )
        with self._db.write() as s:
            s.add(row)
            s.flush()
            made = _record(row)
        return made, key

    def list(self) -> list[ApiKey]:
        """Every key, newest first (revoked and expired ones too)."""
        with self._db.read() as s:
            rows = s.scalars(sa.select(ApiKeyRow).order_by(ApiKeyRow.created_at.desc())).all()
            return [_record(r) for r in rows]

    def get(self, key_id: str) -> ApiKey:
        with self._db.read() as s:
            row = s.get(ApiKeyRow, key_id)
            if row is None:
                raise NotFoundError(f"There is no API key {key_id!r}.", code="key_not_found")
            return _record(row)

    def revoke(self, key_id: str) -> ApiKey:
        """Refuse the key from now on (keeping it listed as revoked)."""
        with self._db.write() as s:
            row = s.get(ApiKeyRow, key_id)
            if row is None:
                raise NotFoundError(f"There is no API key {key_id!r}.", code="key_not_found")
            if row.revoked_at is None:
                row.revoked_at = utcnow()
                s.add(row)
            s.flush()
            return _record(row)

    def verify(self, presented: str | None) -> ApiKey:
        """The key's record if ``presented`` is a valid key; ``AccessError`` otherwise.

        The message says what is wrong (missing, unknown, revoked, expired) without
        echoing the presented value.
        """
        if not presented:
            raise AccessError(
                "An API key is needed: send it as 'Authorization: Bearer <key>'.",
                code="unauthorized",
            )
        if not presented.startswith(KEY_PREFIX) or len(presented) > 200:
            raise AccessError("That is not an Orchestrall API key.", code="unauthorized")
        with self._db.read() as s:
            row = s.scalars(sa.select(ApiKeyRow).where(ApiKeyRow.key_hash == _hash(presented)))
            found = row.first()
            key = _record(found) if found is not None else None
        if key is None:
            raise AccessError("This API key is not known here.", code="unauthorized")
        state = key.state()
        if state != "active":
            raise AccessError(f"This API key is {state}.", code="unauthorized")
        self._touch(key.id)
        return key

    def _touch(self, key_id: str) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._touched.get(key_id, -_TOUCH_EVERY_S) < _TOUCH_EVERY_S:
                return
            self._touched[key_id] = now
        try:
            with self._db.write() as s:
                s.execute(
                    sa.update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(last_used_at=utcnow())
                )
        except StoreError:  # a busy database must not fail the request itself
            with self._lock:
                self._touched.pop(key_id, None)
