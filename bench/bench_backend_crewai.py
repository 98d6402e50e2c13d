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
import os
from typing import Any

os.environ.setdefault("CREWAI_DISABLE_TELEMETRY", "true")
os.environ.setdefault("CREWAI_TRACING_ENABLED", "false")

from _endpoint import ZeroLatencyEndpoint
from _paired import TASK, OurRuns, agents_spec, medians, paired, ratio, row
from crewai import LLM, Agent, Crew, Process, Task

NAMES = ["researcher", "writer", "editor"]


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


async def measure(url: str, runs: int) -> dict[str, Any]:
    crew = raw_crew(url)

    async def run_raw():
        await crew.akickoff(inputs={"question": TASK})

    ours = OurRuns("crewai", agents_spec(NAMES), url)
    fns = {"raw": run_raw, "backend": ours.backend_run, "runtime": ours.runtime_run}
    samples = await paired(fns, runs)
    results = medians(samples)
    results["backend_ratio"] = ratio(samples, "backend", "raw")
    results["runtime_ratio"] = ratio(samples, "runtime", "raw")
    await ours.aclose()
    return results


async def main(runs: int) -> None:
    with ZeroLatencyEndpoint() as url:
        r = await measure(url, runs)
    print(f"3 agents, sequential ({runs} runs each, median):")
    print(row("raw CrewAI (Crew.akickoff)", r["raw"], width=26))
    print(row("our backend", r["backend"], r["backend_ratio"], width=26))
    print(row("full runtime (store)", r["runtime"], r["runtime_ratio"], width=26))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    asyncio.run(main(parser.parse_args().runs))
