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
from typing import Any

from _endpoint import ZeroLatencyEndpoint
from _paired import TASK, OurRuns, agents_spec, medians, paired, ratio, row
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_ext.models.openai import OpenAIChatCompletionClient

# The model info our backend gives AutoGen's client (an OpenAI-compatible endpoint).
from agent_runtime.backends.autogen_backend._client import MODEL_INFO

NAMES = ["researcher", "writer", "editor"]


def raw_agents(client: OpenAIChatCompletionClient) -> list[AssistantAgent]:
    return [
        AssistantAgent(n, client, system_message=f"You are {n.title()}.\nAnswer.") for n in NAMES
    ]


async def measure(url: str, runs: int) -> dict[str, Any]:
    client = OpenAIChatCompletionClient(
        model="orchestrall-demo",
        base_url=url,
        api_key="demo",
        model_info=MODEL_INFO,
        max_retries=0,
        include_name_in_message=False,
    )
    team = RoundRobinGroupChat(raw_agents(client), max_turns=3)

    async def run_raw_reset():
        await team.reset()
        await team.run(task=TASK)

    async def run_raw_new():
        await RoundRobinGroupChat(raw_agents(client), max_turns=3).run(task=TASK)

    ours = OurRuns("autogen", agents_spec(NAMES), url)
    fns = {
        "raw_reset": run_raw_reset,
        "raw_new": run_raw_new,
        "backend": ours.backend_run,
        "runtime": ours.runtime_run,
    }
    samples = await paired(fns, runs)
    results = medians(samples)
    # The faster way of writing it by hand is the baseline.
    baseline = min(("raw_reset", "raw_new"), key=results.__getitem__)
    results["baseline"] = baseline
    results["backend_ratio"] = ratio(samples, "backend", baseline)
    results["runtime_ratio"] = ratio(samples, "runtime", baseline)
    await ours.aclose()
    await client.close()
    return results


async def main(runs: int) -> None:
    with ZeroLatencyEndpoint() as url:
        r = await measure(url, runs)
    baseline = {"raw_reset": "raw, reset", "raw_new": "raw, new team"}[r["baseline"]]
    print(f"3 agents, sequential, {runs} paired runs (one loop, reused clients, zero latency):")
    print(row("raw AutoGen, one team reset per run", r["raw_reset"], width=37))
    print(row("raw AutoGen, new team per run", r["raw_new"], width=37))
    print(row("our autogen backend", r["backend"], r["backend_ratio"], width=37, vs=baseline))
    print(row("full runtime (store)", r["runtime"], r["runtime_ratio"], width=37, vs=baseline))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    asyncio.run(main(parser.parse_args().runs))
