"""Start the real app (``scripts/run_app.sh``, i.e. ``reflex run``) on free ports; stop it.

Used by the Playwright fixtures and by the browser benchmarks in ``bench/``.
The app gets its own data dir, its compiled frontend in ``.web-e2e/`` (so a
``make run`` in the same tree is left alone) and no hot reload.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTPUT_DIR = ROOT / "test-output"
APP_START_TIMEOUT_S = 360
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class AppStartError(RuntimeError):
    """The app exited or did not answer in time; the message has the log's tail."""


@dataclasses.dataclass(frozen=True)
class RunningApp:
    url: str
    backend_url: str
    data_dir: Path
    demo_model_url: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _responds(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _log_tail(log: Path, lines: int = 40) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the app's process group (reflex, the backend and the bun/vite frontend)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def running_app(
    data_dir: Path,
    no_reload_dir: Path,
    log: Path,
    extra_args: tuple[str, ...] = (),
    *,
    env_extra: dict[str, str] | None = None,
    web_workdir: Path | None = None,
) -> Iterator[RunningApp]:
    """The app as ``make run`` starts it, on free ports, with its data in ``data_dir``.

    ``extra_args`` go to ``reflex run`` (e.g. ``("--env", "prod")`` for a production build);
    ``env_extra`` adds environment variables (``ORCHESTRALL_MODEL_SCRIPT``, say);
    ``web_workdir`` replaces ``.web-e2e/`` (a benchmark next to the tests).
    """
    if not (ROOT / ".bun" / "node_modules" / ".bin" / "bun").exists():
        raise AppStartError("bun is not installed in .bun/: run `make test` (or `make install`)")
    frontend_port, backend_port, model_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "ORCHESTRALL_DATA_DIR": str(data_dir),
        "ORCHESTRALL_DATABASE_URL": f"sqlite:///{data_dir / 'orchestrall.db'}",
        "ORCHESTRALL_MODEL_SERVER_PORT": str(model_port),
        "REFLEX_WEB_WORKDIR": str(web_workdir or ROOT / ".web-e2e"),
        # Edits to the tree while the tests run must not restart the backend.
        "REFLEX_HOT_RELOAD_OVERRIDE_PATHS": str(no_reload_dir),
    }
    env.update(env_extra or {})
    env.pop("PYTEST_CURRENT_TEST", None)  # Reflex treats it as "running under pytest"
    env.pop("ORCHESTRALL_BROKER_URL", None)
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(ROOT / "scripts" / "run_app.sh"),
        *("--frontend-port", str(frontend_port), "--backend-port", str(backend_port)),
        *extra_args,
    ]
    app = RunningApp(
        url=f"http://localhost:{frontend_port}",
        backend_url=f"http://localhost:{backend_port}",
        data_dir=data_dir,
        demo_model_url=f"http://127.0.0.1:{model_port}/v1",
    )
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + APP_START_TIMEOUT_S
        while not (_responds(f"{app.backend_url}/ping") and _responds(app.url)):
            if proc.poll() is not None:
                raise AppStartError(f"the app exited with {proc.returncode}:\n{_log_tail(log)}")
            if time.monotonic() > deadline:
                raise AppStartError(f"no answer in {APP_START_TIMEOUT_S}s:\n{_log_tail(log)}")
            time.sleep(1)
        yield app
    finally:
        _stop(proc)
