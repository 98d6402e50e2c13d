"""The graphs the export tests use (plain spec dicts, as the canvas saves them)."""

from __future__ import annotations

from typing import Any

from tests.agent_runtime.conformance._graphs import (
    agent,
    builtin_tool,
    chain,
    condition,
    edge,
    graph,
    human,
    input_node,
    linear,
    output_node,
    route,
    router,
    tool_node,
)


def three_agents() -> dict[str, Any]:
    """Researcher → Writer → Editor, with roles, goals and instructions."""
    return linear(
        "Research crew",
        agent(
            "researcher",
            "Researcher",
            role="Senior researcher",
            goal="Collect the facts.",
            instructions="List the five most important facts.",
        ),
        agent("writer", "Writer", role="Technical writer", instructions="Write 200 words."),
        agent("editor", "Editor", goal="Polish the article.", max_iterations=2),
    )


def with_a_tool() -> dict[str, Any]:
    """The three agents, the researcher with the calculator (tool id ``calc``)."""
    spec = three_agents()
    spec["name"] = "Calculating crew"
    spec["tools"] = [builtin_tool("calc", "calculator"), builtin_tool("word-count", "word_count")]
    spec["nodes"][1]["tools"] = ["calc"]
    spec["nodes"][2]["tools"] = ["word-count"]
    return spec


def routed() -> dict[str, Any]:
    """A rules router after an agent: refunds go to Billing, the rest to Support."""
    nodes = [
        input_node(),
        agent("intake", "Intake"),
        router(
            "triage",
            [route("billing", condition("contains", value="refund"))],
            "support",
            label="Triage",
        ),
        agent("billing", "Billing"),
        agent("support", "Support"),
        output_node(),
    ]
    edges = [
        *chain("input", "intake", "triage"),
        edge("triage", "billing", "billing"),
        edge("triage", "support", "support"),
        edge("billing", "output"),
        edge("support", "output"),
    ]
    return graph("Routed", nodes, edges)


def llm_routed() -> dict[str, Any]:
    spec = routed()
    spec["name"] = "LLM routed"
    triage = spec["nodes"][2]
    triage["strategy"] = "llm"
    triage["routes"] = [route("billing", description="Money matters")]
    return spec


def reviewed() -> dict[str, Any]:
    """A writer, a human approval (rejected: back to the writer), then an editor."""
    nodes = [
        input_node(),
        agent("writer", "Writer"),
        human("review", prompt="Publish this draft?"),
        agent("editor", "Editor"),
        output_node(),
    ]
    edges = [
        *chain("input", "writer", "review"),
        edge("review", "editor", "approved"),
        edge("review", "writer", "rejected"),
        edge("editor", "output"),
    ]
    return graph("Reviewed", nodes, edges)


def tool_step() -> dict[str, Any]:
    """A tool step computing from the input, then an agent."""
    spec = linear(
        "Tool step",
        tool_node("count", "words", {"text": "{{ input.message }}"}),
        agent("reporter", "Reporter"),
    )
    spec["tools"] = [builtin_tool("words", "word_count")]
    return spec


CREW_RUNS = [
    (three_agents, "TRAIL[bees]", "TRAIL[bees > Researcher > Writer > Editor]"),
    (
        with_a_tool,
        "TRAIL[calculate 6*7]",
        "TRAIL[calculate 6*7 > Researcher=42 > Writer > Editor]",
    ),
]
"""``(make, message, expected)``: specs every framework exports, each run on ``message``
gives ``expected`` (under the TRAIL script) in our backends and in the export."""
