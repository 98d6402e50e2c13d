"""The builder in Chromium: time to an interactive canvas, and backend messages per drag.

    PATH=$PWD/.bun/node_modules/.bin:$PATH .venv/bin/python bench/bench_canvas.py [--repeat 3]

Starts the real app (as the browser tests do) with generated graphs of 50 and
500 nodes, then with Playwright in Chromium:
- navigation → interactive canvas: from ``page.goto`` until the canvas holds
  every node and the first one can be hit (target: under 1.5 s for 500). The
  baseline is the same navigation to the home page.
- messages per node drag: websocket frames carrying a canvas op sent while a node
  is dragged across 30 mouse moves and released (target: one, on release).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_compile import generated_spec  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from agent_runtime.settings import Settings  # noqa: E402
from agent_runtime.spec import auto_layout  # noqa: E402
from agent_runtime.store import open_store  # noqa: E402
from app.paths import builder_path  # noqa: E402
from tests.e2e._app import CHROMIUM_ARGS, OUTPUT_DIR, running_app  # noqa: E402


def timed_open(page, url: str, nodes: int) -> float:
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(f'[data-testid="graph-canvas"][data-node-count="{nodes}"]')
    page.locator(".react-flow__node").first.wait_for(state="visible")
    return (time.perf_counter() - start) * 1000


def timed_home(page, url: str) -> float:
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator('[data-testid="graph-list"], [data-testid="graphs-empty"]').first.wait_for()
    return (time.perf_counter() - start) * 1000


def drag_messages(page) -> int:
    node = page.locator(".react-flow__node").first
    box = node.bounding_box()
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(str(f))))
    page.reload(wait_until="commit")
    page.locator(".react-flow__node").first.wait_for(state="visible")
    page.wait_for_timeout(1000)
    box = page.locator(".react-flow__node").first.bounding_box()
    before = len([f for f in sent if "handle_ops" in f])
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(30):
        page.mouse.move(box["x"] + box["width"] / 2 + 5 * step, box["y"] + box["height"] / 2 + 3)
    page.mouse.up()
    page.wait_for_timeout(1500)
    return len([f for f in sent if "handle_ops" in f]) - before


def main(repeat: int, prod: bool) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="bench-canvas-"))
    settings = Settings(data_dir=data_dir)
    with open_store(settings=settings) as store:
        graphs = {
            n: store.create_graph(f"bench {n}", spec=auto_layout(generated_spec(n)))
            for n in (50, 500)
        }
        counts = {n: g.node_count for n, g in graphs.items()}
    no_reload = Path(tempfile.mkdtemp(prefix="bench-noreload-"))
    with (
        running_app(data_dir, no_reload, OUTPUT_DIR / "bench-canvas-app.log") as app,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(120_000)
        timed_home(page, app.url)  # warm up: the dev server compiles each route once
        timed_open(page, app.url + builder_path(graphs[50].id), counts[50])
        home = statistics.median(timed_home(page, app.url) for _ in range(repeat))
        print(f"home page (baseline)            {home:7.0f} ms")
        for n, graph in graphs.items():
            url = app.url + builder_path(graph.id)
            ms = statistics.median(timed_open(page, url, counts[n]) for _ in range(repeat))
            print(
                f"builder, {counts[n]:3d} nodes: interactive in {ms:5.0f} ms"
                f" ({ms / home:4.1f}x home)"
            )
        page.goto(app.url + builder_path(graphs[50].id))
        print(f"backend messages per node drag: {drag_messages(page)}")
        browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--prod", action="store_true", help="Production build (reflex --env prod).")
    args = parser.parse_args()
    main(args.repeat, args.prod)
