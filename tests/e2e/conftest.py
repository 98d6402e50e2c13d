"""The real app (``scripts/run_app.sh``, i.e. ``reflex run``) and a Chromium driven by Playwright.

The app runs once per session on free ports, with its data in a temporary dir and
its compiled frontend in ``.web-e2e/`` (so a ``make run`` in the same tree is left
alone). Its output goes to ``test-output/e2e-app.log``. The first start installs
the frontend packages with bun and can take a minute or two.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e._app import CHROMIUM_ARGS, OUTPUT_DIR, AppStartError, RunningApp, running_app

APP_LOG = OUTPUT_DIR / "e2e-app.log"
MODEL_SCRIPT = Path(__file__).with_name("model_script.yaml")  # the demo model's rules here

# The first page load waits for Vite to transform the app's modules.
expect.set_options(timeout=30_000)

__all__ = ["RunningApp"]


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app as ``make run`` starts it, on free ports and an empty data dir."""
    data_dir = tmp_path_factory.mktemp("app-data")
    no_reload = tmp_path_factory.mktemp("no-hot-reload")
    try:
        script = {"ORCHESTRALL_MODEL_SCRIPT": str(MODEL_SCRIPT)}
        # Two suites at once (say, while developing) each need their own compiled frontend.
        web = os.environ.get("ORCHESTRALL_E2E_WEB_WORKDIR")
        with running_app(
            data_dir, no_reload, APP_LOG, env_extra=script, web_workdir=Path(web) if web else None
        ) as app:
            yield app
    except AppStartError as exc:
        pytest.fail(str(exc))


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
