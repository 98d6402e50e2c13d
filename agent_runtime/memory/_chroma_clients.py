"""Chroma clients: a server over HTTP, or the embedded store under one owner process.

    chroma = open_client(settings)      # ChromaClient: .client, .where, .close()

- ``ORCHESTRALL_CHROMA_URL`` set: a Chroma server (``chroma run``) through
  ``chromadb.HttpClient``; any number of processes may use it.
- unset: Chroma's ``PersistentClient`` under ``<data_dir>/chroma``. Chroma is
  thread-safe but not process-safe, so one process owns that folder: the first
  to open it holds an exclusive ``flock`` on ``orchestrall-owner.lock`` until its
  last user closes; another process gets ``ConfigurationError`` (``chroma_busy``).
  Within the process, every user shares the one client.
- With a Celery broker configured, runs execute on workers in other processes,
  so the embedded store is refused (``chroma_server_required``).

chromadb is imported inside functions.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from agent_runtime.errors import ConfigurationError, StoreError
from agent_runtime.settings import Settings

__all__ = ["LOCK_FILE", "ChromaClient", "open_client"]

LOCK_FILE = "orchestrall-owner.lock"


@dataclass
class _Owned:
    client: Any
    lock: IO[str]
    pid: int
    users: int = 1


_embedded: dict[str, _Owned] = {}
_embedded_lock = threading.Lock()


class ChromaClient:
    """A Chroma client and where it points (``where``, for messages); ``close()`` releases it."""

    def __init__(self, client: Any, where: str, release: Callable[[], None]) -> None:
        self.client, self.where = client, where
        self._release: Callable[[], None] | None = release

    def close(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


def _open_embedded(path: Path) -> ChromaClient:
    key = str(path.resolve())
    with _embedded_lock:
        owned = _embedded.get(key)
        if owned is not None and owned.pid == os.getpid():
            owned.users += 1
        else:  # first use in this process (a forked child must take the lock itself)
            path.mkdir(parents=True, exist_ok=True)
            lock = (path / LOCK_FILE).open("a+")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                holder = lock.read().strip() or "another process"
                lock.close()
                raise ConfigurationError(
                    f"The embedded Chroma store in {path} is in use by process {holder}. "
                    "Embedded Chroma is not process-safe: stop that process, or run a Chroma "
                    f"server (chroma run --path {path}) and set ORCHESTRALL_CHROMA_URL for "
                    "every process.",
                    code="chroma_busy",
                ) from None
            lock.seek(0)
            lock.truncate()
            lock.write(str(os.getpid()))
            lock.flush()
            try:
                import chromadb

                client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
            except Exception:
                lock.close()
                raise
            owned = _embedded[key] = _Owned(client, lock, os.getpid())

    def release() -> None:
        with _embedded_lock:
            owned.users -= 1
            if owned.users == 0 and _embedded.get(key) is owned:
                del _embedded[key]
                owned.client.close()
                owned.lock.close()  # releases the flock

    return ChromaClient(owned.client, str(path), release)


def _close_http(client: Any) -> None:
    # chromadb's HttpClient.close() leaves its httpx session open (ResourceWarning):
    # close the sessions it holds too.
    for holder in (client, getattr(client, "_admin_client", None)):
        session = getattr(getattr(holder, "_server", None), "_session", None)
        with contextlib.suppress(Exception):
            session.close()
    client.close()


def _open_server(url: str) -> ChromaClient:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ConfigurationError(
            f"ORCHESTRALL_CHROMA_URL must look like http://host:8000 (a `chroma run` server), "
            f"not {url!r}.",
            code="bad_chroma_url",
        )
    ssl = parts.scheme == "https"
    port = parts.port or (443 if ssl else 8000)
    import chromadb

    client = None
    try:
        client = chromadb.HttpClient(
            host=parts.hostname, port=port, ssl=ssl, settings=_chroma_settings()
        )
        client.heartbeat()
    except Exception as exc:
        if client is not None:
            _close_http(client)
        raise StoreError(
            f"The Chroma server at {url} cannot be reached ({type(exc).__name__}). Start it "
            "(chroma run --path <dir> --port <port>) or fix ORCHESTRALL_CHROMA_URL.",
            code="memory_unavailable",
        ) from exc
    return ChromaClient(client, url, lambda: _close_http(client))


def open_client(settings: Settings) -> ChromaClient:
    """The Chroma client ``settings`` ask for: the server, or the embedded store (one owner)."""
    if settings.chroma_url:
        return _open_server(settings.chroma_url)
    if settings.broker_url:
        raise ConfigurationError(
            "Runs execute on Celery workers (ORCHESTRALL_BROKER_URL is set), and embedded "
            "Chroma is not process-safe: run a Chroma server (chroma run --path <dir>) and set "
            "ORCHESTRALL_CHROMA_URL for the app and every worker.",
            code="chroma_server_required",
        )
    return _open_embedded(settings.chroma_path())
