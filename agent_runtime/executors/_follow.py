"""``follow``: a run's events for a subscriber, stored ones first, then live ones.

Live items are ``(stored_seq, event)``: ``stored_seq`` is the event's seq, or for a
token delta (seq 0) the seq of the stored token event it becomes part of. With it
the two sources merge exactly: anything at or below the highest seq delivered is
already delivered, except more deltas of the token group being streamed live.
When the live side is quiet for a while the store is read again, so a subscriber
still sees progress (batched) and the end of runs executed where it cannot listen.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from agent_runtime.events import event_from_record
from agent_runtime.store import RunStatus, Store

__all__ = ["LiveFeed", "follow"]

_FINAL = frozenset({"run_finished", "run_failed", "run_cancelled"})
_PAGE = 1000


class LiveFeed(Protocol):
    """A subscription to one run's live events."""

    snapshot: Sequence[tuple[int, Any]]  # live items from before the subscription

    async def get(self, timeout: float) -> tuple[int, Any] | None:
        """The next live item, or None after ``timeout`` seconds of quiet."""
        ...


Attach = Callable[[str], AbstractAsyncContextManager[LiveFeed]]


def _stored(store: Store, run_id: str, after_seq: int) -> tuple[RunStatus, list[Any]]:
    """The run's status, then its stored events after ``after_seq`` (a final status read
    first means its final event is among them)."""
    status = store.get_run(run_id).status
    events: list[Any] = []
    while True:
        page = store.list_run_events(run_id, after_seq=after_seq, limit=_PAGE)
        events += [event_from_record(r.run_id, r.seq, r.type, r.node_id, r.payload) for r in page]
        if len(page) < _PAGE:
            return status, events
        after_seq = page[-1].seq


class _Cursor:
    """How far a subscriber got: ``hi`` is the highest seq delivered, stored or live.

    A final event is always taken (a run has one, and it ends the stream): when a
    worker dies, the events it streamed but never stored are gone, and the
    ``run_failed`` recorded for it may carry a seq the subscriber already saw.
    """

    def __init__(self, after_seq: int) -> None:
        self.hi = after_seq
        self.live_group: int | None = None  # the token group being streamed live

    def take_stored(self, event: Any) -> bool:
        if event.seq <= self.hi and event.type not in _FINAL:
            return False
        self.hi, self.live_group = max(self.hi, event.seq), None
        return True

    def take_live(self, stored_seq: int, event: Any) -> bool:
        if event.type in _FINAL:
            self.hi, self.live_group = max(self.hi, stored_seq), None
            return True
        if event.type == "token":
            if stored_seq > self.hi or stored_seq == self.hi == self.live_group:
                self.hi = self.live_group = stored_seq
                return True
            return False
        if stored_seq > self.hi:
            self.hi, self.live_group = stored_seq, None
            return True
        return False


def _ends(event: Any) -> bool:
    return event.type in _FINAL or event.type == "interrupt"


async def follow(
    store: Store, run_id: str, after_seq: int, attach: Attach, poll_interval: float
) -> AsyncIterator[Any]:
    """Every event of the run after ``after_seq``; ends after its final event or an interrupt."""
    async with attach(run_id) as feed:  # subscribe first: nothing slips between the sources
        cursor = _Cursor(after_seq)
        status, backlog = await asyncio.to_thread(_stored, store, run_id, after_seq)
        for event in backlog:
            cursor.take_stored(event)
            yield event
            if event.type in _FINAL:
                return
        if status.is_terminal or (
            status is RunStatus.INTERRUPTED and backlog and backlog[-1].type == "interrupt"
        ):
            return
        pending = deque(feed.snapshot)
        while True:
            item = pending.popleft() if pending else await feed.get(poll_interval)
            if item is None or item[0] > cursor.hi + 1:  # quiet, or a gap: ask the store
                status, stored = await asyncio.to_thread(_stored, store, run_id, cursor.hi)
                for event in stored:
                    if item is not None and event.seq >= item[0]:
                        break
                    if cursor.take_stored(event):
                        yield event
                        if _ends(event):
                            return
                if item is None:
                    if status.is_terminal:
                        return
                    continue
            stored_seq, event = item
            if cursor.take_live(stored_seq, event):
                yield event
                if _ends(event):
                    return
