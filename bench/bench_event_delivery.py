"""Run event delivery: from the runtime creating a run event to the browser showing it.

    PATH=$PWD/.bun/node_modules/.bin:$PATH .venv/bin/python bench/bench_event_delivery.py [--runs 5]

Starts the real app (as the browser tests do, its frontend compiled into
``.web-bench/``) with a demo model script that answers every agent after
``--delay`` seconds, saves a graph of ten agents in a row, and runs it ``--runs``
times from the builder's Run tab in Chromium (a fresh tab per run, after one
warm-up run). A MutationObserver stamps, in the page, when each node's trace row
first appears (``node_started``) and first shows ``data-status="done"``
(``node_finished``); the delay of a sample is that time minus the event's ``at``
(the Unix time the runtime created it; browser and runtime share this machine's
clock). Target: p95 under 100 ms.

The baseline, in this process, runs the same graph against a
``ScriptedModelServer`` with the same script and times ``at`` → receipt by a
Python consumer: of ``Runtime.execute``'s iterator, and of
``InProcessExecutor.subscribe`` (what the app's run panel reads before Reflex,
the websocket and React). Also printed: the delay measured from the stored
row's ``created_at``; rows are written in batches (up to 0.25 s after the event),
and the UI gets live events before that, so those delays can be negative.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from agent_runtime.executors import InProcessExecutor  # noqa: E402
from agent_runtime.model_server import ScriptedModelServer  # noqa: E402
from agent_runtime.runtime import Runtime  # noqa: E402
from agent_runtime.settings import Settings  # noqa: E402
from agent_runtime.store import Store, open_store  # noqa: E402
from app.paths import builder_path  # noqa: E402
from tests.agent_runtime.conformance._graphs import agent, linear  # noqa: E402
from tests.e2e._app import CHROMIUM_ARGS, OUTPUT_DIR, running_app  # noqa: E402

AGENTS = 10
TARGET_P95_MS = 100.0
NODE_EVENTS = ("node_started", "node_finished")
SHOWN = {"node_started": "appeared", "node_finished": "done"}

# Stamps, per node id, when its trace row first appears and first shows "done".
OBSERVER_JS = """() => {
  const seen = {appeared: {}, done: {}, skew: 0};
  window.__delivery = seen;
  const scan = () => {
    const t = performance.timeOrigin + performance.now();
    seen.skew = Math.max(seen.skew, Math.abs(t - Date.now()));
    for (const row of document.querySelectorAll('[data-testid^="trace-"]')) {
      const id = row.dataset.testid.slice("trace-".length);
      if (!(id in seen.appeared)) seen.appeared[id] = t;
      if (row.dataset.status === "done" && !(id in seen.done)) seen.done[id] = t;
    }
  };
  new MutationObserver(scan).observe(document.body, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["data-status"],
  });
}"""


def model_script(delay: float) -> str:
    return (
        "version: 1\nmodels: [orchestrall-demo]\nrules:\n"
        f'  - name: every agent\n    content: "{{agent}} answered."\n'
        f"    delay_seconds: {delay}\n"
    )


def chain_spec() -> dict:
    return linear("Event delivery", *(agent(f"a{i}", f"Agent {i}") for i in range(1, AGENTS + 1)))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def line(label: str, values: list[float]) -> str:
    return (
        f"  {label:34} n={len(values):4d}  p50 {statistics.median(values):7.1f} ms  "
        f"p95 {percentile(values, 95):7.1f} ms  max {max(values):7.1f} ms"
    )


# ------------------------------------------------------------------ browser ---


def browser_run(page: Page, url: str, store: Store, graph_id: str) -> dict[str, list[float]]:
    """One run from the Run tab; its delays in ms.

    Keys: ``at`` (from each event's ``at``), each node event type (the same, split by
    type) and ``created_at`` (from the stored row's ``created_at``).
    """
    page.goto(url)
    page.wait_for_selector(f'[data-testid="graph-canvas"][data-node-count="{AGENTS + 2}"]')
    page.get_by_test_id("tab-run").click()
    page.get_by_test_id("run-input").fill("Pass it on")
    page.evaluate(OBSERVER_JS)
    page.get_by_test_id("run-button").click()
    page.wait_for_selector('[data-testid="run-answer"][data-status="succeeded"]')
    page.wait_for_selector('[data-testid="trace-output"][data-status="done"]')
    seen = page.evaluate("window.__delivery")
    if seen["skew"] > 2:
        print(f"  warning: performance clock is {seen['skew']:.1f} ms off Date.now()")
    run = store.list_runs(graph_id=graph_id, limit=1)[0]
    delays: dict[str, list[float]] = {key: [] for key in (*NODE_EVENTS, "at", "created_at")}
    for event in store.list_run_events(run.id, limit=10_000):
        if event.type not in NODE_EVENTS:
            continue
        shown = seen[SHOWN[event.type]][event.node_id]
        delays["at"].append(shown - event.payload["at"] * 1000)
        delays[event.type].append(delays["at"][-1])
        delays["created_at"].append(shown - event.created_at.timestamp() * 1000)
    return delays


def browser_figures(runs: int, warm_up: int, script: Path) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp:
        data_dir, no_reload = Path(tmp) / "data", Path(tmp) / "no-reload"
        no_reload.mkdir()
        settings = Settings(_env_file=None, data_dir=data_dir, database_url=None)
        with open_store(settings=settings) as store:
            graph_id = store.create_graph("Event delivery", spec=chain_spec()).id
            with (
                running_app(
                    data_dir,
                    no_reload,
                    OUTPUT_DIR / "bench-event-delivery-app.log",
                    env_extra={"ORCHESTRALL_MODEL_SCRIPT": str(script)},
                    web_workdir=ROOT / ".web-bench",
                ) as app,
                sync_playwright() as pw,
            ):
                browser = pw.chromium.launch(
                    executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
                )
                delays: dict[str, list[float]] = {}
                for number in range(warm_up + runs):
                    page = browser.new_page(viewport={"width": 1280, "height": 800})
                    page.set_default_timeout(120_000)
                    got = browser_run(page, app.url + builder_path(graph_id), store, graph_id)
                    page.close()
                    if number >= warm_up:
                        for key, values in got.items():
                            delays.setdefault(key, []).extend(values)
                browser.close()
    return delays


# ----------------------------------------------------------------- baseline ---


async def iterator_run(runtime: Runtime, graph_id: str) -> list[float]:
    run_id = runtime.start(graph_id, {"message": "Pass it on"}).id
    delays = []
    async for event in runtime.execute(run_id):
        received = time.time()
        if event.type in NODE_EVENTS:
            delays.append((received - event.at) * 1000)
    return delays


async def subscriber_run(executor: InProcessExecutor, runtime: Runtime, graph_id: str) -> list:
    run_id = runtime.start(graph_id, {"message": "Pass it on"}).id
    executor.submit(run_id)  # then subscribe, as the run panel does
    delays = []
    async for event in executor.subscribe(run_id):
        received = time.time()
        if event.type in NODE_EVENTS:
            delays.append((received - event.at) * 1000)
    return delays


async def baseline_async(
    settings: Settings, store: Store, runs: int, warm_up: int
) -> dict[str, list[float]]:
    graph_id = store.create_graph("Event delivery", spec=chain_spec()).id
    runtime = Runtime(settings=settings, store=store)
    figures: dict[str, list[float]] = {"iterator": [], "subscriber": []}
    try:
        with InProcessExecutor(settings, store) as executor:
            for number in range(warm_up + runs):
                iterated = await iterator_run(runtime, graph_id)
                subscribed = await subscriber_run(executor, runtime, graph_id)
                if number >= warm_up:
                    figures["iterator"] += iterated
                    figures["subscriber"] += subscribed
    finally:
        await runtime.aclose()
    return figures


def baseline_figures(runs: int, warm_up: int, script: Path) -> dict[str, list[float]]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-delivery-base-") as tmp,
        ScriptedModelServer(script=script) as server,
    ):
        settings = Settings(
            _env_file=None, data_dir=Path(tmp), database_url=None, default_base_url=server.base_url
        )
        with open_store(settings=settings) as store:
            return asyncio.run(baseline_async(settings, store, runs, warm_up))


def main(runs: int, warm_up: int, delay: float) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-delivery-script-") as tmp:
        script = Path(tmp) / "model_script.yaml"
        script.write_text(model_script(delay))
        base = baseline_figures(runs, warm_up, script)
        shown = browser_figures(runs, warm_up, script)
    print(
        f"node_started/node_finished events, {runs} runs of {AGENTS} agents in a row "
        f"(model answers after {delay:g} s):"
    )
    print(line("Runtime.execute iterator", base["iterator"]))
    print(line("in-process subscriber (baseline)", base["subscriber"]))
    print(line("browser, from event at", shown["at"]))
    for kind in NODE_EVENTS:
        print(line(f"  of which {kind}", shown[kind]))
    print(line("browser, from stored created_at", shown["created_at"]))
    p95 = percentile(shown["at"], 95)
    for label, values in (("subscriber", base["subscriber"]), ("iterator", base["iterator"])):
        ratio = f"browser p95 / {label} p95"
        print(f"  {ratio:34} {p95 / percentile(values, 95):5.1f}x")
    met = "met" if p95 < TARGET_P95_MS else "NOT met"
    print(f"target p95 < {TARGET_P95_MS:.0f} ms: {met} (browser p95 {p95:.1f} ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs (24 samples each)")
    parser.add_argument("--warm-up", type=int, default=1, help="runs discarded first")
    parser.add_argument("--delay", type=float, default=0.15, help="model answer delay, seconds")
    args = parser.parse_args()
    main(args.runs, args.warm_up, args.delay)
