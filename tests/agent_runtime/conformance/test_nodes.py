"""Each node kind on every backend: input/output, agents, tool steps, routers and memory."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent_runtime.conformance._graphs import (
    agent,
    builtin_tool,
    chain,
    condition,
    edge,
    graph,
    input_node,
    linear,
    memory_node,
    output_node,
    route,
    router,
    tool_node,
)
from tests.agent_runtime.conformance._harness import Harness

ROUTER_PROMPT = "You are Triage, a router."

SCRIPT = {
    "rules": [
        {"when": {"system": ROUTER_PROMPT, "task": "invoice"}, "content": "billing"},
        {"when": {"system": ROUTER_PROMPT, "task": "crash"}, "content": "I'd say: Tech."},
        {"when": {"system": ROUTER_PROMPT}, "content": "no idea, sorry"},
    ]
}


async def test_input_to_output(harness: Harness) -> None:
    result = await harness.run(linear("Echo"), {"message": "hello"})

    assert result.status == "succeeded"
    assert result.types == [
        "run_started",
        "node_started",
        "node_finished",
        "node_started",
        "node_finished",
        "run_finished",
    ]
    assert result.started == ["input", "output"]
    assert [e.kind for e in result.of("node_started")] == ["input", "output"]
    assert result.finished("output") == "hello"
    assert result.last.output == "hello"
    assert result.run.output == "hello"
    assert result.events[0].input == {"message": "hello"}
    assert result.events[0].backend == harness.backend


async def test_input_with_several_fields_reaches_the_first_node(harness: Harness) -> None:
    fields = [
        {"name": "topic", "type": "text"},
        {"name": "count", "type": "number"},
        {"name": "urgent", "type": "boolean", "required": False},
    ]
    spec = graph("Fields", [input_node(fields=fields), output_node()], [edge("input", "output")])

    result = await harness.run(spec, {"topic": "tides", "count": 3})

    assert result.status == "succeeded"
    assert "tides" in result.run.output
    assert "3" in result.run.output
    assert result.run.input == {"topic": "tides", "count": 3}


async def test_agent_gives_the_default_answer_naming_itself(harness: Harness) -> None:
    spec = linear(
        "One agent",
        agent("helper", "Helper", role="Assistant", goal="Answer", instructions="Be brief."),
    )

    result = await harness.run(spec, {"message": "what is up"})

    answer = '[demo model] Helper: received "what is up"'
    assert result.status == "succeeded"
    assert result.started == ["input", "helper", "output"]
    started = result.of("node_started")[1]
    assert (started.kind, started.label) == ("agent", "Helper")
    assert result.finished("helper") == answer
    assert result.run.output == answer
    (sent,) = harness.sent_to("Helper")
    assert sent.system.startswith("You are Helper.")
    assert "Be brief." in sent.system
    assert "what is up" in sent.texts("user")[-1]


async def test_tool_node_fills_its_argument_templates(harness: Harness) -> None:
    spec = graph(
        "Tool steps",
        [
            input_node(fields=[{"name": "x", "type": "number"}]),
            tool_node("double", "calc", {"expression": "{{ input.x }} * 2"}),
            tool_node("plus_one", "calc", {"expression": "{{ last_output }} + 1"}),
            tool_node("count", "words", {"text": "{{ last_output }} is the answer"}),
            output_node(),
        ],
        chain("input", "double", "plus_one", "count", "output"),
        tools=[builtin_tool("calc", "calculator"), builtin_tool("words", "word_count")],
    )

    result = await harness.run(spec, {"x": 21})

    assert result.status == "succeeded"
    assert result.started == ["input", "double", "plus_one", "count", "output"]
    calls = [(e.node_id, e.tool, e.arguments) for e in result.of("tool_called")]
    assert calls == [
        ("double", "calc", {"expression": "21 * 2"}),
        ("plus_one", "calc", {"expression": "42 + 1"}),
        ("count", "words", {"text": "43 is the answer"}),
    ]
    results = [(e.node_id, e.result, e.is_error) for e in result.of("tool_result")]
    assert results == [("double", "42", False), ("plus_one", "43", False), ("count", "4", False)]
    assert result.run.output == "4"


def _rules_router_graph() -> dict[str, Any]:
    routes = [
        route("gold", condition("equals", field="input.tier", value="gold")),
        route("refund", condition("contains", value="refund")),
        route("order", condition("regex", field="input.message", pattern=r"order\s+#?\d+")),
    ]
    agents = {"gold": "Gold", "refund": "Refunds", "order": "Orders", "other": "Other"}
    nodes = [
        input_node(
            fields=[{"name": "message"}, {"name": "tier", "required": False}],
        ),
        router("triage", routes, "other"),
        *(agent(f"{name}_agent", label) for name, label in agents.items()),
        output_node(),
    ]
    edges = [edge("input", "triage")]
    for name in agents:
        edges += [edge("triage", f"{name}_agent", name), edge(f"{name}_agent", "output")]
    return graph("Rules router", nodes, edges)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"message": "hello", "tier": "GOLD"}, "gold"),  # equals on an input field, any case
        ({"message": "I want a Refund now"}, "refund"),  # contains on the last output
        ({"message": "where is order #1234?"}, "order"),  # regex on an input field
        ({"message": "refund order 12", "tier": "gold"}, "gold"),  # the first match wins
        ({"message": "hi there", "tier": "silver"}, "other"),  # no match: the default route
    ],
)
async def test_rules_router_takes_the_matching_route(
    harness: Harness, given: dict[str, str], expected: str
) -> None:
    result = await harness.run(_rules_router_graph(), given)

    assert result.status == "succeeded"
    assert result.started == ["input", "triage", f"{expected}_agent", "output"]
    assert result.of("node_started")[1].kind == "router"
    assert result.finished("triage") == expected
    assert result.run.output.startswith("[demo model] ")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("my invoice is wrong", "billing"),  # the answer is a route name
        ("the app crashes", "tech"),  # the answer mentions a route
        ("what's the weather", "general"),  # anything else: the default route
    ],
)
async def test_llm_router_follows_the_model(harness: Harness, message: str, expected: str) -> None:
    routes = [
        route("billing", description="Invoices and payments"),
        route("tech", description="Bugs and crashes"),
    ]
    nodes = [
        input_node(),
        router("triage", routes, "general", strategy="llm", label="Triage"),
        agent("billing_agent", "Billing"),
        agent("tech_agent", "Tech"),
        agent("general_agent", "General"),
        output_node(),
    ]
    edges = [edge("input", "triage")]
    for name in ("billing", "tech", "general"):
        edges += [edge("triage", f"{name}_agent", name), edge(f"{name}_agent", "output")]

    result = await harness.run(graph("LLM router", nodes, edges), {"message": message})

    assert result.status == "succeeded"
    assert result.started == ["input", "triage", f"{expected}_agent", "output"]
    assert result.finished("triage") == expected
    (sent,) = harness.sent_to("Triage")
    assert sent.system.startswith(ROUTER_PROMPT)
    assert "billing: Invoices and payments" in sent.system
    assert message in sent.texts("user")[-1]
    assert result.run.totals.tokens > 0  # the router's model call is counted


async def test_memory_stored_in_one_run_is_retrieved_in_a_later_run(harness: Harness) -> None:
    spec = linear(
        "Remember",
        memory_node("recall", "facts", "retrieve", query="{{ input.message }}"),
        agent("answerer", "Answerer"),
        memory_node("remember", "facts", "store"),
        memories=[{"id": "facts", "type": "long_term"}],
    )
    graph_id = harness.save(spec)

    first = await harness.run(graph_id, {"message": "the sky on Mars is butterscotch"})
    second = await harness.run(graph_id, {"message": "what colour is the sky on Mars"})

    assert first.status == second.status == "succeeded"
    assert first.started == second.started == ["input", "recall", "answerer", "remember", "output"]
    assert first.run.thread_id != second.run.thread_id  # long-term memory spans threads
    stored = first.finished("answerer")
    first_prompt, second_prompt = (r.system for r in harness.sent_to("Answerer"))
    assert "butterscotch" not in first_prompt
    assert stored in second_prompt  # retrieved, then given to the next agent as context


async def test_conversation_memory_stays_in_its_thread(harness: Harness) -> None:
    spec = linear(
        "Chat memory",
        memory_node("recall", "chat", "retrieve"),
        agent("answerer", "Answerer"),
        memory_node("remember", "chat", "store"),
        memories=[{"id": "chat", "type": "conversation"}],
    )
    graph_id = harness.save(spec)

    await harness.run(graph_id, {"message": "my cat is called Pixel"}, thread_id="t-one")
    await harness.run(graph_id, {"message": "what is my cat called"}, thread_id="t-two")
    await harness.run(graph_id, {"message": "what is my cat called"}, thread_id="t-one")

    prompts = [r.system for r in harness.sent_to("Answerer")]
    assert ["Pixel" in p for p in prompts] == [False, False, True]


async def test_agent_memory_refs_give_the_agent_context(harness: Harness) -> None:
    spec = linear(
        "Agent memory",
        agent("answerer", "Answerer", memory=["facts"]),
        memory_node("remember", "facts", "store"),
        memories=[{"id": "facts", "type": "long_term"}],
    )
    graph_id = harness.save(spec)

    first = await harness.run(graph_id, {"message": "zebras are striped"})
    second = await harness.run(graph_id, {"message": "are zebras striped"})

    assert first.status == second.status == "succeeded"
    assert second.started == ["input", "answerer", "remember", "output"]
    first_prompt, second_prompt = (r.system for r in harness.sent_to("Answerer"))
    assert "Relevant context" not in first_prompt
    assert first.finished("answerer") in second_prompt
