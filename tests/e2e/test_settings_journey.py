"""The settings page in a browser: save an OpenAI key, test providers, add and delete a
named secret, reload. A saved key never comes back: not in the page's HTML, not in any
websocket frame the server sends, and the browser sends it exactly once (the Save).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, WebSocket, expect

from agent_runtime.secrets import SecretStore, load_secret_key
from agent_runtime.settings import Settings
from agent_runtime.store import open_store

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e


class Frames:
    """Every websocket frame of a page, by direction."""

    def __init__(self, page: Page) -> None:
        self.sent: list[str] = []
        self.received: list[str] = []
        page.on("websocket", self._watch)

    def _watch(self, ws: WebSocket) -> None:
        ws.on("framesent", lambda payload: self.sent.append(_text(payload)))
        ws.on("framereceived", lambda payload: self.received.append(_text(payload)))

    def sent_with(self, value: str) -> int:
        return sum(value in frame for frame in self.sent)

    def received_with(self, value: str) -> int:
        return sum(value in frame for frame in self.received)


def _text(payload: str | bytes) -> str:
    return payload if isinstance(payload, str) else payload.decode("utf-8", "replace")


def _shot(page: Page, path: Path, *, full_page: bool = True) -> None:
    """A screenshot; a full page is taken from the top, so the sticky header sits there."""
    if full_page:
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, animations="disabled", full_page=full_page)


@pytest.fixture
def app_settings(app_server: RunningApp) -> Iterator[Settings]:
    """The app's settings (same data dir); secrets and provider fields saved here are removed."""
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    yield settings
    with open_store(settings=settings) as store:
        secrets = SecretStore(store, load_secret_key(settings))
        for name in secrets.names():
            secrets.delete_secret(name)
    (app_server.data_dir / "providers.json").unlink(missing_ok=True)


def test_a_saved_key_is_never_sent_back_to_the_browser(
    page: Page, app_server: RunningApp, app_settings: Settings, screenshot_dir: Path
) -> None:
    key = f"sk-canary-{uuid.uuid4().hex}"
    token = f"tok-canary-{uuid.uuid4().hex}"
    frames = Frames(page)

    page.goto("/")
    page.get_by_test_id("settings-link").click()
    expect(page).to_have_url(re.compile(r"/settings$"))
    expect(page).to_have_title("Settings · Orchestrall")
    openai = page.get_by_test_id("provider-openai")
    expect(page.get_by_test_id("openai-key-status")).to_have_text("Not set")
    expect(page.get_by_test_id("secrets-empty")).to_be_visible()
    _shot(page, screenshot_dir / "settings-empty.png")

    # The demo model is always there.
    page.get_by_test_id("demo-test").click()
    expect(page.get_by_test_id("demo-check")).to_have_text("Connected: 1 model")

    # Save an OpenAI key: the field clears and only the hint comes back.
    key_input = page.get_by_test_id("openai-api-key")
    expect(key_input).to_have_attribute("type", "password")
    key_input.fill(key)
    openai.get_by_role("button", name="Save").click()
    status = page.get_by_test_id("openai-key-status")
    expect(status).to_have_text(f"Saved ••••{key[-4:]}")
    expect(page.get_by_test_id("openai-api-key")).to_have_value("")
    expect(page.get_by_test_id("openai-api-key")).to_have_attribute(
        "placeholder", "Enter a new key to replace the saved one"
    )
    rows = page.get_by_test_id("secret-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("OPENAI_API_KEY")
    expect(rows.first).to_contain_text("OpenAI")
    _shot(page, screenshot_dir / "settings-openai-saved.png")

    # An OpenAI-compatible server: the app's own demo model, by URL.
    page.get_by_test_id("openai_compatible-base-url").fill(app_server.demo_model_url)
    page.get_by_test_id("openai_compatible-save").click()
    expect(page.get_by_test_id("openai_compatible-base-url")).to_have_value(
        app_server.demo_model_url
    )
    page.get_by_test_id("openai_compatible-test").click()
    expect(page.get_by_test_id("openai_compatible-check")).to_have_text("Connected: 1 model")

    # A bad Azure endpoint is refused in place.
    page.get_by_test_id("azure_openai-endpoint").fill("not a url")
    page.get_by_test_id("azure_openai-save").click()
    expect(page.get_by_test_id("azure_openai-error")).to_have_text(
        "The endpoint URL must be an http:// or https:// URL."
    )
    expect(page.get_by_test_id("azure_openai-endpoint")).to_have_value("not a url")

    # A named secret for an HTTP tool.
    page.get_by_test_id("secret-name").fill("SHOP_API_TOKEN")
    page.get_by_test_id("secret-value").fill(token)
    page.get_by_test_id("secret-save").click()
    expect(rows).to_have_count(2)
    shop = rows.filter(has_text="SHOP_API_TOKEN")
    expect(shop).to_contain_text(f"••••{token[-4:]}")
    expect(page.get_by_test_id("secret-value")).to_have_value("")
    expect(page.get_by_test_id("secret-name")).to_have_value("")
    _shot(page, screenshot_dir / "settings-secrets.png")

    assert key not in page.content() and token not in page.content()
    assert frames.received_with(key) == 0 and frames.received_with(token) == 0
    assert frames.sent_with(key) == 1 and frames.sent_with(token) == 1  # the two Saves

    # After a reload: the hints, never the values.
    sent_before = len(frames.sent)
    page.reload()
    expect(page.get_by_test_id("openai-key-status")).to_have_text(f"Saved ••••{key[-4:]}")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("openai_compatible-base-url")).to_have_value(
        app_server.demo_model_url
    )
    expect(page.get_by_test_id("azure_openai-error")).to_have_count(0)  # a reload starts afresh
    expect(page.get_by_test_id("openai_compatible-check")).to_have_count(0)
    html = page.content()
    assert key not in html and token not in html
    assert f"••••{key[-4:]}" in html
    assert frames.received_with(key) == 0 and frames.received_with(token) == 0
    assert not any(key in f or token in f for f in frames.sent[sent_before:])
    _shot(page, screenshot_dir / "settings-reloaded.png")

    # Delete the shop token, confirming first.
    page.get_by_test_id("secret-delete-SHOP_API_TOKEN").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Delete SHOP_API_TOKEN?")
    _shot(page, screenshot_dir / "settings-delete-confirm.png", full_page=False)
    page.get_by_test_id("secret-delete-confirm").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("OPENAI_API_KEY")

    # On disk: ciphertext only.
    written = b"".join(p.read_bytes() for p in app_server.data_dir.rglob("*") if p.is_file())
    assert key.encode() not in written
    with open_store(settings=app_settings) as store:
        secrets = SecretStore(store, load_secret_key(app_settings))
        assert secrets.reveal("OPENAI_API_KEY") == key
