"""Orchestration overhead of the CrewAI backend against hand-written CrewAI.

    .venv/bin/python bench/bench_backend_crewai.py [--runs 300]

Everything runs in this process, on one event loop, against the same
zero-latency OpenAI-compatible endpoint, through CrewAI's native OpenAI client
(``LLM(model="openai/...")``) with the same settings: no streaming, no
retries, no context-window summarising. Shape: 3 agents in sequence.

- raw: hand-written CrewAI — one ``Crew`` of 3 ``Agent``s and 3 ``Task``s,
  sequential, the second and third task taking the previous one's output as
  context, built once and kicked off (``akickoff``) for every run.
- backend: our compiled executable (``Executable.stream``) without a store:
  the same crew shape, plus events, step and token limits — what the target
  (at most 1.10x) is about.
- runtime: the whole ``Runtime.execute`` path: SQLite store, every event and the
  thread's state stored (reported for information).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("CREWAI_DISABLE_TELEMETRY", "true")
os.environ.setdefault("CREWAI_TRACING_ENABLED", "false")

from _endpoint import ZeroLatencyEndpoint
from crewai import LLM, Agent, Crew, Process, Task

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


def raw_crew(url: str) -> Crew:
    """The same three agents written by hand, the CrewAI way."""
    llm = LLM(model="openai/orchestrall-demo", base_url=url, api_key="demo", max_retries=0)
    tasks: list[Task] = []
    for i, name in enumerate(NAMES):
        agent = Agent(
            role=name.title(),
            goal="",
            backstory="Answer.",
            llm=llm,
            allow_delegation=False,
            respect_context_window=False,
            verbose=False,
        )
        tasks.append(
            Task(
                description="{question}" if i == 0 else "Work on what you are given.",
                expected_output="A complete answer.",
                agent=agent,
                context=tasks[-1:],
            )
        )
    return Crew(
        agents=[t.agent for t in tasks],
        tasks=tasks,
        process=Process.sequential,
        verbose=False,
        tracing=False,
    )


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
    crew = raw_crew(url)

    async def run_raw():
        await crew.akickoff(inputs={"question": TASK})

    graph_spec = spec()
    graph = lower(parse_spec(graph_spec), settings=settings, secrets={})
    executable = get_backend("crewai").compile(graph, BackendServices(memory=InMemoryMemory()))

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
        run = runtime.start(graph_id, {"message": TASK}, backend="crewai")
        async for _ in runtime.execute(run.id, stream_tokens=False):
            pass

    samples = await paired({"raw": run_raw, "backend": run_backend, "runtime": run_runtime}, runs)
    results: dict[str, Any] = {name: statistics.median(v) for name, v in samples.items()}
    results["backend_ratio"] = ratio(samples, "backend", "raw")
    results["runtime_ratio"] = ratio(samples, "runtime", "raw")
    await runtime.aclose()
    store.close()
    return results


async def main(runs: int) -> None:
    with ZeroLatencyEndpoint() as url:
        r = await measure(url, runs)
    print(f"3 agents, sequential ({runs} runs each, median):")
    print(f"  raw CrewAI (Crew.akickoff) {r['raw']:7.2f} ms")
    print(
        f"  our backend                {r['backend']:7.2f} ms   paired ratio "
        f"{r['backend_ratio']:5.2f}x"
    )
    print(
        f"  full runtime (store)       {r['runtime']:7.2f} ms   paired ratio "
        f"{r['runtime_ratio']:5.2f}x"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    asyncio.run(main(parser.parse_args().runs))
