"""Compile time of generated specs (50 and 500 nodes) on LangGraph, and the cost of a cache hit.

    .venv/bin/python bench/bench_compile.py [--repeat 5]

A compile is everything before a run: parse and validate, lower to the IR,
capability check, and building the LangGraph graph. A cache hit is
``Runtime.prepare`` on a spec it has compiled (hashing the spec, a dict lookup).
Targets: under 50 ms for 50 nodes, under 500 ms for 500, growing linearly.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from agent_runtime.runtime import Runtime
from agent_runtime.settings import Settings
from agent_runtime.spec import new_graph_spec
from agent_runtime.store import open_store


def generated_spec(n: int) -> dict:
    """input → blocks of (agent with a tool, router → two agents → join) ... → output; ~n nodes."""
    spec = new_graph_spec(f"generated-{n}")
    spec["tools"] = [{"kind": "builtin", "id": "calc", "name": "calculator"}]
    nodes, edges = [spec["nodes"][0]], []
    prev = "input"

    def edge(a: str, b: str, route: str | None = None) -> None:
        e = {"id": f"e{len(edges)}", "source": a, "target": b}
        if route:
            e["route"] = route
        edges.append(e)

    block = 0
    while len(nodes) + 5 <= n:
        a, r, yes, no, join = (f"{x}{block}" for x in ("a", "r", "yes", "no", "join"))
        nodes += [
            {"id": a, "kind": "agent", "name": f"Agent {block}", "tools": ["calc"]},
            {
                "id": r,
                "kind": "router",
                "default_route": "no",
                "routes": [{"name": "yes", "condition": {"op": "contains", "value": "yes"}}],
            },
            {"id": yes, "kind": "agent", "name": f"Yes {block}"},
            {"id": no, "kind": "agent", "name": f"No {block}"},
            {"id": join, "kind": "agent", "name": f"Join {block}"},
        ]
        edge(prev, a)
        edge(a, r)
        edge(r, yes, "yes")
        edge(r, no, "no")
        edge(yes, join)
        edge(no, join)
        prev, block = join, block + 1
    nodes.append(spec["nodes"][1])
    edge(prev, "output")
    spec["nodes"], spec["edges"] = nodes, edges
    return spec


def main(repeat: int) -> None:
    data = Path(tempfile.mkdtemp())
    settings = Settings(data_dir=data, default_base_url="http://127.0.0.1:9/v1")
    store = open_store(settings=settings)
    runtime = Runtime(settings=settings, store=store)
    runtime.prepare(generated_spec(10))  # warm imports
    for n in (50, 500):
        spec = generated_spec(n)
        cold = []
        for _ in range(repeat):
            runtime._cache.clear()
            start = time.perf_counter()
            runtime.prepare(spec)
            cold.append((time.perf_counter() - start) * 1000)
        hits = []
        for _ in range(repeat * 20):
            start = time.perf_counter()
            runtime.prepare(spec)
            hits.append((time.perf_counter() - start) * 1000)
        nodes = len(spec["nodes"])
        compile_ms, hit_ms = statistics.median(cold), statistics.median(hits)
        print(
            f"{nodes:4d} nodes: compile {compile_ms:7.1f} ms ({compile_ms / nodes:.3f} ms/node), "
            f"cache hit {hit_ms:6.2f} ms ({compile_ms / hit_ms:5.0f}x cheaper)"
        )
    store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    main(parser.parse_args().repeat)
