"""The in-memory event bus: live events of this process's runs, to subscribers on any loop.

While a run executes, its live events are also kept (the *replay*), so a subscriber
that attaches mid-run misses nothing the store does not have yet; the replay is
dropped when the execution ends, by which time every event is stored.
Attaching takes the replay and registers the subscriber under one lock, so no
event is seen twice or lost between the two.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BusFeed", "EventBus"]

Item = tuple[int, Any]  # (stored_seq, event)


class _Subscriber:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[Item] = asyncio.Queue()

    def deliver(self, item: Item) -> None:
        with contextlib.suppress(RuntimeError):  # the subscriber's loop has closed
            self.loop.call_soon_threadsafe(self.queue.put_nowait, item)


@dataclass
class _Channel:
    replay: list[Item] | None = None  # a list while the run executes here
    subscribers: set[_Subscriber] = field(default_factory=set)


class BusFeed:
    """One subscriber's view: the replay at attach time, then live items."""

    def __init__(self, snapshot: list[Item], subscriber: _Subscriber) -> None:
        self.snapshot = snapshot
        self._queue = subscriber.queue

    async def get(self, timeout: float) -> Item | None:
        """The next live item, or None after ``timeout`` seconds of quiet."""
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None


class EventBus:
    """Thread-safe fan-out of live run events (publishers: the executor's loop)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._channels: dict[str, _Channel] = {}

    def begin(self, run_id: str) -> None:
        """An execution of the run starts here: keep a replay of its live events."""
        with self._lock:
            self._channels.setdefault(run_id, _Channel()).replay = []

    def publish(self, event: Any, stored_seq: int) -> None:
        item = (stored_seq, event)
        with self._lock:
            channel = self._channels.get(event.run_id)
            if channel is None:
                return
            if channel.replay is not None:
                channel.replay.append(item)
            for subscriber in channel.subscribers:
                subscriber.deliver(item)

    def end(self, run_id: str) -> None:
        """The execution ended (everything is stored): drop the replay."""
        with self._lock:
            channel = self._channels.get(run_id)
            if channel is not None:
                channel.replay = None
                if not channel.subscribers:
                    del self._channels[run_id]

    @contextlib.asynccontextmanager
    async def attach(self, run_id: str) -> AsyncIterator[BusFeed]:
        """Subscribe the current event loop to the run's live events."""
        subscriber = _Subscriber(asyncio.get_running_loop())
        with self._lock:
            channel = self._channels.setdefault(run_id, _Channel())
            snapshot = list(channel.replay or ())
            channel.subscribers.add(subscriber)
        try:
            yield BusFeed(snapshot, subscriber)
        finally:
            with self._lock:
                channel.subscribers.discard(subscriber)
                if (
                    not channel.subscribers
                    and channel.replay is None
                    and self._channels.get(run_id) is channel
                ):
                    del self._channels[run_id]
