"""What the step kinds do, the same on every backend: one definition, framework-free.

Each backend wraps these in its own node life (counting the step, reporting
``node_started`` and ``node_finished``, keeping its state) and feeds them what
a node reads: the text it ``received`` and the ``names`` its templates and
router conditions see (``last_output``, ``inputs``, ``state``; see
``compiler._values``).

- ``received_by_join``: what a node with several predecessors receives;
- ``input_text``: the text the input node passes on;
- ``agent_context`` and ``earlier_turns``: the memories and thread turns an agent sees;
- ``rule_route``, ``tool_step``, ``memory_step``: routers by rules, tool and memory steps;
  every retrieval (a memory step's, an agent's own memories') reports
  ``memory_retrieved`` through the ``emit`` it is given;
- ``human_outcome``: what a person's answer to a human step means.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agent_runtime.compiler import IRNode, as_text, matches, render, render_value, trim_history
from agent_runtime.compiler._values import lookup
from agent_runtime.events import ToolCalledEvent
from agent_runtime.memory import Memory, MemoryScope

from ._events import memory_retrieved, tool_result

__all__ = [
    "Outcome",
    "agent_context",
    "earlier_turns",
    "human_outcome",
    "input_text",
    "memory_step",
    "person_said",
    "received_by_join",
    "rule_route",
    "tool_step",
]


@dataclass(frozen=True)
class Outcome:
    """What a step did: its output (``node_finished``), the text it passes on, its route."""

    output: str
    flow: str
    route: str | None = None


def received_by_join(
    node: IRNode, outputs: Mapping[str, Sequence[Any]], routes: Mapping[str, str]
) -> str | None:
    """A join's input: what its predecessors passed on since it last ran, in edge order.

    ``outputs`` maps node id → ``(step, text passed on)``, ``routes`` a branching
    node's id → the route it chose. A node with several predecessors (after
    parallel branches, or where a loop comes back) takes what is new for it, so a
    revise loop sees the feedback, not the first draft again; a router or approval
    counts only when the route it chose leads here. None when ``node`` is not a
    join or nothing is new.
    """
    if len(node.predecessors) < 2:
        return None
    mine = outputs.get(node.id, (0, ""))[0]
    fresh = [
        outputs[p][1]
        for p in node.predecessors
        if p in outputs
        and outputs[p][0] > mine
        and (p not in node.routed_from or routes.get(p) in node.routed_from[p])
    ]
    return "\n\n".join(fresh) if fresh else None


def input_text(node: IRNode, inputs: Mapping[str, Any]) -> str:
    """The text the input node passes on: the message, or one ``name: value`` line per field."""
    names = [f.name for f in node.spec.fields]
    if names == ["message"]:
        return as_text(inputs.get("message"))
    return "\n".join(f"{n}: {as_text(inputs.get(n))}" for n in names if n in inputs)


_AGENT_TOP_K = 4
"""How many items an agent retrieves from each of its own memories."""


async def agent_context(
    node: IRNode,
    values: Mapping[str, Any],
    memory: Memory,
    scope: MemoryScope,
    received: str,
    emit: Callable[[Any], None],
) -> list[str]:
    """The context of an agent's system prompt: retrieved memories, then its own memories' hits.

    Each of its own memories is searched for ``received`` and reported (``memory_retrieved``).
    """
    context = list(values.get("retrieved") or [])
    for source in node.memories:
        hits = await memory.retrieve(source, received, scope=scope, top_k=_AGENT_TOP_K)
        emit(memory_retrieved(node.id, source.id, received, hits, _AGENT_TOP_K))
        context.extend(hit.text for hit in hits)
    return context


def earlier_turns(history: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    """The thread's turns an agent sees, under the shared policy (the current input excluded)."""
    return trim_history([(role, text) for role, text in history[:-1]])


def rule_route(node: IRNode, names: Mapping[str, Any]) -> str:
    """A rules router's choice: the first route whose condition holds, else the default."""
    spec = node.spec
    return next(
        (r.name for r in spec.routes if matches(r.condition, lookup(r.condition.field, **names))),
        spec.default_route,
    )


async def tool_step(
    node: IRNode,
    names: Mapping[str, Any],
    emit: Callable[[Any], None],
    call: Callable[[dict[str, Any]], Awaitable[str]] | None = None,
) -> str:
    """A tool step: its arguments rendered, ``tool_called``, the call, ``tool_result``.

    ``call`` runs the tool (the registry tool's ``invoke`` unless given); returns its result.
    """
    tool = node.tools[0]
    arguments = render_value(dict(node.spec.arguments), **names)
    emit(ToolCalledEvent(node_id=node.id, tool=tool.name, arguments=arguments))
    result = await (call or tool.invoke)(arguments)
    emit(tool_result(node.id, tool.name, result))
    return result


async def memory_step(
    node: IRNode,
    memory: Memory,
    scope: MemoryScope,
    received: str,
    names: Mapping[str, Any],
    emit: Callable[[Any], None],
) -> tuple[str, dict[str, Any] | None]:
    """A memory step: its output, and the ``state`` values a retrieval sets (None: a store).

    A retrieval reports what it found (``memory_retrieved``) before the step finishes.
    """
    spec, source = node.spec, node.memories[0]
    if spec.operation == "store":
        item = await memory.store(source, received, scope=scope, metadata=dict(spec.metadata))
        return f"stored {item}", None
    query = render(spec.query, **names)
    hits = await memory.retrieve(
        source,
        query,
        scope=scope,
        top_k=spec.top_k,
        filters=dict(spec.filters),
        min_score=spec.min_score,
    )
    emit(memory_retrieved(node.id, source.id, query, hits, spec.top_k))
    found = [h.text for h in hits]
    values = {"retrieved": found, "retrieved_scores": [h.score for h in hits]}
    return f"{len(found)} result(s)", values


def person_said(mode: str, answer: Mapping[str, Any]) -> str:
    """The text of a person's answer: the answer (input steps) or the comment (approvals)."""
    return as_text(answer.get("answer" if mode == "input" else "comment", ""))


def human_outcome(mode: str, said: str, approved: bool, proposal: str) -> Outcome:
    """What a human step does with the person's answer to ``proposal`` (the text it received).

    An input step passes the answer on. An approval passes the proposal on
    (route ``approved``) or, rejected, the reviewer's reason with the draft
    (route ``rejected``, usually back to its author).
    """
    if mode == "input":
        return Outcome(output=said, flow=said)
    if approved:
        return Outcome("approved" + (f": {said}" if said else ""), proposal, "approved")
    feedback = f"Rejected by the reviewer: {said or 'no reason given'}\n\nDraft:\n{proposal}"
    return Outcome(f"rejected: {said}", feedback, "rejected")
