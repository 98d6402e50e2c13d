"""How long ``import agent_runtime`` takes, and proof that no agent framework comes with it.

    .venv/bin/python bench/bench_import.py [--repeat 7]

Each measurement is a fresh interpreter (``python -c``); the baseline is an
interpreter that imports nothing, so the difference is our import cost.
Target: under 1 s, with no langgraph, crewai, autogen, chromadb or celery loaded.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

FRAMEWORKS = (
    "langgraph",
    "langchain_core",
    "crewai",
    "autogen_agentchat",
    "autogen_ext",
    "chromadb",
    "celery",
)
PROBE = (
    "import sys, {module}; "
    "print(','.join(m for m in sys.modules if m.split('.')[0] in {frameworks!r}))"
)


def run(code: str) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return (time.perf_counter() - start) * 1000, out.stdout.strip()


def main(repeat: int) -> None:
    base = statistics.median(run("pass")[0] for _ in range(repeat))
    print(f"bare interpreter:                      {base:7.1f} ms")
    for module in ("agent_runtime", "agent_runtime.runtime"):
        code = PROBE.format(module=module, frameworks=FRAMEWORKS)
        samples = [run(code) for _ in range(repeat)]
        ms = statistics.median(s[0] for s in samples)
        loaded = samples[0][1] or "none"
        print(f"import {module:<28} {ms:7.1f} ms (+{ms - base:6.1f} ms); frameworks: {loaded}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    main(parser.parse_args().repeat)
