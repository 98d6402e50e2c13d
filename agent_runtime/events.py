"""Normalised run events: what every backend reports, what the store keeps and the UI shows.

Each event is a pydantic model tagged by ``type``. Backends yield them without
``run_id``/``seq``; the runtime stamps both and stores every event in order.
Token deltas are streamed one by one and stored coalesced per node.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "HIT_CHARS",
    "INPUT_CHARS",
    "InterruptEvent",
    "MemoryHitInfo",
    "MemoryRetrievedEvent",
    "NodeFinishedEvent",
    "NodeStartedEvent",
    "RunCancelledEvent",
    "RunEvent",
    "RunFailedEvent",
    "RunFinishedEvent",
    "RunStartedEvent",
    "TokenEvent",
    "ToolCalledEvent",
    "ToolResultEvent",
    "clip_input",
    "event_from_record",
]


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: str = ""
    seq: int = 0
    at: float = Field(default_factory=time.time, description="Unix time the event happened.")
    node_id: str | None = None

    def payload(self) -> dict[str, Any]:
        """The event's own fields, as stored in the run's event log."""
        return self.model_dump(mode="json", exclude={"type", "run_id", "seq", "node_id"})


class RunStartedEvent(_Event):
    type: Literal["run_started"] = "run_started"
    backend: str
    thread_id: str
    input: dict[str, Any]


class NodeStartedEvent(_Event):
    """A node begins; ``input`` is the text it received (at most ``INPUT_CHARS``)."""

    type: Literal["node_started"] = "node_started"
    kind: str
    label: str = ""
    step: int = 0
    input: str = ""


INPUT_CHARS = 2000


def clip_input(text: str) -> str:
    """``text`` cut to ``INPUT_CHARS`` for a ``node_started`` event (the trace shows it)."""
    return text if len(text) <= INPUT_CHARS else text[: INPUT_CHARS - 1] + "…"


class TokenEvent(_Event):
    type: Literal["token"] = "token"
    delta: str


class ToolCalledEvent(_Event):
    type: Literal["tool_called"] = "tool_called"
    tool: str
    call_id: str = ""
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolResultEvent(_Event):
    type: Literal["tool_result"] = "tool_result"
    tool: str
    call_id: str = ""
    result: str
    is_error: bool = False


HIT_CHARS = 1000


class MemoryHitInfo(BaseModel):
    """One retrieved item as a trace shows it: its text (at most ``HIT_CHARS``), score, metadata."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    score: float
    metadata: dict[str, Any] = Field(default_factory=dict)


class MemoryRetrievedEvent(_Event):
    """A step retrieved from ``memory`` (a memory step, or an agent's own memories), best first."""

    type: Literal["memory_retrieved"] = "memory_retrieved"
    memory: str
    query: str = ""
    hits: list[MemoryHitInfo] = Field(default_factory=list)


class InterruptEvent(_Event):
    """The run waits for a person: ``mode`` approval (approve/reject) or input (free text)."""

    type: Literal["interrupt"] = "interrupt"
    mode: Literal["approval", "input"]
    prompt: str
    proposal: str = ""


class NodeFinishedEvent(_Event):
    type: Literal["node_finished"] = "node_finished"
    output: str = ""
    latency_ms: float = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None


class RunFinishedEvent(_Event):
    type: Literal["run_finished"] = "run_finished"
    output: str
    totals: dict[str, Any] = Field(default_factory=dict)


class RunFailedEvent(_Event):
    """The run failed: ``code`` is stable (e.g. limit_exceeded, model_unavailable)."""

    type: Literal["run_failed"] = "run_failed"
    code: str
    message: str
    limit: str | None = None
    totals: dict[str, Any] = Field(default_factory=dict)


class RunCancelledEvent(_Event):
    type: Literal["run_cancelled"] = "run_cancelled"
    totals: dict[str, Any] = Field(default_factory=dict)


RunEvent = Annotated[
    RunStartedEvent
    | NodeStartedEvent
    | TokenEvent
    | ToolCalledEvent
    | ToolResultEvent
    | MemoryRetrievedEvent
    | InterruptEvent
    | NodeFinishedEvent
    | RunFinishedEvent
    | RunFailedEvent
    | RunCancelledEvent,
    Field(discriminator="type"),
]

_ADAPTER: TypeAdapter[Any] = TypeAdapter(RunEvent)


def event_from_record(
    run_id: str, seq: int, type: str, node_id: str | None, payload: dict[str, Any]
) -> Any:
    """Rebuild a typed event from a stored event row."""
    return _ADAPTER.validate_python(
        {**payload, "type": type, "run_id": run_id, "seq": seq, "node_id": node_id}
    )
