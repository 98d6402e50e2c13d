"""The normalised events of a node's life, built the same way by every backend.

A node reports ``node_started`` (with the text it received, clipped), its tool
calls and results (a result starting with ``error:`` is an error), what it
retrieved from each memory (``memory_retrieved``: hits clipped), and
``node_finished`` (output, latency, tokens, cost). Framework-free.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from agent_runtime.compiler import IRNode
from agent_runtime.events import (
    HIT_CHARS,
    MemoryHitInfo,
    MemoryRetrievedEvent,
    NodeFinishedEvent,
    NodeStartedEvent,
    ToolResultEvent,
    clip_input,
)
from agent_runtime.memory import MemoryHit

from ._usage import Usage

__all__ = [
    "interrupt_fields",
    "memory_retrieved",
    "node_finished",
    "node_started",
    "tool_result",
]


def node_started(node: IRNode, step: int, received: str) -> NodeStartedEvent:
    """``node_started`` of ``node`` at ``step``, with the text it received."""
    return NodeStartedEvent(
        node_id=node.id, kind=node.kind, label=node.label, step=step, input=clip_input(received)
    )


def node_finished(node_id: str, output: str, started: float, usage: Usage) -> NodeFinishedEvent:
    """``node_finished`` with the latency since ``started`` (``time.perf_counter``) and usage."""
    return NodeFinishedEvent(
        node_id=node_id,
        output=output,
        latency_ms=round((time.perf_counter() - started) * 1000, 2),
        prompt_tokens=usage.prompt,
        completion_tokens=usage.completion,
        cost=usage.cost,
    )


def tool_result(node_id: str, tool: str, result: str, call_id: str = "") -> ToolResultEvent:
    """``tool_result`` of a registry tool (it answers ``error: ...`` when it fails)."""
    return ToolResultEvent(
        node_id=node_id,
        tool=tool,
        call_id=call_id,
        result=result,
        is_error=result.startswith("error:"),
    )


def memory_retrieved(
    node_id: str, memory_id: str, query: str, hits: Sequence[MemoryHit], top_k: int
) -> MemoryRetrievedEvent:
    """``memory_retrieved``: at most ``top_k`` hits, best first, each text cut to ``HIT_CHARS``."""
    return MemoryRetrievedEvent(
        node_id=node_id,
        memory=memory_id,
        query=clip_input(query),
        hits=[
            MemoryHitInfo(
                text=h.text if len(h.text) <= HIT_CHARS else h.text[: HIT_CHARS - 1] + "…",
                score=h.score,
                metadata=dict(h.metadata),
            )
            for h in hits[:top_k]
        ],
    )


def interrupt_fields(node: IRNode, proposal: str) -> dict[str, Any]:
    """What a waiting human step reports: the fields of its ``InterruptEvent``."""
    spec = node.spec
    return {"node_id": node.id, "mode": spec.mode, "prompt": spec.prompt, "proposal": proposal}
