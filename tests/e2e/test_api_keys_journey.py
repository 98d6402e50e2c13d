"""API keys in a browser: create one scoped to a graph, see it once, use it against the
running app's API, reload (only the prefix), revoke it and see it refused.

The key goes to the browser exactly once (the websocket frame that opens its dialog);
after the dialog closes it is in neither the page's HTML nor any later frame.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.sync_api import Page, WebSocket, expect

from agent_runtime.access import ApiKeys
from agent_runtime.errors import AccessError
from agent_runtime.settings import Settings
from agent_runtime.store import Store, open_store

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e

KEY_SHAPE = re.compile(r"^orch_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$")


def _received(page: Page) -> list[str]:
    """Every websocket frame the page gets from now on."""
    frames: list[str] = []

    def watch(ws: WebSocket) -> None:
        ws.on(
            "framereceived",
            lambda p: frames.append(p if isinstance(p, str) else p.decode("utf-8", "replace")),
        )

    page.on("websocket", watch)
    return frames


def _shot(page: Page, path: Path, *, full_page: bool = True) -> None:
    if full_page:
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, animations="disabled", full_page=full_page)


@pytest.fixture
def app_store(app_server: RunningApp) -> Iterator[Store]:
    """The app's own database (same data dir), opened from the test process."""
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    with open_store(settings=settings) as store:
        yield store


def _get_graphs(app_server: RunningApp, key: str) -> httpx.Response:
    return httpx.get(
        f"{app_server.backend_url}/api/v1/graphs",
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )


@pytest.fixture
def graphs(app_store: Store) -> Iterator[tuple[str, str]]:
    """(tag, id of the graph the key may use) and one more graph; both deleted afterwards
    (the app is shared: the home page journey expects no graphs)."""
    tag = uuid.uuid4().hex[:6]
    made = [app_store.create_graph(f"Support bot {tag}").id]
    made.append(app_store.create_graph(f"Internal tool {tag}").id)
    yield tag, made[0]
    for graph_id in made:
        app_store.delete_graph(graph_id)


def test_a_key_is_shown_once_works_and_is_refused_once_revoked(
    page: Page,
    app_server: RunningApp,
    app_store: Store,
    graphs: tuple[str, str],
    screenshot_dir: Path,
) -> None:
    tag, allowed = graphs
    name = f"CRM integration {tag}"
    expires = (datetime.now(UTC) + timedelta(days=30)).date()
    received = _received(page)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    page.goto("/settings")
    section = page.get_by_test_id("api-keys-section")
    expect(section.get_by_role("heading", name="API keys")).to_be_visible()

    # A form without a name is refused in place.
    page.get_by_test_id("api-key-create").click()
    expect(page.get_by_test_id("api-key-error")).to_have_text(
        "Give the key a name, such as the app that will use it."
    )

    # Create a key for one graph, with an expiry and a limit.
    page.get_by_test_id("api-key-name").fill(name)
    section.get_by_text("Only these graphs").click()
    section.get_by_test_id("api-key-graphs").get_by_text(f"Support bot {tag}").click()
    page.get_by_test_id("api-key-expires").fill(expires.isoformat())
    page.get_by_test_id("api-key-per-minute").fill("30")
    page.get_by_test_id("api-key-create").click()

    dialog = page.get_by_test_id("api-key-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(name)
    expect(page.get_by_test_id("api-key-warning")).to_contain_text("shown this once")
    key = page.get_by_test_id("api-key-new-value").inner_text().strip()
    assert KEY_SHAPE.match(key), key
    page.get_by_test_id("api-key-copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == key
    _shot(page, screenshot_dir / "settings-api-key-created.png", full_page=False)

    page.get_by_test_id("api-key-done").click()
    expect(dialog).to_have_count(0)
    row = page.get_by_test_id("api-key-row").filter(has_text=name)
    expect(row).to_have_count(1)
    prefix = key[:13]
    expect(row.get_by_test_id("api-key-prefix")).to_have_text(f"{prefix}…")
    expect(row.get_by_test_id("api-key-state")).to_have_text("active")
    expect(row.get_by_test_id("api-key-scope-text")).to_have_text(f"Support bot {tag}")
    expect(row.get_by_test_id("api-key-last-used")).to_have_text("Never")
    expect(row).to_contain_text("30/min")
    expect(row.get_by_test_id("api-key-expires-on")).to_have_text(f"{expires.day} {expires:%b %Y}")
    assert key not in page.content()
    frames_with_key = sum(key in f for f in received)
    assert frames_with_key == 1, frames_with_key  # the frame that opened the dialog

    # The key works against the running app's API, for its one graph only.
    answer = _get_graphs(app_server, key)
    assert answer.status_code == 200, answer.text
    assert [g["id"] for g in answer.json()["graphs"]] == [allowed]
    assert ApiKeys(app_store).verify(key).allows(allowed)

    # After a reload: the prefix and the use, never the key.
    page.reload()
    expect(row.get_by_test_id("api-key-prefix")).to_have_text(f"{prefix}…")
    expect(row.get_by_test_id("api-key-last-used")).not_to_have_text("Never")
    expect(page.get_by_test_id("api-key-dialog")).to_have_count(0)
    assert key not in page.content()
    assert sum(key in f for f in received) == frames_with_key
    section.screenshot(path=screenshot_dir / "settings-api-keys.png", animations="disabled")

    # Revoke, after a confirmation: refused at once.
    row.get_by_test_id("api-key-revoke").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text(f"Revoke {name}?")
    _shot(page, screenshot_dir / "settings-api-key-revoke.png", full_page=False)
    page.get_by_test_id("api-key-revoke-confirm").click()
    expect(row.get_by_test_id("api-key-state")).to_have_text("revoked")
    expect(row.get_by_test_id("api-key-revoke")).to_have_count(0)
    section.screenshot(path=screenshot_dir / "settings-api-key-revoked.png", animations="disabled")

    refused = _get_graphs(app_server, key)
    assert refused.status_code == 401, refused.text
    assert refused.json()["error"]["code"] == "unauthorized"
    assert key not in refused.text
    with pytest.raises(AccessError, match="revoked"):
        ApiKeys(app_store).verify(key)
    assert key not in page.content()

    # Nothing but the hash was written anywhere in the data dir.
    written = b"".join(p.read_bytes() for p in app_server.data_dir.rglob("*") if p.is_file())
    assert key.encode() not in written
