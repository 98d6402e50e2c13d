"""Runs for the HTTP API: start at a version, wait, follow, answer, cancel, and run slots.

    run = await start(graph_id, {"message": "hi"}, thread_id=None, backend="langgraph")
    paused = await wait_until_paused(run.id, after_seq=0, timeout=60)   # False: still going
    async for event in follow(run.id, after_seq=12):                     # stored, then live
        ...
    slots.hold(limiter, key, token, run.id, after_seq=0)   # released when the run ends/waits

Everything runs on the process's executor (``app.services.runs``); blocking store and
runtime calls go to a worker thread so the server's event loop never waits on them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

from agent_runtime.access import SLOT_TTL_S, ApiKey, RateLimiter
from agent_runtime.events import InterruptEvent, event_from_record
from agent_runtime.spec import InputField, InputNode
from agent_runtime.store import RunRecord
from app.services import runs
from app.services.graphs import get_store

__all__ = [
    "RunSlots",
    "answer",
    "cancel",
    "follow",
    "graph_slug",
    "input_fields_of",
    "input_problems",
    "last_interrupt",
    "slots",
    "start",
    "wait_until_paused",
]

logger = logging.getLogger("orchestrall.api")

_INTERRUPT_LOOKBACK = 20
_TYPES: dict[str, tuple[type, ...]] = {"text": (str,), "number": (int, float), "boolean": (bool,)}


def graph_slug(name: str) -> str:
    """``"Support triage (v2)"`` → ``"support-triage-v2"``: lower-case, dashes between words."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "graph"


def input_fields_of(spec: Mapping[str, Any]) -> list[InputField]:
    """The input fields a spec's input node declares (``[]`` when it has no usable one)."""
    for node in spec.get("nodes") or ():
        if isinstance(node, Mapping) and node.get("kind") == "input":
            try:
                return list(InputNode.model_validate(node).fields)
            except ValueError:
                return []
    return []


def input_problems(fields: list[InputField], given: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every ``(field, message)`` wrong with a run input, as the runtime would judge it."""
    problems: list[tuple[str, str]] = []
    for f in fields:
        value = given.get(f.name)
        if value is None or value == "":
            if f.required:
                problems.append((f.name, f"'{f.name}' is required."))
            continue
        is_bool = isinstance(value, bool)
        if not isinstance(value, _TYPES[f.type]) or (f.type == "number" and is_bool):
            problems.append((f.name, f"'{f.name}' must be {f.type}."))
    known = {f.name for f in fields}
    problems += [
        (name, f"'{name}' is not an input of this graph.") for name in given if name not in known
    ]
    return problems


async def start(
    graph_id: str,
    given: Mapping[str, Any],
    *,
    thread_id: str | None,
    backend: str,
    version: int | None = None,
) -> RunRecord:
    """Check and store a run, and submit it to the executor (see ``runs.start_run_at``)."""
    return await asyncio.to_thread(
        runs.start_run_at, graph_id, given, thread_id, backend=backend, version=version
    )


def follow(run_id: str, after_seq: int = 0) -> AsyncIterator[Any]:
    """The run's events after ``after_seq``: stored ones, then live ones; ends at the run's
    end or an interrupt (live token deltas have seq 0)."""
    return runs.get_executor().subscribe(run_id, after_seq)


async def wait_until_paused(run_id: str, after_seq: int, timeout: float) -> bool:
    """Wait until the run ends or waits for a person: True; False after ``timeout`` s."""
    try:
        async with asyncio.timeout(timeout):
            async for _ in follow(run_id, after_seq):
                pass
    except TimeoutError:
        return False
    return True


def last_interrupt(run: RunRecord) -> InterruptEvent | None:
    """The question a waiting run asks (its newest ``interrupt`` event), else None."""
    if run.status.value != "interrupted":
        return None
    after = max(0, run.last_seq - _INTERRUPT_LOOKBACK)
    found = None
    for row in get_store().list_run_events(run.id, after_seq=after, limit=_INTERRUPT_LOOKBACK):
        if row.type == "interrupt":
            found = event_from_record(row.run_id, row.seq, row.type, row.node_id, row.payload)
    return found


def answer(run_id: str, resume: Mapping[str, Any]) -> None:
    """Resume a waiting run with the person's answer (``{"approved", "comment"}`` or
    ``{"answer"}``); returns at once."""
    runs.get_executor().submit(run_id, dict(resume))


def cancel(run_id: str) -> None:
    """Ask the run to stop (``NotFoundError`` for an unknown id); returns at once."""
    runs.get_executor().cancel(run_id)


class RunSlots:
    """Concurrent-run slots of API keys, each held until its run ends or waits for a person.

    The slot is taken before the run starts (``RateLimitedError`` ``too_many_runs``) and
    released by a watcher task on the server's loop; a watcher that dies with its
    process leaves the limiter to expire the slot (``SLOT_TTL_S``).
    """

    def __init__(self) -> None:
        self._watchers: set[asyncio.Task[None]] = set()

    def hold(
        self, limiter: RateLimiter, key: ApiKey, token: str, run_id: str, after_seq: int
    ) -> None:
        """Release ``token`` once the run (followed from ``after_seq``) ends or pauses."""
        task = asyncio.get_running_loop().create_task(
            self._watch(limiter, key, token, run_id, after_seq), name=f"api-slot-{run_id}"
        )
        self._watchers.add(task)
        task.add_done_callback(self._watchers.discard)

    @staticmethod
    async def _watch(
        limiter: RateLimiter, key: ApiKey, token: str, run_id: str, after_seq: int
    ) -> None:
        try:
            await wait_until_paused(run_id, after_seq, SLOT_TTL_S)
        except Exception:  # the slot must go back whatever happened to the run
            logger.warning("lost track of run %s; its API run slot is released", run_id)
        finally:
            with contextlib.suppress(Exception):  # memory: instant; Redis: one ZREM
                limiter.release_run(key, token)


slots = RunSlots()
"""This process's run slots."""
