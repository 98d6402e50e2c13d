"""The LangGraph state of an Orchestrall graph, and its reducers.

- ``last``: ``[step, text]`` — the latest output (the newest write wins). A node
  after a fan-out reads its branches' outputs from ``outputs`` instead (a join).
- ``outputs``: node id → ``[step, text]``, what each node passed on (joins read it).
- ``state`` / ``routes`` / ``outputs``: dicts merged key by key; the input node resets them so
  nothing leaks from an earlier run on the same thread.
- ``history``: the thread's conversation as ``[role, text]`` pairs (each run's
  input and final output), kept across runs by the checkpointer.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages

RESET = "__reset__"


def newest(current: list[Any] | None, new: list[Any] | None) -> list[Any] | None:
    """Keep the newest output.

    Never joins by step number: a resumed human step, or a new run on a thread whose
    last run stopped right after its input, writes a step number seen before.
    """
    return list(new) if new else current


def merge_or_reset(current: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    """Merge key by key; a write holding ``__reset__`` replaces everything."""
    if new is None:
        return dict(current or {})
    if new.get(RESET):
        return {k: v for k, v in new.items() if k != RESET}
    return {**(current or {}), **new}


class GraphState(TypedDict, total=False):
    """One run's state (and, through ``history``, its thread's conversation)."""

    input: dict[str, Any]
    last: Annotated[list[Any], newest]
    state: Annotated[dict[str, Any], merge_or_reset]
    routes: Annotated[dict[str, str], merge_or_reset]
    outputs: Annotated[dict[str, Any], merge_or_reset]
    history: Annotated[list[list[str]], operator.add]
    output: str


class AgentState(TypedDict):
    """The tool loop's state inside one agent."""

    messages: Annotated[list[AnyMessage], add_messages]


def last_text(state: GraphState) -> str:
    last = state.get("last")
    return str(last[1]) if last else ""
