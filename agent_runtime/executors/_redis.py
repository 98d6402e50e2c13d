"""Live run events and cancel requests over Redis.

Keys (run ids are uuids, so runs never collide across apps sharing a server):

- ``orchestrall:run:<run_id>`` — pub/sub channel of the run's live events, one JSON
  object per message: ``event.model_dump(mode="json")`` plus ``stored_seq`` (the seq
  the event is stored under; for a token delta, of the token event it joins) and
  ``idx`` (the message's place in the replay).
- ``orchestrall:run:<run_id>:live`` — list replaying the same messages (kept
  ``live_ttl`` s), so a subscriber that arrives mid-run misses nothing the store
  does not have yet. Published with the channel in one round trip.
- ``orchestrall:run:<run_id>:cancel`` — set when someone asks to cancel the run.
- ``orchestrall:run:<run_id>:claim:<last_seq>`` — who takes a queued (or waiting)
  run first: a worker, to execute it, or a canceller, to cancel it in the store.
- ``orchestrall:cancel`` — channel telling workers which run to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio as aioredis

from agent_runtime.events import event_from_record

__all__ = [
    "CANCELLED_CLAIM",
    "CANCEL_CHANNEL",
    "RedisFeed",
    "RedisSink",
    "cancel_key",
    "channel",
    "claim_key",
    "decode",
    "encode",
    "publish_once",
    "replay_key",
]

logger = logging.getLogger("agent_runtime.executors")

CANCEL_CHANNEL = "orchestrall:cancel"
CANCELLED_CLAIM = "cancelled"


def channel(run_id: str) -> str:
    return f"orchestrall:run:{run_id}"


def replay_key(run_id: str) -> str:
    return f"orchestrall:run:{run_id}:live"


def cancel_key(run_id: str) -> str:
    return f"orchestrall:run:{run_id}:cancel"


def claim_key(run_id: str, last_seq: int) -> str:
    return f"orchestrall:run:{run_id}:claim:{last_seq}"


def encode(event: Any, stored_seq: int, idx: int) -> str:
    return json.dumps(
        {**event.model_dump(mode="json"), "stored_seq": stored_seq, "idx": idx},
        ensure_ascii=False,
    )


def decode(raw: bytes | str) -> tuple[int, int, Any]:
    """``(idx, stored_seq, event)`` from one message."""
    data = json.loads(raw)
    idx, stored_seq = data.pop("idx"), data.pop("stored_seq")
    run_id, seq = data.pop("run_id"), data.pop("seq")
    event = event_from_record(run_id, seq, data.pop("type"), data.pop("node_id"), data)
    return idx, stored_seq, event


class RedisSink:
    """Publishes a worker's live events (on its engine loop). Never raises."""

    def __init__(self, url: str, ttl: int) -> None:
        self._url, self._ttl = url, ttl
        self._client: aioredis.Redis | None = None
        self._next: dict[str, int] = {}
        self._warned = 0.0

    @property
    def client(self) -> aioredis.Redis:
        if self._client is None:  # made on first use, on the loop that uses it
            self._client = aioredis.Redis.from_url(self._url)
        return self._client

    async def begin(self, run_id: str) -> None:
        try:  # one execution at a time per run: it numbers the replay from here
            self._next[run_id] = await self.client.llen(replay_key(run_id))
        except Exception as exc:
            self._warn(exc)
            self._next[run_id] = 0

    async def publish(self, event: Any, stored_seq: int) -> None:
        run_id = event.run_id
        try:
            idx = self._next.get(run_id)
            if idx is None:  # a one-off (reaper, cancel): after whatever is there
                idx = await self.client.llen(replay_key(run_id))
            else:
                self._next[run_id] = idx + 1
            line = encode(event, stored_seq, idx)
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.rpush(replay_key(run_id), line)
                pipe.expire(replay_key(run_id), self._ttl)
                pipe.publish(channel(run_id), line)
                await pipe.execute()
        except Exception as exc:  # subscribers fall back to the store
            self._warn(exc)

    async def end(self, run_id: str) -> None:
        self._next.pop(run_id, None)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _warn(self, exc: Exception) -> None:
        if time.monotonic() - self._warned > 30:  # once in a while, not per event
            self._warned = time.monotonic()
            logger.warning("cannot publish live run events to Redis: %s", exc)


class RedisFeed:
    """A subscriber's view of one run: the replay at subscription time, then pub/sub."""

    def __init__(self, pubsub: Any, snapshot: list[tuple[int, int, Any]]) -> None:
        self._pubsub = pubsub
        self.snapshot = [(stored, event) for _, stored, event in snapshot]
        self._seen = max((idx for idx, _, _ in snapshot), default=-1)

    @classmethod
    @contextlib.asynccontextmanager
    async def attach(cls, url: str, run_id: str) -> AsyncIterator[RedisFeed]:
        """Subscribe to the run's channel, then read its replay. Without Redis, the feed
        stays quiet and the subscriber follows the store alone."""
        client = aioredis.Redis.from_url(url, socket_connect_timeout=5)
        pubsub = client.pubsub()
        try:
            try:
                feed = cls(pubsub, await cls._subscribe(client, pubsub, run_id))
            except (aioredis.RedisError, OSError) as exc:
                logger.warning("no live events for run %s (Redis: %s)", run_id, exc)
                feed = cls(None, [])
            yield feed
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            with contextlib.suppress(Exception):
                await client.aclose()

    @staticmethod
    async def _subscribe(
        client: aioredis.Redis, pubsub: Any, run_id: str
    ) -> list[tuple[int, int, Any]]:
        await pubsub.subscribe(channel(run_id))
        while True:  # the subscription is live once Redis confirms it
            message = await pubsub.get_message(timeout=5.0)
            if message is None:
                raise aioredis.ConnectionError("Redis did not confirm the subscription")
            if message["type"] == "subscribe":
                break
        raw = await client.lrange(replay_key(run_id), 0, -1)
        return sorted((decode(r) for r in raw), key=lambda m: m[0])

    async def get(self, timeout: float) -> tuple[int, Any] | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            if self._pubsub is None:  # no Redis: stay quiet, the store is read instead
                await asyncio.sleep(left)
                return None
            try:
                message = await self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=left
                )
            except (aioredis.RedisError, OSError) as exc:
                logger.warning("live run events lost (Redis: %s); reading the store", exc)
                self._pubsub = None
                continue
            if message is None or message["type"] != "message":
                continue
            idx, stored_seq, event = decode(message["data"])
            if idx <= self._seen:
                continue  # already in the replay
            self._seen = idx
            return stored_seq, event
        return None


def publish_once(client: Any, event: Any, ttl: int) -> None:
    """Publish one stored event (a cancel, a reap) from synchronous code; never raises."""
    run_id = event.run_id
    try:
        line = encode(event, event.seq, client.llen(replay_key(run_id)))
        pipe = client.pipeline(transaction=False)
        pipe.rpush(replay_key(run_id), line)
        pipe.expire(replay_key(run_id), ttl)
        pipe.publish(channel(run_id), line)
        pipe.execute()
    except Exception as exc:
        logger.warning("cannot publish the end of run %s to Redis: %s", run_id, exc)
