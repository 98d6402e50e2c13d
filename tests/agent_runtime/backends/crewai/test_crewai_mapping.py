"""How the CrewAI backend maps a graph and looks after its CrewAI objects.

Crews for agent chains (built once per compiled graph, one per concurrent run),
CrewAI's prompts as the model receives them, threads in the store, token
streaming, and what happens to a run's CrewAI objects when it is cut short.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import Any

from crewai import Process

from agent_runtime.backends.crewai_backend._backend import recent_turns
from agent_runtime.backends.crewai_backend._crews import EXPECTED_OUTPUT
from agent_runtime.backends.crewai_backend._llm import build_llm
from agent_runtime.backends.crewai_backend._plan import make_plan
from agent_runtime.models import ModelEndpoint
from tests.agent_runtime.backends._offline import lower_offline
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
    memory_node,
    output_node,
    route,
    router,
)
from tests.agent_runtime.conformance._harness import Harness, MakeHarness

SCRIPT = {
    "rules": [
        {"when": {"system": "You are Slow"}, "content": "slow answer", "delay_seconds": 0.3},
        {"when": {"system": "You are Sleepy"}, "content": "awake", "delay_seconds": 1.5},
    ]
}


def _plan(spec: dict[str, Any]) -> Any:
    return make_plan(lower_offline(spec))


def _executable(harness: Harness, spec: dict[str, Any]) -> Any:
    graph_id = harness.save(spec)
    return graph_id, harness.runtime.prepare(harness.store.get_spec(graph_id, 1), "crewai")


def test_a_straight_graph_is_units_with_agent_chains() -> None:
    spec = linear(
        "Units",
        agent("a", "Alpha"),
        agent("b", "Beta"),
        memory_node("remember", "facts", "store"),
        agent("c", "Gamma"),
        memories=[{"id": "facts", "type": "long_term"}],
    )
    plan = _plan(spec)

    assert plan.straight
    assert [[n.id for n in u.nodes] for u in plan.units] == [
        ["input"],
        ["a", "b"],
        ["remember"],
        ["c"],
        ["output"],
    ]


def test_routing_makes_a_flow_and_joins_wait_for_any() -> None:
    nodes = [
        input_node(),
        agent("w", "Writer"),
        agent("e", "Editor"),
        router("check", [route("done", condition("contains", value="ok"))], "again"),
        output_node(),
    ]
    edges = [*chain("input", "w", "e", "check"), edge("check", "output", "done")]
    edges.append(edge("check", "w", "again"))
    plan = _plan(graph("Loop", nodes, edges))

    assert not plan.straight and not plan.joins_wait_for_all
    assert [u.id for u in plan.units] == ["input", "w", "check", "output"]


async def test_an_agent_chain_is_one_sequential_crew_with_the_agents_prompts(
    make_harness: MakeHarness,
) -> None:
    harness = await make_harness()
    spec = linear(
        "Crew",
        agent("a", "Alpha", role="Researcher", goal="Find facts", instructions="Be brief."),
        agent("b", "Beta", tools=["calc"]),
        tools=[builtin_tool("calc", "calculator")],
    )
    graph_id, executable = _executable(harness, spec)
    (kit,) = executable.kits._free
    crew = kit.crews["a"]

    assert crew.process == Process.sequential
    assert [a.role for a in crew.agents] == ["Alpha", "Beta"]
    assert [(t.expected_output, t.agent.role) for t in crew.tasks] == [
        ("Find facts", "Alpha"),
        (EXPECTED_OUTPUT, "Beta"),
    ]
    assert [t.name for t in kit.agents["b"].tools] == ["calc"]

    result = await harness.run(graph_id, {"message": "what is up"})

    assert result.status == "succeeded"
    alpha, beta = harness.sent_to("Alpha")[0], harness.sent_to("Beta")[0]
    assert (
        alpha.system
        == "You are Alpha. Role: Researcher\nBe brief.\nYour personal goal is: Find facts"
    )
    assert alpha.texts("user")[-1].startswith("\nCurrent Task: what is up\n\n")
    assert beta.texts("user")[-1].startswith(f"\nCurrent Task: {result.finished('a')}\n")
    assert beta.tool_names == ["calc"]


async def test_runs_reuse_the_crew_and_concurrent_runs_get_their_own(
    make_harness: MakeHarness,
) -> None:
    harness = await make_harness()
    graph_id, executable = _executable(harness, linear("Slow", agent("s", "Slow")))
    (kit,) = executable.kits._free

    for _ in range(2):
        assert (await harness.run(graph_id, {"message": "go"})).status == "succeeded"
    assert executable.kits._free == [kit]  # built once, at compile time

    both = await asyncio.gather(*(harness.run(graph_id, {"message": m}) for m in "xy"))

    assert [r.run.output for r in both] == ["slow answer", "slow answer"]
    assert len(executable.kits._free) == 2 and kit in executable.kits._free


async def test_a_cancelled_run_leaves_its_crew_behind(make_harness: MakeHarness) -> None:
    harness = await make_harness()
    graph_id, executable = _executable(harness, linear("Sleepy", agent("s", "Sleepy")))
    (kit,) = executable.kits._free
    run = harness.start(graph_id, {"message": "go"})
    task = asyncio.create_task(harness.execute(run.id))
    while not harness.sent_to("Sleepy"):
        await asyncio.sleep(0.01)

    harness.runtime.cancel(run.id)
    cancelled = await task

    assert cancelled.status == "cancelled"
    assert executable.kits._free == []  # its model call may still be waiting in a thread
    started = time.monotonic()
    again = await harness.run(graph_id, {"message": "go"})
    assert again.status == "succeeded" and again.run.output == "awake"
    assert time.monotonic() - started >= 1.4
    assert executable.kits._free and executable.kits._free[0] is not kit


async def test_tokens_stream_as_the_agents_answer_unless_turned_off(
    make_harness: MakeHarness,
) -> None:
    harness = await make_harness()
    graph_id = harness.save(linear("Two", agent("a", "Alpha"), agent("b", "Beta")))
    streamed = await harness.run(graph_id, {"message": "hi"})

    for node in ("a", "b"):
        text = "".join(e.delta for e in streamed.of("token") if e.node_id == node)
        assert text == streamed.finished(node)
    assert all(r.stream for r in harness.server.requests)

    run = harness.start(graph_id, {"message": "hi"})
    quiet = [e async for e in harness.runtime.execute(run.id, stream_tokens=False)]
    assert [e for e in quiet if e.type == "token"] == []
    assert quiet[-1].output == streamed.run.output
    assert not harness.server.requests[-1].stream


async def test_a_thread_is_kept_in_the_store_for_the_crewai_backend(
    make_harness: MakeHarness,
) -> None:
    harness = await make_harness()
    spec = graph(
        "Approve",
        [input_node(), agent("w", "Writer"), human("ok"), output_node()],
        [*chain("input", "w", "ok"), edge("ok", "output", "approved")],
    )
    graph_id = harness.save(spec)
    waiting = await harness.run(graph_id, {"message": "a post"}, thread_id="t-1")

    saved = harness.store.get_thread_state("t-1", "crewai")
    assert saved["history"] == [["user", "a post"]]
    assert saved["waiting"]["run_id"] == waiting.run.id
    assert saved["waiting"]["state"]["waiting"]["node"] == "ok"

    await harness.execute(waiting.run.id, resume={"approved": True})

    saved = harness.store.get_thread_state("t-1", "crewai")
    assert saved == {
        "history": [["user", "a post"], ["assistant", waiting.finished("w")]],
        "waiting": None,
    }
    assert harness.store.get_thread_state("t-1", "langgraph") is None


def test_a_thread_keeps_its_last_fifty_turns_whole() -> None:
    history = [[role, f"{role} {i}"] for i in range(60) for role in ("user", "assistant")]
    history.insert(3, ["assistant", "a second answer to turn 1"])

    kept = recent_turns(history)

    assert len([m for m in kept if m[0] == "user"]) == 50
    assert kept[0] == ["user", "user 10"] and kept[-1] == ["assistant", "assistant 59"]
    assert recent_turns(history[:6]) == history[:6]


def test_loading_the_backend_loads_crewai_only_and_turns_its_telemetry_off() -> None:
    probe = (
        "import os, sys\n"
        "os.environ.pop('CREWAI_DISABLE_TELEMETRY', None)\n"
        "from agent_runtime.backends import get_backend\n"
        "get_backend('crewai')\n"
        "mods = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(mods & {'crewai', 'langgraph', 'autogen_agentchat'}),"
        " os.environ['CREWAI_DISABLE_TELEMETRY'], os.environ['CREWAI_TRACING_ENABLED'])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['crewai']", "true", "false"]


def test_azure_openai_goes_through_its_deployment_url() -> None:
    endpoint = ModelEndpoint(
        id="az",
        provider="azure_openai",
        model="my-deployment",
        base_url="https://example.openai.azure.com",
        api_key="secret",
        api_version="2024-06-01",
        request_timeout=12.0,
    )

    llm = build_llm(endpoint)

    assert llm.base_url == "https://example.openai.azure.com/openai/deployments/my-deployment"
    assert llm.default_query == {"api-version": "2024-06-01"}
    assert llm.default_headers == {"api-key": "secret"}
    assert (llm.model, llm.timeout, llm.max_retries, llm.stream) == (
        "my-deployment",
        12.0,
        0,
        False,
    )
