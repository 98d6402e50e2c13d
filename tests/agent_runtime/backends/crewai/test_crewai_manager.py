"""A graph that asks for a manager runs as CrewAI's hierarchical process; others refuse it."""

from __future__ import annotations

import pytest

from agent_runtime.errors import UnsupportedFeatureError
from tests.agent_runtime.conformance._graphs import agent, linear


def _delegate(coworker: str) -> dict:
    call = {"task": "{task}", "context": "none", "coworker": coworker}
    return {"name": "delegate_work_to_coworker", "arguments": call}


# The manager hands each task to its owner with CrewAI's delegation tool: the Critic's
# task is the Writer's answer, the Writer's is the user's message.
SCRIPT = {
    "rules": [
        {
            "when": {"system": "You are Manager", "last_role": "user", "task": "Writer:"},
            "tool_calls": [_delegate("Critic")],
        },
        {
            "when": {"system": "You are Manager", "last_role": "user"},
            "tool_calls": [_delegate("Writer")],
        },
        {"when": {"system": "You are Manager", "last_role": "tool"}, "content": "{tool_result}"},
    ]
}


def managed_graph() -> dict:
    spec = linear("Managed", agent("writer", "Writer"), agent("critic", "Critic"))
    spec["manager"] = {"instructions": "Hand each task to the coworker it belongs to."}
    return spec


async def test_a_manager_delegates_the_tasks_to_the_agents(make_harness) -> None:
    harness = await make_harness("crewai")
    result = await harness.run(managed_graph(), {"message": "a poem about bees"})

    assert result.status == "succeeded", result.run.error
    assert result.started == ["input", "writer", "critic", "output"]
    speakers = [r.agent for r in harness.server.requests]
    assert [s for s in speakers if s != "Manager"] == ["Writer", "Critic"]
    assert speakers[0] == "Manager" and speakers[-1] == "Manager"
    manager = harness.server.requests[0]
    assert "Hand each task to the coworker it belongs to." in manager.system
    assert "delegate_work_to_coworker" in manager.tool_names
    writer_said = result.finished("writer")
    assert writer_said == '[demo model] Writer: received "a poem about bees"'
    assert result.run.output.startswith("[demo model] Critic: received")
    assert "Writer: received" in result.run.output
    writer = next(e for e in result.of("node_finished") if e.node_id == "writer")
    assert writer.prompt_tokens > 0  # the manager's calls count at the step it manages


@pytest.mark.parametrize("backend", ["langgraph", "autogen"])
async def test_other_backends_refuse_a_manager_naming_the_feature(make_harness, backend) -> None:
    harness = await make_harness(backend)
    graph_id = harness.save(managed_graph())
    with pytest.raises(UnsupportedFeatureError) as refused:
        harness.runtime.start(graph_id, {"message": "hi"}, backend=backend)
    assert refused.value.feature == "team.manager" and refused.value.node_id == "writer"
    assert "a manager who delegates" in refused.value.message
