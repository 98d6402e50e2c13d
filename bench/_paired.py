"""What the backend benchmarks share: the agents' spec, our two ways to run it, paired timing.

- ``agents_spec``: input → agents (one after the other, or side by side) → output.
- ``OurRuns``: that spec on one backend, run through its compiled executable
  (``Executable.stream``, no store: what the overhead targets are about) and
  through the whole ``Runtime.execute`` path (SQLite store, every event stored).
- ``paired``: per-run milliseconds of several functions, run interleaved (one of
  each per round) to cancel drift; ``ratio``: the median of the per-round ratios;
  ``row``: a line of the report.
"""

from __future__ import annotations

import itertools
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from agent_runtime.backends import get_backend
from agent_runtime.compiler import lower
from agent_runtime.execution import BackendServices, RunControl, RunRequest
from agent_runtime.memory import InMemoryMemory
from agent_runtime.runtime import Runtime
from agent_runtime.settings import Settings
from agent_runtime.spec import new_graph_spec, parse_spec
from agent_runtime.store import open_store

__all__ = ["TASK", "OurRuns", "agents_spec", "medians", "paired", "ratio", "row"]

TASK = "What is the answer?"


def agents_spec(names: list[str], parallel: bool = False) -> dict:
    """input → an agent per name (instructions "Answer.") → output, in a chain or side by side."""
    s = new_graph_spec("bench")
    agents = [
        {"id": n, "kind": "agent", "name": n.title(), "instructions": "Answer."} for n in names
    ]
    s["nodes"] = [s["nodes"][0], *agents, s["nodes"][1]]
    if parallel:
        edges = [("input", n) for n in names] + [(n, "output") for n in names]
    else:
        edges = list(itertools.pairwise(["input", *names, "output"]))
    s["edges"] = [{"id": f"e{i}", "source": a, "target": b} for i, (a, b) in enumerate(edges)]
    return s


class OurRuns:
    """One spec on one backend: ``backend_run`` (the executable) and ``runtime_run`` (Runtime)."""

    def __init__(self, backend: str, graph_spec: dict, url: str) -> None:
        self.backend = backend
        settings = Settings(data_dir=Path(tempfile.mkdtemp()), default_base_url=url)
        self.graph = lower(parse_spec(graph_spec), settings=settings, secrets={})
        services = BackendServices(memory=InMemoryMemory())
        self.executable = get_backend(backend).compile(self.graph, services)
        self.store = open_store(settings=settings)
        self.runtime = Runtime(settings=settings, store=self.store)
        self.graph_id = self.store.create_graph("bench", spec=graph_spec).id

    async def backend_run(self) -> None:
        request = RunRequest(
            run_id="r", thread_id="t", input={"message": TASK}, stream_tokens=False
        )
        async for _ in self.executable.stream(request, RunControl(limits=self.graph.limits)):
            pass

    async def runtime_run(self) -> None:
        run = self.runtime.start(self.graph_id, {"message": TASK}, backend=self.backend)
        async for _ in self.runtime.execute(run.id, stream_tokens=False):
            pass

    async def aclose(self) -> None:
        await self.runtime.aclose()
        self.store.close()
        close = getattr(self.executable, "aclose", None)  # backends holding model clients
        if close is not None:
            await close()


async def paired(
    fns: dict[str, Callable[[], Awaitable[Any]]], runs: int, warm_up: int = 20
) -> dict[str, list[float]]:
    """Per-run ms of each function, run interleaved (one of each per round) to cancel drift."""
    for _ in range(warm_up):
        for fn in fns.values():
            await fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            await fn()
            samples[name].append((time.perf_counter() - start) * 1000)
    return samples


def medians(samples: dict[str, list[float]]) -> dict[str, Any]:
    """The median ms of each function."""
    return {name: statistics.median(v) for name, v in samples.items()}


def ratio(samples: dict[str, list[float]], name: str, baseline: str) -> float:
    """Median of the per-round ratios ``name / baseline``."""
    pairs = zip(samples[name], samples[baseline], strict=True)
    return statistics.median(o / r for o, r in pairs)


def row(
    label: str, ms: float, paired_ratio: float | None = None, *, width: int, vs: str = ""
) -> str:
    """A report line: ``label`` padded to ``width``, median ms, the paired ratio if any."""
    line = f"  {label:<{width}} {ms:7.2f} ms"
    if paired_ratio is not None:
        line += f"   paired ratio {paired_ratio:5.2f}x" + (f" (vs {vs})" if vs else "")
    return line
