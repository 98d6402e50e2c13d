"""Orchestration overhead of the LangGraph backend against hand-written LangGraph.

    .venv/bin/python bench/bench_orchestration.py [--runs 200]

Both run in this process, on one event loop, against the same zero-latency
OpenAI-compatible endpoint, through the same ``ChatOpenAI`` client settings
(no streaming, no retries). Shapes: 3 agents in sequence, and a 5-way fan-out.

- raw: a ``StateGraph`` whose nodes call ``ChatOpenAI.ainvoke`` directly.
- backend: our compiled executable (``Executable.stream``) without a checkpointer,
  events and limits included — what the target (at most 1.10x) is about.
- runtime: the whole ``Runtime.execute`` path: SQLite store, every event stored,
  SQLite checkpoints (reported for information).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import operator
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated, TypedDict

from _endpoint import ZeroLatencyEndpoint
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from langgraph.graph import END, START, StateGraph

from agent_runtime.backends import get_backend
from agent_runtime.compiler import lower
from agent_runtime.execution import BackendServices, RunControl, RunRequest
from agent_runtime.memory import InMemoryMemory
from agent_runtime.runtime import Runtime
from agent_runtime.settings import Settings
from agent_runtime.spec import new_graph_spec, parse_spec
from agent_runtime.store import open_store


def spec(names: list[str], parallel: bool) -> dict:
    s = new_graph_spec("bench")
    agents = [
        {"id": n, "kind": "agent", "name": n.title(), "instructions": "Answer."} for n in names
    ]
    s["nodes"] = [s["nodes"][0], *agents, s["nodes"][1]]
    if parallel:
        edges = [("input", n) for n in names] + [(n, "output") for n in names]
    else:
        chain = ["input", *names, "output"]
        edges = list(itertools.pairwise(chain))
    s["edges"] = [{"id": f"e{i}", "source": a, "target": b} for i, (a, b) in enumerate(edges)]
    return s


class RawState(TypedDict):
    last: str
    outputs: Annotated[list[str], operator.add]


def raw_graph(llm: ChatOpenAI, names: list[str], parallel: bool):
    builder = StateGraph(RawState)

    def agent(name: str):
        async def run(state: RawState) -> dict:
            prompt = [
                SystemMessage(f"You are {name.title()}.\nAnswer."),
                HumanMessage(state["last"]),
            ]
            reply = await llm.ainvoke(prompt)
            if parallel:
                return {"outputs": [reply.content]}
            return {"last": reply.content, "outputs": [reply.content]}

        return run

    for name in names:
        builder.add_node(name, agent(name))
    if parallel:

        async def join(state: RawState) -> dict:
            return {"last": "\n\n".join(state["outputs"])}

        builder.add_node("join", join)
        for name in names:
            builder.add_edge(START, name)
            builder.add_edge(name, "join")
        builder.add_edge("join", END)
    else:
        builder.add_edge(START, names[0])
        for a, b in itertools.pairwise(names):
            builder.add_edge(a, b)
        builder.add_edge(names[-1], END)
    return builder.compile()


async def paired(fns: dict, runs: int) -> dict[str, float]:
    """Median ms of each function, run interleaved (one of each per round) to cancel drift."""
    for _ in range(10):
        for fn in fns.values():
            await fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            await fn()
            samples[name].append((time.perf_counter() - start) * 1000)
    result = {name: statistics.median(v) for name, v in samples.items()}
    ratios = [o / r for o, r in zip(samples["backend"], samples["raw"], strict=True)]
    result["paired_ratio"] = statistics.median(ratios)
    return result


async def measure(url: str, runs: int, names: list[str], parallel: bool) -> dict[str, float]:
    data_dir = Path(tempfile.mkdtemp())
    settings = Settings(data_dir=data_dir, default_base_url=url)
    llm = ChatOpenAI(model="orchestrall-demo", base_url=url, api_key="demo", max_retries=0)
    raw = raw_graph(llm, names, parallel)
    graph_spec = spec(names, parallel)
    graph = lower(parse_spec(graph_spec), settings=settings, secrets={})
    executable = get_backend("langgraph").compile(graph, BackendServices(memory=InMemoryMemory()))

    async def run_raw():
        await raw.ainvoke({"last": "What is the answer?", "outputs": []})

    async def run_backend():
        request = RunRequest(
            run_id="r",
            thread_id="t",
            input={"message": "What is the answer?"},
            stream_tokens=False,
        )
        async for _ in executable.stream(request, RunControl(limits=graph.limits)):
            pass

    store = open_store(settings=settings)
    runtime = Runtime(settings=settings, store=store)
    graph_id = store.create_graph("bench", spec=graph_spec).id

    async def run_runtime():
        run = runtime.start(graph_id, {"message": "What is the answer?"})
        async for _ in runtime.execute(run.id, stream_tokens=False):
            pass

    results = await paired({"raw": run_raw, "backend": run_backend}, runs)
    full = await paired({"raw": run_raw, "backend": run_runtime}, max(20, runs // 4))
    results["runtime"], results["runtime_ratio"] = full["backend"], full["paired_ratio"]
    await runtime.aclose()
    store.close()
    return results


async def main(runs: int) -> None:
    with ZeroLatencyEndpoint() as url:
        for label, names, parallel in (
            ("3 agents, sequential", ["researcher", "writer", "editor"], False),
            ("5-way fan-out", [f"agent{i}" for i in range(5)], True),
        ):
            r = await measure(url, runs, names, parallel)
            print(f"{label}:")
            print(f"  raw LangGraph        {r['raw']:7.2f} ms")
            print(
                f"  our backend          {r['backend']:7.2f} ms   paired ratio "
                f"{r['paired_ratio']:5.2f}x"
            )
            print(
                f"  full runtime (store) {r['runtime']:7.2f} ms   paired ratio "
                f"{r['runtime_ratio']:5.2f}x"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    asyncio.run(main(parser.parse_args().runs))
