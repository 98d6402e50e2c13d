"""A run's events as Server-Sent Events, resumable from any event id without loss or repeat.

Each SSE message is ``id: <position>``, ``event: <type>``, ``data: <the event as JSON>``.
A stored event's position is its ``seq``. A live token delta has no seq yet (its text
is stored later, coalesced into ``token`` events), so its position is
``<seq>:<chars>``: the last stored event delivered, and how many characters of token
text have been delivered after it. Stored token events after ``seq``, joined in order,
are exactly the deltas streamed after it, so resuming from ``<seq>:<chars>`` replays
the events after ``seq`` and skips the first ``chars`` characters of their token text.
A reconnecting client sends its last id as ``Last-Event-ID`` (browsers do) or ``?after=``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.responses import StreamingResponse

from agent_runtime.errors import OrchestrallError
from app.api.v1._errors import api_error_from, internal_error
from app.services import api_runs

__all__ = ["KEEPALIVE_S", "Position", "event_json", "sse_message", "sse_response"]

logger = logging.getLogger("orchestrall.api")

KEEPALIVE_S = 15.0
_RETRY_MS = 2000
_POSITION = re.compile(r"^(\d{1,12})(?::(\d{1,12}))?$")
_END = object()


@dataclasses.dataclass(frozen=True)
class Position:
    """Where a client is in a run's event stream (see the module docstring)."""

    seq: int = 0
    chars: int = 0

    @classmethod
    def parse(cls, text: str) -> Position:
        """``"12"`` or ``"12:340"``; ``ValueError`` otherwise."""
        match = _POSITION.match(text.strip())
        if match is None:
            raise ValueError("an event id is a seq like '12', or '12:340' after token deltas")
        return cls(int(match[1]), int(match[2] or 0))

    def __str__(self) -> str:
        return f"{self.seq}:{self.chars}" if self.chars else str(self.seq)


def event_json(event: Any) -> dict[str, Any]:
    """A run event as the API shows it: ``run_id, seq, type, node_id, at`` and its fields."""
    return event.model_dump(mode="json")


def sse_message(data: Any, *, event: str | None = None, id: str | None = None) -> bytes:
    """One SSE message; ``data`` is written as compact JSON on one line."""
    lines = []
    if id is not None:
        lines.append(f"id: {id}")
    if event is not None:
        lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data, separators=(",", ":"), ensure_ascii=False))
    return ("\n".join(lines) + "\n\n").encode("utf-8")


class _Resume:
    """The position bookkeeping of one stream (module docstring)."""

    def __init__(self, start: Position) -> None:
        self.seq, self.chars, self.skip = start.seq, start.chars, start.chars

    def take(self, event: Any) -> tuple[Any, str] | None:
        """The event to send (token text trimmed) and its id; None when all was sent."""
        if event.type != "token":
            self.seq, self.chars, self.skip = event.seq, 0, 0
            return event, str(self.seq)
        text = event.delta
        cut = min(self.skip, len(text))
        self.skip -= cut
        if event.seq:  # a stored token event: everything up to it is now delivered
            self.seq, self.chars = event.seq, 0
        else:
            self.chars += len(text) - cut
        if cut == len(text):
            return None
        trimmed = event.model_copy(update={"delta": text[cut:]}) if cut else event
        return trimmed, str(Position(self.seq, self.chars))


async def _pump(run_id: str, after_seq: int, queue: asyncio.Queue[Any]) -> None:
    try:
        async for event in api_runs.follow(run_id, after_seq):
            await queue.put(event)
    except Exception as exc:
        await queue.put(exc)
    finally:
        await queue.put(_END)


def _error_message(exc: Exception) -> bytes:
    error = api_error_from(exc) if isinstance(exc, OrchestrallError) else internal_error(exc)
    return sse_message(error.body(), event="error")


async def run_events(
    run_id: str, start: Position, keepalive: float = KEEPALIVE_S
) -> AsyncIterator[bytes]:
    """The SSE bytes of a run's events after ``start``, until it ends or waits for a person.

    A comment line is sent after ``keepalive`` seconds of quiet (proxies keep the
    connection); a failure mid-stream is sent as an ``error`` event.
    """
    yield f"retry: {_RETRY_MS}\n\n".encode()
    resume = _Resume(start)
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=256)
    pump = asyncio.create_task(_pump(run_id, start.seq, queue))
    try:
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), keepalive)
            except TimeoutError:
                yield b": keepalive\n\n"
                continue
            if item is _END:
                return
            if isinstance(item, Exception):
                yield _error_message(item)
                return
            taken = resume.take(item)
            if taken is not None:
                event, position = taken
                yield sse_message(event_json(event), event=event.type, id=position)
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump


def sse_response(
    run_id: str, start: Position, headers: Mapping[str, str] | None = None
) -> StreamingResponse:
    """A ``text/event-stream`` response of ``run_events``."""
    return StreamingResponse(
        run_events(run_id, start),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **(headers or {})},
    )
