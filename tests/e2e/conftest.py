"""The real app (``scripts/run_app.sh``, i.e. ``reflex run``) and a Chromium driven by Playwright.

The app runs once per session on free ports, with its data in a temporary dir and
its compiled frontend in ``.web-e2e/`` (so a ``make run`` in the same tree is left
alone). Its output goes to ``test-output/e2e-app.log``. The first start installs
the frontend packages with bun and can take a minute or two.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUTPUT_DIR = ROOT / "test-output"
APP_LOG = OUTPUT_DIR / "e2e-app.log"
APP_START_TIMEOUT_S = 360
# Flags that keep Debian's chromium quiet and working as root in a container.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# The first page load waits for Vite to transform the app's modules.
expect.set_options(timeout=30_000)


@dataclasses.dataclass(frozen=True)
class RunningApp:
    url: str
    backend_url: str
    data_dir: Path
    demo_model_url: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _responds(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _log_tail(lines: int = 40) -> str:
    text = APP_LOG.read_text(errors="replace") if APP_LOG.exists() else ""
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


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app as ``make run`` starts it, on free ports and an empty data dir."""
    if not (ROOT / ".bun" / "node_modules" / ".bin" / "bun").exists():
        pytest.fail("bun is not installed in .bun/: run the browser tests with `make test`")
    data_dir = tmp_path_factory.mktemp("app-data")
    no_reload = tmp_path_factory.mktemp("no-hot-reload")
    frontend_port, backend_port, model_port = _free_port(), _free_port(), _free_port()
    env = {
        **os.environ,
        "ORCHESTRALL_DATA_DIR": str(data_dir),
        "ORCHESTRALL_DATABASE_URL": f"sqlite:///{data_dir / 'orchestrall.db'}",
        "ORCHESTRALL_MODEL_SERVER_PORT": str(model_port),
        "REFLEX_WEB_WORKDIR": str(ROOT / ".web-e2e"),
        # Edits to the tree while the tests run must not restart the backend.
        "REFLEX_HOT_RELOAD_OVERRIDE_PATHS": str(no_reload),
    }
    env.pop("PYTEST_CURRENT_TEST", None)  # Reflex treats it as "running under pytest"
    env.pop("ORCHESTRALL_BROKER_URL", None)
    OUTPUT_DIR.mkdir(exist_ok=True)
    command = [
        str(ROOT / "scripts" / "run_app.sh"),
        *("--frontend-port", str(frontend_port), "--backend-port", str(backend_port)),
    ]
    app = RunningApp(
        url=f"http://localhost:{frontend_port}",
        backend_url=f"http://localhost:{backend_port}",
        data_dir=data_dir,
        demo_model_url=f"http://127.0.0.1:{model_port}/v1",
    )
    with APP_LOG.open("wb") as log:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + APP_START_TIMEOUT_S
        while not (_responds(f"{app.backend_url}/ping") and _responds(app.url)):
            if proc.poll() is not None:
                pytest.fail(f"the app exited with {proc.returncode}:\n{_log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not start in {APP_START_TIMEOUT_S}s:\n{_log_tail()}")
            time.sleep(1)
        yield app
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium where it is on PATH (see ``make test``), else Playwright's own."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, app_server: RunningApp) -> Iterator[Page]:
    """A fresh browser tab on the app; JavaScript errors on the page fail the test."""
    context = browser.new_context(base_url=app_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def screenshot_dir() -> Path:
    path = OUTPUT_DIR / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
