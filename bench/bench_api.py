"""The HTTP API: a run through ``POST /api/v1/graphs/{id}/runs`` against raw model calls,
the latency of starting runs under 20 concurrent clients, and the backend's cold start
and idle memory.

    .venv/bin/python bench/bench_api.py [--runs 30] [--clients 20] [--starts 10]
                                        [--server reflex|uvicorn|both] [--graph example|plain]

Set-up: a fresh data dir holding ``examples/research_crew.json`` (3 agents in
sequence on the ``demo`` model; ``--graph plain``: the same chain without tools or
roles) and one API key with limits high enough never to bite; a zero-latency
OpenAI-compatible endpoint (``_endpoint.py``) in a process of its own, which
``ORCHESTRALL_DEFAULT_BASE_URL`` points the demo model at; the backend in another
process:

- ``reflex``: the real app backend, ``reflex run --env prod --backend-only`` (Granian,
  one worker with Reflex's in-memory state manager): the Reflex app with the API
  mounted through its ``api_transformer``, the demo-model and memory-prune lifespans;
- ``uvicorn``: the API alone, ``python -m uvicorn --factory app.api:build_api``.

Figures:

(a) one run, waiting for the result (``wait: true``; the run's events stored as
    usual), against three raw ``openai`` client calls to the same endpoint (system +
    user message, one reused client): both from this process with keep-alive, run
    interleaved, ``--runs`` each after 5 warm-ups; medians and the median of the
    per-round ratios (target: at most 2x). For scale, the same run through
    ``Runtime.execute`` in this process (SQLite store, every event stored, no HTTP,
    no executor) is timed in the same rounds.
(b) starting runs: a second process runs ``--clients`` concurrent clients, each
    starting ``--starts`` runs with ``wait: false`` (the answer, 202, comes once the
    run is created and handed to the executor, so no model time is in it) and, apart,
    the time to the first byte of an SSE stream (``stream=true``); p50/p95/max
    (target: p95 under 200 ms). The runs really execute meanwhile, on the same cores.
    For scale, one client alone starting 20 runs one after another (p50).
(c) cold start: from spawning the backend to the first answered API request
    (``GET /api/v1/graphs`` with the key, 200), and idle memory: the RSS of the
    backend's process tree (a supervisor plus its worker under Granian) after 3 s
    idle, once started and again after the load (targets: under 7 s and 600 MB).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "research_crew.json"
AGENTS = ["researcher", "writer", "editor"]
TASK = "What is the answer?"
START_TIMEOUT_S = 120
IDLE_SETTLE_S = 3.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ------------------------------------------------------- child processes ---


def serve_endpoint() -> None:
    """Child: the zero-latency endpoint on a free port; prints its base URL."""
    sys.path.insert(0, str(Path(__file__).parent))
    from _endpoint import ZeroLatencyEndpoint

    with ZeroLatencyEndpoint() as url:
        print(url, flush=True)
        while True:  # until terminated
            time.sleep(3600)


def start_clients(base: str, key: str, graph_id: str, clients: int, starts: int, mode: str):
    """Child: ``clients`` threads each starting ``starts`` runs; prints the ms of each."""
    url = f"{base}/api/v1/graphs/{graph_id}/runs"
    headers = {"Authorization": f"Bearer {key}"}
    barrier = threading.Barrier(clients)
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(headers=headers, timeout=60) as http:
            http.get(f"{base}/api/v1/graphs").raise_for_status()  # connect before timing
            barrier.wait()
            for _ in range(starts):
                start = time.perf_counter()
                if mode == "post":
                    answer = http.post(url, json={"input": TASK, "wait": False})
                    ms, status = (time.perf_counter() - start) * 1000, answer.status_code
                else:  # the first byte of the event stream
                    body = {"input": TASK}
                    with http.stream("POST", url, params={"stream": "true"}, json=body) as s:
                        next(s.iter_raw())
                        ms, status = (time.perf_counter() - start) * 1000, s.status_code
                with lock:
                    if status in (200, 202):
                        times.append(ms)
                    else:
                        failures.append(str(status))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"ms": times, "failures": failures}), flush=True)


# ------------------------------------------------------------- set-up ---


def graph_spec(which: str) -> dict:
    """``example``: examples/research_crew.json (its researcher has two tools, so its
    model calls carry tool definitions); ``plain``: three agents in a chain, nothing else
    (``_paired.agents_spec``), closest to the three raw calls."""
    if which == "example":
        return json.loads(EXAMPLE.read_text())
    from _paired import agents_spec

    return agents_spec(AGENTS)


def seed(data_dir: Path, spec: dict) -> tuple[str, str]:
    """The graph and an API key in a fresh data dir: (graph id, key)."""
    from agent_runtime.access import ApiKeys
    from agent_runtime.settings import Settings
    from agent_runtime.store import open_store

    settings = Settings(data_dir=data_dir, database_url=None)
    with open_store(settings=settings) as store:
        graph_id = store.create_graph(spec["name"], spec=spec).id
        _, key = ApiKeys(store).create("bench", per_minute=100_000, concurrent_runs=100_000)
    return graph_id, key


class Endpoint:
    """The zero-latency endpoint in a process of its own."""

    def __enter__(self) -> str:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve-endpoint"], stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Backend:
    """The backend (``reflex`` or ``uvicorn``) in its own process group; ``cold_start_s``."""

    def __init__(self, kind: str, data_dir: Path, endpoint: str, key: str, log: Path) -> None:
        self.kind, self.key, self.log = kind, key, log
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "ORCHESTRALL_DATA_DIR": str(data_dir),
            "ORCHESTRALL_DATABASE_URL": f"sqlite:///{data_dir / 'orchestrall.db'}",
            "ORCHESTRALL_DEFAULT_BASE_URL": endpoint,
            "ORCHESTRALL_MODEL_SERVER_PORT": str(_free_port()),
            "REFLEX_TELEMETRY_ENABLED": "false",
            "REFLEX_WEB_WORKDIR": str(data_dir / "web"),
            "PATH": f"{ROOT / '.bun' / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}",
            "REFLEX_USE_SYSTEM_BUN": "1",
            # rxconfig.py sets frontend_port, and Reflex 0.10's ``run --backend-only`` then
            # refuses to start ("Cannot specify --frontend-port …"); 0 reads as unset.
            "REFLEX_FRONTEND_PORT": "0",
        }
        for name in ("ORCHESTRALL_BROKER_URL", "ORCHESTRALL_REDIS_URL", "PYTEST_CURRENT_TEST"):
            self.env.pop(name, None)

    def command(self) -> list[str]:
        if self.kind == "reflex":
            return [
                str(ROOT / ".venv" / "bin" / "reflex"),
                *("run", "--env", "prod", "--backend-only"),
                *("--backend-host", "127.0.0.1", "--backend-port", str(self.port)),
                *("--loglevel", "warning"),
            ]
        return [
            sys.executable,
            *("-m", "uvicorn", "--factory", "app.api:build_api"),
            *("--port", str(self.port), "--log-level", "warning"),
        ]

    def __enter__(self) -> Backend:
        headers = {"Authorization": f"Bearer {self.key}"}
        with self.log.open("wb") as out:
            started = time.perf_counter()
            self.proc = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        while True:
            try:
                if httpx.get(f"{self.url}/api/v1/graphs", headers=headers, timeout=5).is_success:
                    break
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.perf_counter() - started > START_TIMEOUT_S:
                tail = self.log.read_text(errors="replace")[-3000:]
                self.__exit__()
                raise SystemExit(f"the {self.kind} backend did not start:\n{tail}")
            time.sleep(0.02)
        self.cold_start_s = time.perf_counter() - started
        return self

    def rss_mb(self) -> float:
        """The RSS of the backend's whole process tree, in MB."""
        root = psutil.Process(self.proc.pid)
        total = 0
        for proc in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += proc.memory_info().rss
        return total / 1e6

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


