"""What a backend gets to run a graph: the request, the run's control, and shared services.

``RunControl`` is the one place limits and cancellation are enforced, the same
way on every backend: backends call ``begin_step`` before each node and
``add_tokens`` after each model call, and stop when either raises.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from agent_runtime.errors import LimitExceededError, RunCancelledError
from agent_runtime.memory import Memory, MemoryScope
from agent_runtime.spec import LimitsSpec

__all__ = [
    "BackendServices",
    "Executable",
    "RunControl",
    "RunRequest",
    "StoreThreadState",
    "ThreadState",
]


@dataclass(frozen=True)
class RunRequest:
    """One run (or one resume) of a compiled graph on a thread."""

    run_id: str
    thread_id: str
    graph_id: str = ""
    input: dict[str, Any] | None = None
    resume: dict[str, Any] | None = None
    """Answer to a human step: ``{"approved": bool, "comment": str}`` or ``{"answer": str}``."""
    stream_tokens: bool = True

    @property
    def memory_scope(self) -> MemoryScope:
        return MemoryScope(graph_id=self.graph_id, thread_id=self.thread_id)


@dataclass
class RunControl:
    """Counts steps and tokens against the limits, and carries the cancel flag."""

    limits: LimitsSpec
    steps: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = 0.0
    started: float = field(default_factory=time.monotonic)
    cancelled: bool = False

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def cancel(self) -> None:
        """Ask the run to stop at its next step."""
        self.cancelled = True

    def begin_step(self, node_id: str) -> int:
        """Count a node execution; raise if cancelled or over max steps. Returns the step number."""
        if self.cancelled:
            raise RunCancelledError("The run was cancelled.", node_id=node_id)
        if self.steps >= self.limits.max_steps:
            raise LimitExceededError(
                f"The run reached its limit of {self.limits.max_steps} steps.",
                limit="max_steps",
                node_id=node_id,
            )
        self.steps += 1
        return self.steps

    def add_tokens(self, node_id: str, prompt: int, completion: int, cost: float | None) -> None:
        """Count a model call's tokens; raise when the run is over max tokens."""
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        self.cost = None if cost is None or self.cost is None else self.cost + cost
        if self.tokens > self.limits.max_tokens:
            raise LimitExceededError(
                f"The run used {self.tokens} tokens, over its limit of {self.limits.max_tokens}.",
                limit="max_tokens",
                node_id=node_id,
            )

    def totals(self) -> dict[str, Any]:
        """Steps, tokens, cost and duration so far (the run row's totals)."""
        return {
            "steps": self.steps,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "tokens": self.tokens,
            "cost": self.cost,
            "latency_ms": round((time.monotonic() - self.started) * 1000, 1),
        }


class ThreadState(Protocol):
    """Where a backend without a checkpointer of its own keeps a thread between runs."""

    async def load(self, thread_id: str, backend: str) -> dict[str, Any] | None: ...

    async def save(self, thread_id: str, backend: str, state: dict[str, Any]) -> None: ...


class StoreThreadState:
    """``ThreadState`` in the store's ``thread_state`` table (JSON; survives restarts)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    async def load(self, thread_id: str, backend: str) -> dict[str, Any] | None:
        return await asyncio.to_thread(self.store.get_thread_state, thread_id, backend)

    async def save(self, thread_id: str, backend: str, state: dict[str, Any]) -> None:
        await asyncio.to_thread(self.store.put_thread_state, thread_id, backend, state)


@dataclass
class BackendServices:
    """Shared, long-lived services a backend may use (one set per runtime and event loop)."""

    memory: Memory
    checkpointer: Callable[[], Awaitable[Any]] | None = None
    """Async factory of the LangGraph checkpointer (created once, on the runtime's loop)."""
    thread_state: ThreadState | None = None
    """Threads of backends that keep them themselves (CrewAI, AutoGen); None: no threads."""


class Executable(Protocol):
    """A compiled graph on one backend. ``stream`` yields events until done or interrupted."""

    backend: str

    def stream(self, request: RunRequest, control: RunControl) -> AsyncIterator[Any]: ...


class Backend(Protocol):
    """One execution engine: a name, the features it supports, and ``compile``."""

    name: str
    capabilities: frozenset[str]

    def compile(self, graph: Any, services: BackendServices) -> Executable: ...
