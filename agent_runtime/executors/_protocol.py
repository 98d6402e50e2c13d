"""``RunExecutor``: what the app needs from whatever executes runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol, runtime_checkable

__all__ = ["RunExecutor"]


@runtime_checkable
class RunExecutor(Protocol):
    """Executes stored runs somewhere and streams their events back.

    Every method may be called from any thread; ``subscribe`` from any event loop.
    Runs are created first (``Runtime.start``); executors take run ids, never objects.
    """

    def submit(self, run_id: str, resume: Mapping[str, Any] | None = None) -> None:
        """Queue a run (or its resume with the person's answer); returns at once."""
        ...

    def cancel(self, run_id: str) -> None:
        """Ask for the run to stop; a queued or waiting run is cancelled at once.

        Returns at once; the run ends with ``run_cancelled``. Unknown run: ``NotFoundError``.
        A run that already ended is left alone.
        """
        ...

    def subscribe(self, run_id: str, after_seq: int = 0) -> AsyncIterator[Any]:
        """Every event after ``after_seq``: the stored ones first, then live ones as they happen.

        Live token deltas have seq 0; what was stored before arrives as stored (tokens
        coalesced). Ends after the run's final event or an interrupt.
        """
        ...

    def close(self) -> None:
        """Release threads and connections; runs this process executes are cancelled."""
        ...
