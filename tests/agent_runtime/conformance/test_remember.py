"""An agent's ``remember`` tool stores facts in the run's memory, the same on every backend.

The scripted model calls ``remember`` when the user says their name, and answers
from its system prompt when an earlier fact was retrieved into it. Long-term
memory carries the fact to every thread of the graph; conversation memory keeps
it in the thread that stored it.
"""

from __future__ import annotations

import pytest

from agent_runtime.memory import MemoryScope, remember_tool
from agent_runtime.spec import MemorySpec
from tests.agent_runtime.conformance._graphs import agent, linear
from tests.agent_runtime.conformance._harness import Harness

SCRIPT = {
    "rules": [
        {"when": {"system": "You are Keeper", "tool_name": "remember"}, "content": "Noted."},
        {
            "when": {"system": "You are Keeper", "task": {"regex": r"my name is (?P<name>\w+)"}},
            "tool_calls": [{"name": "remember", "arguments": {"fact": "The user is {name}."}}],
        },
        {
            "when": {"system": {"regex": r"The user is (?P<name>\w+)\."}},
            "content": "You are {name}.",
        },
        {"when": {"system": "You are Keeper"}, "content": "I do not know you yet."},
    ]
}


def keeper(memory_type: str) -> dict:
    return linear(
        "Keeper",
        agent("keeper", "Keeper", memory=["facts"], remember="facts"),
        memories=[{"id": "facts", "type": memory_type}],
    )


async def test_a_remembered_fact_is_recalled_in_another_thread(harness: Harness) -> None:
    graph_id = harness.save(keeper("long_term"))

    told = await harness.run(graph_id, {"message": "Hello, my name is Ada"}, thread_id="t-one")

    assert told.status == "succeeded", told.last
    assert told.run.output == "Noted."
    (called,) = told.of("tool_called")
    assert (called.node_id, called.tool, called.arguments) == (
        "keeper",
        "remember",
        {"fact": "The user is Ada."},
    )
    (result,) = told.of("tool_result")
    assert result.result == "remembered: The user is Ada." and not result.is_error
    (sent, _) = harness.sent_to("Keeper")
    assert "remember" in sent.tool_names

    asked = await harness.run(graph_id, {"message": "Who am I?"}, thread_id="t-two")

    assert asked.run.output == "You are Ada."
    (retrieved,) = asked.of("memory_retrieved")
    assert retrieved.hits[0].text == "The user is Ada."
    assert retrieved.hits[0].metadata["source"] == "remember"
    assert retrieved.hits[0].metadata["node_id"] == "keeper"


async def test_conversation_memory_remembers_only_in_its_thread(harness: Harness) -> None:
    graph_id = harness.save(keeper("conversation"))
    told = await harness.run(graph_id, {"message": "my name is Grace"}, thread_id="t-one")
    assert told.status == "succeeded", told.last

    other = await harness.run(graph_id, {"message": "Who am I?"}, thread_id="t-two")
    same = await harness.run(graph_id, {"message": "Who am I?"}, thread_id="t-one")

    assert other.run.output == "I do not know you yet."
    assert same.run.output == "You are Grace."
    facts = MemorySpec(id="facts", type="conversation")
    stored = await harness.runtime.services.memory.retrieve(
        facts, "user", scope=MemoryScope(graph_id, "t-one")
    )
    assert [h.text for h in stored] == ["The user is Grace."]
    assert stored[0].metadata["thread_id"] == "t-one"


@pytest.mark.parametrize(
    ("arguments", "answer"),
    [
        ({"fact": "   "}, "error: give the fact to remember as text in 'fact'"),
        ({"fact": "x" * 2001}, "error: a fact is at most 2000 characters; store a summary"),
    ],
)
async def test_a_bad_fact_is_an_error_the_agent_sees(arguments, answer) -> None:
    tool = remember_tool(MemorySpec(id="facts", type="long_term"), "keeper")
    assert await tool.invoke(arguments) == answer
    assert await tool.invoke({"fact": "fine"}) == "error: remember works only while the agent runs"
