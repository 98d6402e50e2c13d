"""Comparing a backend with LangGraph, the reference, as the backends' own tests do.

``on_both`` runs one spec on LangGraph and on the backend under test;
``what_a_user_sees`` is what a user sees of a run; the graphs are shapes beyond
the conformance suite that more than one backend's tests run.
"""

from __future__ import annotations

from typing import Any

from tests.agent_runtime.conformance._graphs import (
    agent,
    chain,
    condition,
    edge,
    graph,
    input_node,
    output_node,
    route,
    router,
)
from tests.agent_runtime.conformance._harness import Harness, MakeHarness, Result

__all__ = [
    "MATHLETE",
    "REFERENCE",
    "fan_out_after_an_agent",
    "on_both",
    "routed_beside_a_branch",
    "what_a_user_sees",
]

REFERENCE = "langgraph"

MATHLETE = {
    "when": {"system": "You are Mathlete", "last_role": "user"},
    "tool_calls": [{"name": "calc", "arguments": {"expression": "6 * 7"}}],
}
"""A script rule: the agent called Mathlete has the ``calc`` tool work out 6 * 7."""


def what_a_user_sees(result: Result) -> tuple[Any, ...]:
    """What a user sees of a run: status, output, node order and each node's output."""
    finished = [(e.node_id, e.output) for e in result.of("node_finished")]
    return result.status, result.run.output, result.started, finished, result.types


async def on_both(
    make_harness: MakeHarness, backend: str, spec: dict[str, Any], message: str, **options: Any
) -> list[tuple[Harness, Result]]:
    """Run ``spec`` on the reference, then on ``backend``: each harness and its result."""
    done = []
    for name in (REFERENCE, backend):
        harness = await make_harness(name)
        done.append((harness, await harness.run(spec, {"message": message}, **options)))
    return done


def fan_out_after_an_agent() -> dict[str, Any]:
    """input → lead → (a, b → b2) → join agent → output: a join *agent* gets both texts."""
    nodes = [
        input_node(),
        agent("lead", "Lead"),
        agent("a", "Alpha"),
        agent("b", "Beta"),
        agent("b2", "Beta Two"),
        agent("join", "Joiner"),
        output_node(),
    ]
    edges = [
        *chain("input", "lead"),
        *chain("lead", "a", "join"),
        *chain("lead", "b", "b2", "join"),
        edge("join", "output"),
    ]
    return graph("Fan out later", nodes, edges)


def routed_beside_a_branch() -> dict[str, Any]:
    """input → (a | router pick → yes or no) → output: parallel branches and routing at once.

    The output joins a parallel branch (``a``) and a routed one: LangGraph runs it,
    others may refuse it (``fan_out``) before anything runs.
    """
    nodes = [
        input_node(),
        agent("a", "Alpha"),
        router("pick", [route("yes", condition("contains", value="x"))], "no"),
        agent("yes", "Yes"),
        agent("no", "No"),
        output_node(),
    ]
    edges = [
        edge("input", "a"),
        edge("input", "pick"),
        edge("pick", "yes", "yes"),
        edge("pick", "no", "no"),
        *(edge(n, "output") for n in ("a", "yes", "no")),
    ]
    return graph("Mixed", nodes, edges)