# --------------------------------------------------------- measurements ---


def run_vs_raw(
    backend: Backend, endpoint: str, graph_id: str, spec: dict, runs: int
) -> dict[str, float]:
    """(a): medians of one API run (waiting), of the same run through ``Runtime.execute``
    in this process (no HTTP, no executor: where the rest of the time goes) and of three
    raw client calls; paired ratios against raw."""
    import asyncio

    import openai
    from _paired import OurRuns

    loop = asyncio.new_event_loop()
    ours = OurRuns("langgraph", spec, endpoint)
    raw = openai.OpenAI(base_url=endpoint, api_key="demo", max_retries=0)
    api = httpx.Client(headers={"Authorization": f"Bearer {backend.key}"}, timeout=60)
    url = f"{backend.url}/api/v1/graphs/{graph_id}/runs"

    def api_run() -> None:
        answer = api.post(url, json={"input": TASK, "wait": True})
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "succeeded", answer.text

    def raw_calls() -> None:
        text = TASK
        for name in ("Researcher", "Writer", "Editor"):
            reply = raw.chat.completions.create(
                model="orchestrall-demo",
                messages=[
                    {"role": "system", "content": f"You are {name}. Answer."},
                    {"role": "user", "content": text},
                ],
            )
            text = reply.choices[0].message.content or ""

    def runtime_run() -> None:
        loop.run_until_complete(ours.runtime_run())

    fns = {"api": api_run, "runtime": runtime_run, "raw": raw_calls}
    for _ in range(5):
        for fn in fns.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - start) * 1000)
    api.close()
    raw.close()
    loop.run_until_complete(ours.aclose())
    loop.close()

    def ratio(name: str) -> float:
        pairs = zip(samples[name], samples["raw"], strict=True)
        return statistics.median(a / r for a, r in pairs)

    medians = {name: statistics.median(v) for name, v in samples.items()}
    return {**medians, "ratio": ratio("api"), "runtime_ratio": ratio("runtime")}


