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
from typing import Annotated, TypedDict

from _endpoint import ZeroLatencyEndpoint
from _paired import TASK, OurRuns, agents_spec, medians, paired, ratio, row
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from langgraph.graph import END, START, StateGraph


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


async def measure(url: str, runs: int, names: list[str], parallel: bool) -> dict[str, float]:
    llm = ChatOpenAI(model="orchestrall-demo", base_url=url, api_key="demo", max_retries=0)
    raw = raw_graph(llm, names, parallel)
    ours = OurRuns("langgraph", agents_spec(names, parallel), url)

    async def run_raw():
        await raw.ainvoke({"last": TASK, "outputs": []})

    samples = await paired({"raw": run_raw, "backend": ours.backend_run}, runs, warm_up=10)
    results = medians(samples)
    results["paired_ratio"] = ratio(samples, "backend", "raw")
    full = await paired(
        {"raw": run_raw, "runtime": ours.runtime_run}, max(20, runs // 4), warm_up=10
    )
    results["runtime"] = statistics.median(full["runtime"])
    results["runtime_ratio"] = ratio(full, "runtime", "raw")
    await ours.aclose()
    return results


async def main(runs: int) -> None:
    with ZeroLatencyEndpoint() as url:
        for label, names, parallel in (
            ("3 agents, sequential", ["researcher", "writer", "editor"], False),
            ("5-way fan-out", [f"agent{i}" for i in range(5)], True),
        ):
            r = await measure(url, runs, names, parallel)
            print(f"{label}:")
            print(row("raw LangGraph", r["raw"], width=20))
            print(row("our backend", r["backend"], r["paired_ratio"], width=20))
            print(row("full runtime (store)", r["runtime"], r["runtime_ratio"], width=20))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    asyncio.run(main(parser.parse_args().runs))
