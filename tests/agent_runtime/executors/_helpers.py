"""Small async helpers shared by the executor tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

__all__ = ["check_stream", "collect", "eventually", "token_text"]


async def collect(stream: AsyncIterator[Any], timeout: float = 20) -> list[Any]:
    """Every event of a subscription, which must end within ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        return [event async for event in stream]


async def eventually(check: Callable[[], Any], timeout: float = 10, every: float = 0.02) -> Any:
    """Poll ``check`` (run in a thread) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = await asyncio.to_thread(check)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout} s: {check}")
        await asyncio.sleep(every)


def token_text(events: list[Any], node_id: str) -> str:
    return "".join(e.delta for e in events if e.type == "token" and e.node_id == node_id)


def check_stream(events: list[Any]) -> None:
    """What every subscriber must get: seqs rising without repeats, each node's tokens
    adding up to its output, one final event at the very end."""
    seqs = [e.seq for e in events if e.seq]
    assert seqs == sorted(set(seqs)), seqs
    for finished in (e for e in events if e.type == "node_finished" and e.node_id):
        tokens = token_text(events, finished.node_id)
        if tokens:
            assert tokens == finished.output, (finished.node_id, tokens, finished.output)
    finals = [e for e in events if e.type in ("run_finished", "run_failed", "run_cancelled")]
    assert finals in ([], [events[-1]]), [e.type for e in events]
