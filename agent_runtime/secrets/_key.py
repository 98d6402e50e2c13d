"""The installation's secret key: a Fernet key from ``ORCHESTRALL_SECRET_KEY`` or a key file.

Without ``ORCHESTRALL_SECRET_KEY``, the first start writes a fresh key to
``<data_dir>/secret.key`` (mode 0600, created atomically so two processes
starting together end up with the same key) and later starts read it back.

A ``SecretKey`` never shows its key: its repr names only where it came from and
a short id (an HMAC of the key, so it reveals nothing about it), and it refuses
to be pickled, so it cannot end up in a Reflex state or a Celery message.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import logging
import os
import stat
import uuid
from pathlib import Path
from typing import NoReturn

from cryptography.fernet import Fernet, InvalidToken

from agent_runtime.errors import ConfigurationError
from agent_runtime.settings import Settings

__all__ = ["KEY_ENV_VAR", "KEY_FILE_NAME", "InvalidToken", "SecretKey", "load_secret_key"]

logger = logging.getLogger("agent_runtime.secrets")

KEY_FILE_NAME = "secret.key"
KEY_ENV_VAR = "ORCHESTRALL_SECRET_KEY"
_KEY_ID_LABEL = b"orchestrall/secret-key-id/v1"
_GENERATE_HINT = (
    'generate one with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


class SecretKey:
    """A Fernet key that encrypts and decrypts secret values; it is never shown or pickled.

    ``id`` identifies the key (16 hex digits of an HMAC keyed with it) so stored
    values can say which key they were encrypted with. ``source`` says where the
    key came from, for error messages (``ORCHESTRALL_SECRET_KEY`` or the file path).
    """

    __slots__ = ("_fernet", "id", "source")

    def __init__(self, key: str | bytes, *, source: str = "given key") -> None:
        raw = _decode(key, source)
        self._fernet = Fernet(base64.urlsafe_b64encode(raw))
        self.id = hmac.new(raw, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]
        self.source = source

    @classmethod
    def generate(cls, *, source: str = "generated key") -> SecretKey:
        """A new random key, in memory only."""
        return cls(Fernet.generate_key(), source=source)

    def encrypt(self, value: str) -> str:
        """A Fernet token (ASCII) for ``value``; a new random IV each time."""
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The value in ``token``; ``InvalidToken`` for another key or a damaged token."""
        return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")

    def __repr__(self) -> str:
        return f"SecretKey(id={self.id!r}, source={self.source!r})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("A SecretKey cannot be pickled: load it where it is needed.")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretKey) and hmac.compare_digest(self.id, other.id)

    def __hash__(self) -> int:
        return hash(self.id)


def _decode(key: str | bytes, source: str) -> bytes:
    """The 32 raw bytes of a url-safe base64 key; anything else is a clear ConfigurationError."""
    text = key.decode("ascii", "replace") if isinstance(key, bytes) else str(key)
    text = text.strip()
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != 32:
        # Never echo the key (or what was given as one) in the message.
        raise ConfigurationError(
            f"The secret key from {source} is not a Fernet key (32 url-safe base64-encoded "
            f"bytes); {_GENERATE_HINT}",
            code="bad_secret_key",
        )
    return raw


def load_secret_key(settings: Settings) -> SecretKey:
    """The key in force: ``ORCHESTRALL_SECRET_KEY`` if set, else ``<data_dir>/secret.key``.

    The key file is created (0600) on first use. A key that is not a Fernet key
    raises ``ConfigurationError(code="bad_secret_key")``.
    """
    if settings.secret_key is not None:
        return SecretKey(settings.secret_key.get_secret_value(), source=KEY_ENV_VAR)
    return _key_file(settings.ensure_data_dir() / KEY_FILE_NAME)


def _key_file(path: Path) -> SecretKey:
    source = str(path)
    try:
        text = path.read_text("ascii", errors="replace")
    except FileNotFoundError:
        _create_key_file(path)
        text = path.read_text("ascii", errors="replace")
    except OSError as e:
        raise ConfigurationError(
            f"Cannot read the secret key file {source}: {e.strerror or e}", code="bad_secret_key"
        ) from None
    _warn_if_shared(path)
    return SecretKey(text, source=source)


def _create_key_file(path: Path) -> None:
    """Write a new key to ``path`` (0600) unless another process wrote one first.

    The key goes to a private temporary file that is then hard-linked into place:
    the link fails if ``path`` exists, so the first writer wins and nobody ever
    reads a half-written file.
    """
    key = Fernet.generate_key() + b"\n"
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(key)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return  # another process created it first: use theirs
        except OSError:  # no hard links on this filesystem: exclusive create instead
            with contextlib.suppress(FileExistsError):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(key)
        logger.info("Created a new secret key file at %s (mode 0600).", path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _warn_if_shared(path: Path) -> None:
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            logger.warning(
                "The secret key file %s can be read by other users (mode %o); run: chmod 600 %s",
                path,
                mode,
                path,
            )
