"""Plain, frozen records the store returns. They hold no session and no ORM state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent_runtime.spec import Problem

__all__ = [
    "GraphSummary",
    "GraphVersionInfo",
    "GraphVersionSummary",
    "RunEventRecord",
    "RunRecord",
    "RunStatus",
    "RunTotals",
]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class RunStatus(StrEnum):
    """Lifecycle of a run. ``succeeded``, ``failed`` and ``cancelled`` are final."""

    QUEUED = "queued"
    RUNNING = "running"
    INTERRUPTED = "interrupted"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class GraphSummary(_Record):
    """A graph as listed in the UI; ``is_valid`` and ``node_count`` describe the current version."""

    id: str
    name: str
    description: str
    created_at: datetime
    updated_at: datetime
    current_version: int
    is_valid: bool
    node_count: int
    template_slug: str | None = None
    """The marketplace template this graph was installed from (None: made here)."""
    template_version: str | None = None


class GraphVersionSummary(_Record):
    """One saved version, without its spec."""

    graph_id: str
    version: int
    is_valid: bool
    message: str
    created_at: datetime
    problem_count: int


class GraphVersionInfo(GraphVersionSummary):
    """One saved version with its spec (as stored) and the problems found when it was saved."""

    spec: dict[str, Any]
    problems: list[Problem]


class RunTotals(_Record):
    """What a run consumed. Backends add to these as they go."""

    model_config = ConfigDict(extra="forbid")

    tokens: int = Field(default=0, ge=0)
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    cost: float | None = Field(default=0.0, ge=0, description="USD; None when a price is unknown.")
    latency_ms: float = Field(default=0.0, ge=0)
    steps: int = Field(default=0, ge=0)


class RunRecord(_Record):
    """One run of one graph version. ``last_seq`` is the seq of its newest event (0: none).

    ``heartbeat_at`` is when the process executing the run last said it is alive;
    ``options`` how the run was asked to run beyond its spec (``{"model": {...}}``).
    """

    id: str
    graph_id: str
    graph_version: int
    status: RunStatus
    backend: str
    thread_id: str
    input: Any
    output: Any
    error: dict[str, Any] | None
    totals: RunTotals
    last_seq: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None = None
    options: dict[str, Any] | None = None


class RunEventRecord(_Record):
    """One event of a run; ``seq`` counts 1, 2, 3… per run with no gaps."""

    id: int
    run_id: str
    seq: int
    type: str
    node_id: str | None
    payload: dict[str, Any]
    created_at: datetime
