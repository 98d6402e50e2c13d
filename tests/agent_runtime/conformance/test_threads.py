"""Conversation threads on every backend: later runs on a thread see its earlier turns."""

from __future__ import annotations

import re

from tests.agent_runtime.conformance._graphs import agent, linear
from tests.agent_runtime.conformance._harness import Harness

TURNS = 30


async def test_a_thread_remembers_thirty_turns(harness: Harness) -> None:
    graph_id = harness.save(linear("Chat", agent("chat", "Chatty")))
    outputs = []
    for turn in range(1, TURNS + 1):
        result = await harness.run(graph_id, {"message": f"question {turn}"}, thread_id="long")
        assert result.status == "succeeded"
        outputs.append(result.run.output)

    last = await harness.run(graph_id, {"message": "what did I ask first?"}, thread_id="long")

    assert last.status == "succeeded"
    sent = harness.sent_to("Chatty")[-1]
    assert "what did I ask first?" in sent.texts("user")[-1]  # the new task comes last
    # Every earlier question and answer is in the prompt, oldest first.
    positions = []
    for turn, answer in zip(range(1, TURNS + 1), outputs, strict=True):
        found = re.search(rf"question {turn}\b", sent.text)
        assert found is not None, f"turn {turn} is missing"
        assert sent.text.find(answer, found.end()) > 0, f"answer {turn} is missing"
        positions.append(found.start())
    assert positions == sorted(positions)


async def test_threads_do_not_share_history(harness: Harness) -> None:
    graph_id = harness.save(linear("Chat", agent("chat", "Chatty")))
    await harness.run(graph_id, {"message": "my secret word is plum"}, thread_id="one")
    await harness.run(graph_id, {"message": "what is my secret word?"}, thread_id="two")
    await harness.run(graph_id, {"message": "and now?"}, thread_id="one")

    _, other, again = harness.sent_to("Chatty")
    assert "plum" not in other.text
    assert "my secret word is plum" in again.text
    assert "and now?" in again.texts("user")[-1]


async def test_runs_without_a_thread_start_fresh(harness: Harness) -> None:
    graph_id = harness.save(linear("Chat", agent("chat", "Chatty")))
    first = await harness.run(graph_id, {"message": "one"})
    second = await harness.run(graph_id, {"message": "two"})

    assert first.run.thread_id != second.run.thread_id
    assert "one" not in harness.sent_to("Chatty")[-1].text


async def test_after_a_failed_run_the_next_run_on_the_thread_gets_only_its_input(
    harness: Harness,
) -> None:
    graph_id = harness.save(linear("Chat", agent("chat", "Chatty")))
    dead = {"provider": "openai_compatible", "model": "m", "base_url": "http://127.0.0.1:9/v1"}
    failed = await harness.run(graph_id, {"message": "first"}, thread_id="t", model=dead)
    assert failed.status == "failed" and failed.run.error["code"] == "model_unavailable"

    second = await harness.run(graph_id, {"message": "second"}, thread_id="t")

    assert second.status == "succeeded"
    given = {e.node_id: e.input for e in second.of("node_started")}
    assert given["chat"] == "second"
    assert harness.sent_to("Chatty")[-1].task == "second"
