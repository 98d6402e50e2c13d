"""``SecretStore``: named secrets, encrypted in the store's ``secret`` table.

Values go in through ``set_secret`` and come out only through ``reveal`` (for a
run, via ``StoredSecrets``, or a connection test). Listing gives names, masked
hints and times, never values. Error messages never contain a value, and not the
offered name either when it is invalid (a value pasted into the name field).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from agent_runtime.errors import ConfigurationError, NotFoundError, StoreError
from agent_runtime.secrets._env import is_secret_name
from agent_runtime.secrets._key import InvalidToken, SecretKey
from agent_runtime.store import Store
from agent_runtime.store._db import Database
from agent_runtime.store._tables import SecretRow, utcnow

__all__ = ["MAX_SECRET_LENGTH", "SecretInfo", "SecretStore", "mask_secret"]

MAX_SECRET_LENGTH = 8192
MASK = "••••"
HINT_MIN_LENGTH = 12
"""Values this long or longer show their last 4 characters in the hint; shorter ones none."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def mask_secret(value: str) -> str:
    """``••••1a2b`` (last 4 characters) for values of 12+ characters, else ``••••••••``."""
    return MASK + value[-4:] if len(value) >= HINT_MIN_LENGTH else MASK * 2


@dataclasses.dataclass(frozen=True)
class SecretInfo:
    """What may be shown about a secret: never its value.

    ``readable`` is False when the value was encrypted with another key than the
    one in force (it must be entered again, or the old key restored).
    """

    name: str
    hint: str
    updated_at: datetime
    readable: bool = True


def _check_name(name: object) -> str:
    if not is_secret_name(name):
        raise StoreError(
            "A secret name is a capital letter followed by 1 to 63 capital letters, digits "
            "or underscores, like SHOP_API_TOKEN.",
            code="invalid_secret_name",
        )
    return str(name)


def _clean_value(value: object) -> str:
    """The value without surrounding whitespace (pasted keys often end in a newline)."""
    cleaned = value.strip() if isinstance(value, str) else ""
    if not cleaned:
        raise StoreError("A secret needs a non-empty value.", code="invalid_secret_value")
    if len(cleaned) > MAX_SECRET_LENGTH:
        raise StoreError(
            f"A secret can have at most {MAX_SECRET_LENGTH} characters.",
            code="invalid_secret_value",
        )
    if _CONTROL.search(cleaned):
        raise StoreError(
            "A secret cannot contain line breaks or other control characters.",
            code="invalid_secret_value",
        )
    return cleaned


class SecretStore:
    """Named secrets encrypted with ``key`` in the ``secret`` table of ``store``.

    Thread-safe like the store: one short session per call.
    """

    def __init__(self, store: Store | Database, key: SecretKey) -> None:
        self._db = store if isinstance(store, Database) else store._db
        self._key = key

    @property
    def key_id(self) -> str:
        """The id of the key in force (not the key)."""
        return self._key.id

    def _info(self, row: SecretRow) -> SecretInfo:
        return SecretInfo(
            name=row.name,
            hint=row.hint,
            updated_at=row.updated_at,
            readable=row.key_id == self._key.id,
        )

    def set_secret(self, name: str, value: str) -> SecretInfo:
        """Add or replace the secret ``name``; returns its info (hint, time), never the value."""
        name, value = _check_name(name), _clean_value(value)
        now = utcnow()
        fields = {
            "ciphertext": self._key.encrypt(value),
            "hint": mask_secret(value),
            "key_id": self._key.id,
            "updated_at": now,
        }
        insert = pg_insert if self._db.dialect == "postgresql" else sqlite_insert
        statement = (
            insert(SecretRow)
            .values(name=name, created_at=now, **fields)
            .on_conflict_do_update(index_elements=["name"], set_=fields)
        )
        with self._db.write() as session:
            session.execute(statement)
        return SecretInfo(name=name, hint=fields["hint"], updated_at=now)

    def delete_secret(self, name: str) -> None:
        """Delete the secret ``name``; an unknown name raises ``NotFoundError``."""
        name = _check_name(name)
        with self._db.write() as session:
            result = session.execute(sa.delete(SecretRow).where(SecretRow.name == name))
            if result.rowcount == 0:
                raise NotFoundError(f"There is no secret named {name}.")

    def list_secrets(self) -> list[SecretInfo]:
        """Every stored secret's name, hint and time, by name. No values."""
        with self._db.read() as session:
            rows = session.scalars(sa.select(SecretRow).order_by(SecretRow.name)).all()
            return [self._info(row) for row in rows]

    def info(self, name: str) -> SecretInfo | None:
        """The info of one secret, or None if there is no such secret (or the name is invalid)."""
        if not is_secret_name(name):
            return None
        with self._db.read() as session:
            row = session.get(SecretRow, name)
            return None if row is None else self._info(row)

    def names(self) -> list[str]:
        """The stored secrets' names, sorted."""
        with self._db.read() as session:
            return list(session.scalars(sa.select(SecretRow.name).order_by(SecretRow.name)))

    def reveal(self, name: str) -> str | None:
        """The decrypted value of ``name``, or None if it is not stored.

        A value saved under another key raises ``ConfigurationError(code="secret_key_mismatch")``.
        """
        if not is_secret_name(name):
            return None
        with self._db.read() as session:
            row = session.get(SecretRow, name)
            if row is None:
                return None
            token, key_id = row.ciphertext, row.key_id
        try:
            return self._key.decrypt(token)
        except InvalidToken:
            raise self._mismatch(name, key_id) from None

    def reencrypt(self, old_key: SecretKey) -> int:
        """Re-encrypt every secret saved under ``old_key`` with the key in force (rotation).

        Returns how many were re-encrypted. Values under neither key are left alone.
        """
        count = 0
        with self._db.write() as session:
            rows = session.scalars(
                sa.select(SecretRow).where(SecretRow.key_id == old_key.id).with_for_update()
            ).all()
            for row in rows:
                try:
                    value = old_key.decrypt(row.ciphertext)
                except InvalidToken:
                    continue
                row.ciphertext, row.key_id = self._key.encrypt(value), self._key.id
                count += 1
        return count

    def _mismatch(self, name: str, key_id: str) -> ConfigurationError:
        if key_id != self._key.id:
            why = "it was saved under another secret key than the one in force"
        else:
            why = "its stored value does not match the secret key in force"
        return ConfigurationError(
            f"The secret {name} cannot be decrypted: {why} (from {self._key.source}). "
            "Restore the key it was saved with (ORCHESTRALL_SECRET_KEY or the data dir's "
            "secret.key), or enter the secret again. See docs/secrets.md.",
            code="secret_key_mismatch",
        )

    def __repr__(self) -> str:
        return f"SecretStore({self._db.url.render_as_string(hide_password=True)!r}, {self._key!r})"
