"""The LangGraph state of an Orchestrall graph, and its reducers.

- ``last``: ``[superstep id, text]`` — the latest output. Writes from parallel
  branches in the same superstep are joined (in LangGraph's deterministic task order), so a
  node after a fan-out sees every branch's output.
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


def join_same_step(current: list[Any] | None, new: list[Any] | None) -> list[Any] | None:
    """Keep the newest output; join outputs written in the same superstep."""
    if not new:
        return current
    if current and current[0] == new[0]:
        return [new[0], f"{current[1]}\n\n{new[1]}"]
    return list(new)


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
    last: Annotated[list[Any], join_same_step]
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