def starts(backend: Backend, graph_id: str, clients: int, each: int, mode: str) -> dict:
    """(b): start latencies from ``clients`` concurrent clients in a second process."""
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--start-clients",
            backend.url,
            backend.key,
            graph_id,
            str(clients),
            str(each),
            mode,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    ms = result["ms"]
    return {
        "n": len(ms),
        "failures": len(result["failures"]),
        "p50": _p(ms, 0.5),
        "p95": _p(ms, 0.95),
        "max": max(ms),
    }


def wait_for_runs_to_end(data_dir: Path, timeout: float = 120) -> None:
    """Until no run of the data dir is queued or running (the load ends before idling)."""
    from agent_runtime.settings import Settings
    from agent_runtime.store import open_store

    settings = Settings(data_dir=data_dir, database_url=None)
    deadline = time.monotonic() + timeout
    with open_store(settings=settings) as store:
        while time.monotonic() < deadline:
            going = [r for r in store.list_runs(limit=1000) if r.status in ("queued", "running")]
            if not going:
                return
            time.sleep(0.5)


def bench(kind: str, args: argparse.Namespace) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-api-{kind}-"))
    spec = graph_spec(args.graph)
    graph_id, key = seed(data_dir, spec)
    log = ROOT / "test-output" / f"bench-api-{kind}.log"
    log.parent.mkdir(exist_ok=True)
    shown = " ".join(Backend(kind, data_dir, "", key, log).command()[1:6])
    print(f"\n== backend: {kind} ({shown} …)", flush=True)
    with Endpoint() as endpoint, Backend(kind, data_dir, endpoint, key, log) as backend:
        time.sleep(IDLE_SETTLE_S)
        idle = backend.rss_mb()
        cold = backend.cold_start_s
        _line("(c) cold start to the first answered request", f"{cold:7.2f} s", cold / 7, "7 s")
        _line("    idle RSS of the process tree, started", f"{idle:7.0f} MB", idle / 600, "600 MB")

        a = run_vs_raw(backend, endpoint, graph_id, spec, args.runs)
        _line(f"(a) one 3-agent run, wait=true (median of {args.runs})", f"{a['api']:7.2f} ms")
        _line("    three raw openai calls", f"{a['raw']:7.2f} ms")
        _line("    paired ratio API / raw", f"{a['ratio']:7.2f}x", a["ratio"] / 2, "2x")
        _line("    for scale: Runtime.execute here, no HTTP", f"{a['runtime']:7.2f} ms")
        _line("    paired ratio Runtime.execute / raw", f"{a['runtime_ratio']:7.2f}x")

        for mode, label in (("post", "POST wait=false (202)"), ("sse", "to the first SSE byte")):
            s = starts(backend, graph_id, args.clients, args.starts, mode)
            _line(
                f"(b) starting runs, {args.clients} clients, {label}",
                f"p95 {s['p95']:6.1f} ms",
                s["p95"] / 200,
                "200 ms",
            )
            print(
                f"      n={s['n']} failures={s['failures']} p50 {s['p50']:.1f} ms"
                f" max {s['max']:.1f} ms"
            )
            wait_for_runs_to_end(data_dir)
        s = starts(backend, graph_id, 1, 20, "post")
        _line("    for scale: one client alone, POST wait=false", f"p50 {s['p50']:6.1f} ms")
        wait_for_runs_to_end(data_dir)

        time.sleep(IDLE_SETTLE_S)
        after = backend.rss_mb()
        _line(
            "(c) idle RSS of the process tree, after load",
            f"{after:7.0f} MB",
            after / 600,
            "600 MB",
        )


def _line(label: str, value: str, of_target: float | None = None, target: str = "") -> None:
    text = f"{label:<58} {value:>14}"
    if of_target is not None:
        text += f"   {of_target:5.2f}x the {target} target"
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--starts", type=int, default=10, help="runs started by each client")
    parser.add_argument("--server", choices=("reflex", "uvicorn", "both"), default="both")
    parser.add_argument("--graph", choices=("example", "plain"), default="example")
    parser.add_argument("--serve-endpoint", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--start-clients", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_endpoint:
        return serve_endpoint()
    if args.start_clients:
        base, key, graph_id, clients, each, mode = args.start_clients
        return start_clients(base, key, graph_id, int(clients), int(each), mode)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"bench_api  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  cpus={os.cpu_count()}"
        f"  load average {load}  graph={args.graph}"
    )
    for kind in ("reflex", "uvicorn") if args.server == "both" else (args.server,):
        bench(kind, args)
    return None


if __name__ == "__main__":
    main()
