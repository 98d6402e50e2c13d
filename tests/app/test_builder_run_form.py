"""The Run tab's form, engine and model choice, and the trace's details, on the real executor."""

from __future__ import annotations

import reflex as rx

from app.pages.builder_run_state import BuilderRunState
from app.services import graphs
from tests.agent_runtime.conformance._graphs import (
    agent,
    builtin_tool,
    chain,
    graph,
    input_node,
    linear,
    output_node,
)
from tests.app.conftest import save_graph

SCRIPT = {
    "rules": [
        {
            "when": {"system": "You are Mathlete", "last_role": "user"},
            "tool_calls": [{"name": "calc", "arguments": {"expression": "6 * 7"}}],
        },
        {"when": {"system": "You are Mathlete"}, "content": "It is {tool_result}."},
    ]
}
FIELDS = [
    {"name": "topic", "type": "text", "description": "What about"},
    {"name": "count", "type": "number"},
    {"name": "urgent", "type": "boolean", "required": False},
]


def panel(graph_id: str) -> BuilderRunState:
    """The Run tab of ``graph_id`` as it is when the tab opens."""
    root = rx.State()
    state = root.get_substate(BuilderRunState.get_full_name().split("."))
    state.panel_graph = graph_id
    state.refresh_form()
    return state


def form_graph() -> dict:
    return graph(
        "Form",
        [input_node(fields=FIELDS), agent("alpha", "Alpha"), output_node()],
        chain("input", "alpha", "output"),
    )


async def test_declared_input_fields_become_a_form_and_typed_run_input(services: None) -> None:
    graph_id = save_graph(form_graph())
    state = panel(graph_id)
    assert state.structured
    assert [(f.name, f.type, f.required) for f in state.fields] == [
        ("topic", "text", True),
        ("count", "number", True),
        ("urgent", "boolean", False),
    ]

    state.set_field("topic", "bees")
    state.set_field("count", "3")
    state.set_field("urgent", True)
    await BuilderRunState.start_run.fn(state, graph_id)

    assert state.status == "succeeded", state.error_detail
    stored = graphs.get_store().get_run(state.run_id).input
    assert stored == {"topic": "bees", "count": 3, "urgent": True}
    assert "bees" in state.trace[0].input


async def test_a_wrong_or_missing_field_is_named_before_anything_runs(services: None) -> None:
    graph_id = save_graph(form_graph())
    state = panel(graph_id)

    state.set_field("topic", "bees")
    state.set_field("count", "three")
    await BuilderRunState.start_run.fn(state, graph_id)
    assert state.error == "'count' must be a number (you typed 'three')."
    assert graphs.get_store().list_runs(graph_id=graph_id) == []

    state.set_field("count", "")
    await BuilderRunState.start_run.fn(state, graph_id)
    assert state.status == "failed" and "'count' is required" in state.error


async def test_a_chat_graph_keeps_the_message_box(services: None) -> None:
    state = panel(save_graph(linear("Chat", agent("alpha", "Alpha"))))
    assert not state.structured and [f.name for f in state.fields] == ["message"]


async def test_the_demo_model_choice_runs_a_graph_whose_own_model_is_unreachable(
    services: None,
) -> None:
    spec = linear("Far away", agent("alpha", "Alpha"))
    spec["models"] = [
        {
            "id": "far",
            "provider": "openai_compatible",
            "model": "far-1",
            "base_url": "http://127.0.0.1:9/v1",
        }
    ]
    spec["default_model"] = "far"
    graph_id = save_graph(spec)
    state = panel(graph_id)
    assert [m.value for m in state.models][:2] == ["graph", "demo"]

    state.message = "hi"
    await BuilderRunState.start_run.fn(state, graph_id)
    assert state.status == "failed"
    assert state.error.startswith("The model could not be reached.")
    assert state.trace[-1].node_id == "alpha" and state.trace[-1].status == "failed"
    assert state.trace[-1].error == state.error
    assert state.trace[-1].error_detail.startswith("model_unavailable: ")

    state.set_model_choice("demo")
    await BuilderRunState.start_run.fn(state, graph_id)
    assert state.status == "succeeded", state.error_detail
    assert graphs.get_store().get_run(state.run_id).options["model"]["provider"] == "demo"


async def test_a_provider_choice_without_a_model_name_says_so(services: None) -> None:
    graph_id = save_graph(linear("Chat", agent("alpha", "Alpha")))
    state = panel(graph_id)
    state.message = "hi"
    state.model_choice = "openai"

    await BuilderRunState.start_run.fn(state, graph_id)

    assert state.status == "failed"
    assert state.error.startswith("Type the name of the model to use")


async def test_trace_rows_carry_input_output_and_tool_calls(services: None) -> None:
    spec = graph(
        "Maths",
        [input_node(), agent("math", "Mathlete", tools=["calc"]), output_node()],
        chain("input", "math", "output"),
        tools=[builtin_tool("calc", "calculator")],
    )
    graph_id = save_graph(spec)
    state = panel(graph_id)
    state.message = "what is six times seven?"

    await BuilderRunState.start_run.fn(state, graph_id)

    assert state.status == "succeeded", state.error_detail
    math = next(r for r in state.trace if r.node_id == "math")
    assert math.input == "what is six times seven?"
    assert math.output == "It is 42." and math.tool_calls == 1
    assert math.tools == ['calc {"expression": "6 * 7"} → 42']
    assert math.start.startswith("+") and math.start.endswith(" s")
    assert state.steps == 3
