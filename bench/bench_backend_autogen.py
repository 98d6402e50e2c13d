"""Orchestration overhead of the AutoGen backend against hand-written AutoGen.

    .venv/bin/python bench/bench_backend_autogen.py [--runs 300]

Everything runs in this process, on one event loop, against the same
zero-latency OpenAI-compatible endpoint, through AutoGen's
``OpenAIChatCompletionClient`` with the same settings (no streaming, no
retries, one client reused by every run). Shape: 3 agents in sequence.

- raw: hand-written AutoGen — a ``RoundRobinGroupChat`` of 3 ``AssistantAgent``s
  with the same system prompts, ``max_turns=3``. Two ways of writing it: one
  team reset before each run (``raw, reset``), or a new team per run (``raw,
  new team``); the faster of the two (median) is the baseline of the ratios.
- backend: our compiled executable (``Executable.stream``) without a store,
  events, step and token limits included — what the target (at most 1.10x) is
  about. It builds a round-robin team of the same agents for each run.
- runtime: the whole ``Runtime.execute`` path: SQLite store, every event and the
  thread's state stored (reported for information).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from _endpoint import ZeroLatencyEndpoint
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_core.models import ModelInfo
from autogen_ext.models.openai import OpenAIChatCompletionClient

from agent_runtime.backends import get_backend
from agent_runtime.compiler import lower
from agent_runtime.execution import BackendServices, RunControl, RunRequest
from agent_runtime.memory import InMemoryMemory
from agent_runtime.runtime import Runtime
from agent_runtime.settings import Settings
from agent_runtime.spec import new_graph_spec, parse_spec
from agent_runtime.store import open_store

NAMES = ["researcher", "writer", "editor"]
TASK = "What is the answer?"
INFO = ModelInfo(
    vision=False,
    function_calling=True,
    json_output=False,
    family="unknown",
    structured_output=False,
    multiple_system_messages=False,
)


def spec() -> dict:
    s = new_graph_spec("bench")
    agents = [
        {"id": n, "kind": "agent", "name": n.title(), "instructions": "Answer."} for n in NAMES
    ]
    s["nodes"] = [s["nodes"][0], *agents, s["nodes"][1]]
    chain = ["input", *NAMES, "output"]
    s["edges"] = [
        {"id": f"e{i}", "source": a, "target": b}
        for i, (a, b) in enumerate(itertools.pairwise(chain))
    ]
    return s


def raw_agents(client: OpenAIChatCompletionClient) -> list[AssistantAgent]:
    return [
        AssistantAgent(n, client, system_message=f"You are {n.title()}.\nAnswer.") for n in NAMES
    ]


async def paired(fns: dict, runs: int) -> dict[str, list[float]]:
    """Per-run ms of each function, run interleaved (one of each per round) to cancel drift."""
    for _ in range(20):
        for fn in fns.values():
            await fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            await fn()
            samples[name].append((time.perf_counter() - start) * 1000)
    return samples


def ratio(samples: dict[str, list[float]], name: str, baseline: str) -> float:
    """Median of the per-round ratios ``name / baseline``."""
    pairs = zip(samples[name], samples[baseline], strict=True)
    return statistics.median(o / r for o, r in pairs)


async def measure(url: str, runs: int) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp())
    settings = Settings(data_dir=data_dir, default_base_url=url)
    client = OpenAIChatCompletionClient(
        model="orchestrall-demo",
        base_url=url,
        api_key="demo",
        model_info=INFO,
        max_retries=0,
        include_name_in_message=False,
    )
    team = RoundRobinGroupChat(raw_agents(client), max_turns=3)

    async def run_raw_reset():
        await team.reset()
        await team.run(task=TASK)

    async def run_raw_new():
        await RoundRobinGroupChat(raw_agents(client), max_turns=3).run(task=TASK)

    graph_spec = spec()
    graph = lower(parse_spec(graph_spec), settings=settings, secrets={})
    executable = get_backend("autogen").compile(graph, BackendServices(memory=InMemoryMemory()))

    async def run_backend():
        request = RunRequest(
            run_id="r", thread_id="t", input={"message": TASK}, stream_tokens=False
        )
        async for _ in executable.stream(request, RunControl(limits=graph.limits)):
            pass

    store = open_store(settings=settings)
    runtime = Runtime(settings=settings, store=store)
    graph_id = store.create_graph("bench", spec=graph_spec).id

    async def run_runtime():
        run = runtime.start(graph_id, {"message": TASK}, backend="autogen")
        async for _ in runtime.execute(run.id, stream_tokens=False):
            pass

    fns = {
        "raw_reset": run_raw_reset,
        "raw_new": run_raw_new,
        "backend": run_backend,
        "runtime": run_runtime,
    }
    samples = await paired(fns, runs)
    results: dict[str, Any] = {name: statistics.median(v) for name, v in samples.items()}
    # The faster way of writing it by hand is the baseline.
    baseline = min(("raw_reset", "raw_new"), key=results.__getitem__)
    results["baseline"] = baseline
    results["backend_ratio"] = ratio(samples, "backend", baseline)
    results["runtime_ratio"] = ratio(samples, "runtime", baseline)
    await runtime.aclose()
    store.close()
    await executable.aclose()
    await client.close()
    return results


async def main(runs: int) -> None:
    with ZeroLatencyEndpoint() as url:
        r = await measure(url, runs)
    baseline = {"raw_reset": "raw, reset", "raw_new": "raw, new team"}[r["baseline"]]
    print(f"3 agents, sequential, {runs} paired runs (one loop, reused clients, zero latency):")
    print(f"  raw AutoGen, one team reset per run   {r['raw_reset']:7.2f} ms")
    print(f"  raw AutoGen, new team per run         {r['raw_new']:7.2f} ms")
    print(
        f"  our autogen backend                   {r['backend']:7.2f} ms   paired ratio "
        f"{r['backend_ratio']:5.2f}x (vs {baseline})"
    )
    print(
        f"  full runtime (store)                  {r['runtime']:7.2f} ms   paired ratio "
        f"{r['runtime_ratio']:5.2f}x (vs {baseline})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    asyncio.run(main(parser.parse_args().runs))
