"""The ``remember`` tool: an agent stores a fact in one of the graph's memories.

An agent node with ``remember: <memory id>`` gets this tool next to its own. The
tool is compiled once per graph, but what it writes to belongs to the run: the
memory service and the scope (graph, thread) are bound around the agent's
execution by each backend (``bind_memory``), so a call always lands in the
thread of the run that made it. Failures come back as ``error: ...`` text, like
every tool's, so the agent can react.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from agent_runtime.errors import OrchestrallError
from agent_runtime.memory._base import Memory, MemoryScope
from agent_runtime.spec import MemorySpec
from agent_runtime.tools import ResolvedTool

__all__ = ["MAX_FACT_CHARS", "REMEMBER", "bind_memory", "remember_tool"]

REMEMBER = "remember"
"""The tool's name, as the model sees it."""

MAX_FACT_CHARS = 2_000
"""A fact longer than this is refused (memory holds facts, not documents)."""

_BOUND: ContextVar[tuple[Memory, MemoryScope] | None] = ContextVar(
    "orchestrall_bound_memory", default=None
)

_PARAMETERS = {
    "type": "object",
    "properties": {
        "fact": {
            "type": "string",
            "description": "The fact to remember, as one self-contained sentence.",
        }
    },
    "required": ["fact"],
}


@contextlib.contextmanager
def bind_memory(memory: Memory, scope: MemoryScope) -> Iterator[None]:
    """Within this block (and tasks started in it), ``remember`` tools write to ``scope``."""
    token = _BOUND.set((memory, scope))
    try:
        yield
    finally:
        _BOUND.reset(token)


def remember_tool(memory: MemorySpec, node_id: str) -> ResolvedTool:
    """The ``remember`` tool of agent ``node_id``, storing into ``memory``."""
    where = "in this conversation" if memory.type == "conversation" else "in later conversations"

    async def invoke(arguments: dict[str, Any]) -> str:
        fact = arguments.get("fact")
        if not isinstance(fact, str) or not fact.strip():
            return "error: give the fact to remember as text in 'fact'"
        if len(fact) > MAX_FACT_CHARS:
            return f"error: a fact is at most {MAX_FACT_CHARS} characters; store a summary"
        bound = _BOUND.get()
        if bound is None:
            return "error: remember works only while the agent runs"
        service, scope = bound
        try:
            await service.store(
                memory,
                fact.strip(),
                scope=scope,
                metadata={"source": REMEMBER, "node_id": node_id},
            )
        except OrchestrallError as exc:
            return f"error: could not remember: {exc}"
        return f"remembered: {fact.strip()}"

    return ResolvedTool(
        id=REMEMBER,
        name=REMEMBER,
        description=(
            f"Store a fact in memory '{memory.id}' so it can be recalled {where}. Use it for "
            "lasting facts the user tells you (names, preferences, decisions), one per call."
        ),
        parameters=_PARAMETERS,
        invoke=invoke,
    )
