"""``StoredSecrets``: the read-only ``Mapping`` a run gets its secret values from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from agent_runtime.secrets._env import EnvSecrets, is_secret_name
from agent_runtime.secrets._key import load_secret_key
from agent_runtime.secrets._store import SecretStore
from agent_runtime.settings import Settings
from agent_runtime.store import Store

__all__ = ["StoredSecrets", "stored_secrets"]


class StoredSecrets(Mapping[str, str]):
    """Secrets by name: stored (encrypted) ones first, then ``fallback`` (the environment).

    Each lookup decrypts on access; nothing is cached or listed with values. A value
    saved under another key raises ``ConfigurationError(code="secret_key_mismatch")``
    rather than looking missing. ``in`` and iteration never decrypt.
    """

    def __init__(self, secrets: SecretStore, fallback: Mapping[str, str] | None = None) -> None:
        self._secrets = secrets
        self._fallback: Mapping[str, str] = EnvSecrets() if fallback is None else fallback

    def __getitem__(self, name: str) -> str:
        if not is_secret_name(name):
            raise KeyError(name)
        value = self._secrets.reveal(name)
        if value is None:
            return self._fallback[name]
        return value

    def __contains__(self, name: object) -> bool:
        if not is_secret_name(name):
            return False
        return self._secrets.info(str(name)) is not None or name in self._fallback

    def __iter__(self) -> Iterator[str]:
        stored = self._secrets.names()
        seen = set(stored)
        yield from stored
        yield from (name for name in self._fallback if name not in seen)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return "StoredSecrets(<hidden>)"


def stored_secrets(store: Store, settings: Settings) -> StoredSecrets:
    """The secrets for runs of this installation: ``store``'s, then the environment.

    The one line a runner (the app, the CLI, a worker) needs:
    ``Runtime(settings=..., store=store, secrets=stored_secrets(store, settings))``.
    """
    return StoredSecrets(SecretStore(store, load_secret_key(settings)), EnvSecrets())
