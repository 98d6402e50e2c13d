"""Validation cost on large graphs, against plain pydantic parsing in the same process.

    .venv/bin/python bench/bench_validate.py [--nodes 500] [--repeat 20]

Prints the median time of `validate()` (every check, every problem) and of
`GraphSpec.model_validate` (shape only) and their ratio.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

from agent_runtime.spec import GraphSpec, new_graph_spec, validate


def big_spec(n: int) -> dict:
    """A valid graph: input → n agents in a chain → output, each agent with a tool."""
    spec = new_graph_spec(f"bench-{n}")
    agents = [
        {"id": f"a{i}", "kind": "agent", "name": f"Agent {i}", "tools": ["calc"]} for i in range(n)
    ]
    spec["tools"] = [{"kind": "builtin", "id": "calc", "name": "calculator"}]
    spec["nodes"] = [spec["nodes"][0], *agents, spec["nodes"][1]]
    ids = ["input", *[a["id"] for a in agents], "output"]
    spec["edges"] = [
        {"id": f"e{i}", "source": a, "target": b}
        for i, (a, b) in enumerate(itertools.pairwise(ids))
    ]
    spec["layout"]["positions"] = {nid: {"x": i * 200, "y": 0} for i, nid in enumerate(ids)}
    return spec


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    spec = big_spec(args.nodes)
    assert validate(spec) == [], "benchmark spec must be valid"
    baseline = median_ms(lambda: GraphSpec.model_validate(spec), args.repeat)
    ours = median_ms(lambda: validate(spec), args.repeat)
    print(f"nodes={args.nodes} edges={len(spec['edges'])}")
    print(f"pydantic model_validate (shape only): {baseline:8.2f} ms")
    print(f"validate() (every check):             {ours:8.2f} ms")
    print(f"ratio validate/pydantic:              {ours / baseline:8.2f}x")


if __name__ == "__main__":
    main()
