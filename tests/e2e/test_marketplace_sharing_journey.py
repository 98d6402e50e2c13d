"""Sharing templates in a browser: remote sources and bundles.

The app runs with its public catalogue on (``ORCHESTRALL_SERVE_CATALOGUE=true``), so
its own backend can be a source. The journey adds that backend as the source
"Loopback" (after a bad address and before a duplicate, both refused), sees an
unreachable source say so, browses Loopback's catalogue, opens a template there and
uses it: the builder opens on the copy. Then bundles: a template's bundle is
downloaded, one byte of its spec changed and the file imported: refused as tampered.
The untouched file is refused too (the template is here already); a bundle made on
another instance imports and its page opens; importing it again is "nothing new".
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from agent_runtime.errors import ConflictError
from agent_runtime.settings import Settings
from agent_runtime.store import Store, open_store
from app.paths import MARKETPLACE, template_path
from marketplace import MAX_BUNDLE_BYTES, Marketplace, Release, TemplateMeta, export_bundle
from tests.e2e._app import OUTPUT_DIR, ROOT, AppStartError, RunningApp, free_port, running_app

pytestmark = pytest.mark.e2e

SLUG, TITLE = "e2e-quillmoor-notes", "Quillmoor shared notes"
OTHER_SLUG, OTHER_TITLE = "e2e-larkspur-digest", "Larkspur digest"
README = "# Quillmoor notes\n\nA researcher, a writer and an editor share their **notes**."
MODEL_SCRIPT = Path(__file__).with_name("model_script.yaml")  # as the session's app has it
SEEDING_MS = 120_000  # the app's first marketplace call stores (compiles) the bundled catalogue
IMPORT_MS = 60_000  # importing compiles each new version on every backend


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app sharing its catalogue, for this module (replaces the session's app here).

    Its compiled frontend has a folder of its own: the session's app may still be running.
    """
    data_dir = tmp_path_factory.mktemp("sharing-app-data")
    no_reload = tmp_path_factory.mktemp("sharing-no-hot-reload")
    web = os.environ.get("ORCHESTRALL_E2E_WEB_WORKDIR")
    workdir = Path(f"{web}-sharing") if web else ROOT / ".web-e2e-sharing"
    env = {"ORCHESTRALL_MODEL_SCRIPT": str(MODEL_SCRIPT), "ORCHESTRALL_SERVE_CATALOGUE": "true"}
    try:
        with running_app(
            data_dir, no_reload, OUTPUT_DIR / "e2e-sharing-app.log", env_extra=env,
            web_workdir=workdir,
        ) as app:  # fmt: skip
            yield app
    except AppStartError as exc:
        pytest.fail(str(exc))


def _meta(slug: str, title: str) -> TemplateMeta:
    return TemplateMeta(
        slug=slug, title=title, summary=f"{title}: researched, written and edited.",
        category="Research", tags=["research", "sharing"], author="Orchestrall",
    )  # fmt: skip


def _releases() -> list[Release]:
    spec = json.loads((ROOT / "examples" / "research_crew.json").read_text())
    return [
        Release(version=version, changelog=changelog, readme=README, spec=spec)
        for version, changelog in (("0.9.0", "First draft."), ("1.0.0", "An editor checks."))
    ]


def _add_template(store: Store) -> None:
    """The journey's template, two versions, stored like a bundled one (so it is public)."""
    market = Marketplace(store, user="orchestrall")
    for release in _releases():
        with contextlib.suppress(ConflictError):  # added by an earlier test on this app
            market.add_release(_meta(SLUG, TITLE), release, origin="bundled")


def _other_instance_bundle(folder: Path) -> Path:
    """A bundle exported by another instance (its own store), as its user downloads it."""
    with open_store(f"sqlite:///{folder / 'other.db'}") as other:
        market = Marketplace(other, user="lark")
        for release in _releases():
            market.add_release(_meta(OTHER_SLUG, OTHER_TITLE), release, origin="published")
        path = folder / f"{OTHER_SLUG}.orchestrall-template.json"
        path.write_bytes(export_bundle(market, OTHER_SLUG))
    return path


@pytest.fixture
def store(app_server: RunningApp) -> Iterator[Store]:
    """The app's store with the journey's template; graphs made by the journey are deleted."""
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    with open_store(settings=settings) as store:
        before = {graph.id for graph in store.list_graphs()}
        # Storing compiles on each backend (asyncio.run inside): off Playwright's loop thread.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(_add_template, store).result()
        yield store
        for graph in store.list_graphs():
            if graph.id not in before:
                store.delete_graph(graph.id)


def _card(page: Page, slug: str):
    return page.locator(f"[data-testid='template-card'][data-slug='{slug}']")


def _choose_source(page: Page, name: str) -> None:
    page.get_by_test_id("source-select").click()
    page.get_by_role("option", name=name, exact=True).click()
    expect(page.get_by_test_id("source-select")).to_have_text(name)


def _add_source(page: Page, url: str, name: str) -> None:
    dialog = page.get_by_test_id("sources-dialog")
    dialog.get_by_test_id("source-url").fill(url)
    dialog.get_by_test_id("source-name").fill(name)
    dialog.get_by_test_id("source-add").click()


def _import(page: Page, path: Path) -> None:
    """Open the Import bundle dialog (from the browse page) and choose ``path``."""
    if not page.get_by_test_id("import-dialog").is_visible():
        page.get_by_test_id("import-bundle").click()
    upload = page.get_by_test_id("bundle-upload").locator("input[type=file]")
    upload.set_input_files(path)


def test_browse_a_source_use_its_template_and_share_bundles(
    page: Page, store: Store, app_server: RunningApp, screenshot_dir: Path, tmp_path: Path
) -> None:
    # 1. Manage sources: a bad address and a duplicate are refused; the app's own
    # backend is added as "Loopback", and an address where nothing answers as "Offline".
    page.goto(MARKETPLACE)
    expect(page.get_by_test_id("template-list")).to_be_visible(timeout=SEEDING_MS)
    expect(page.get_by_test_id("source-select")).to_have_text("This instance")
    page.get_by_test_id("manage-sources").click()
    dialog = page.get_by_test_id("sources-dialog")
    expect(dialog.get_by_test_id("source-list-empty")).to_be_visible()
    _add_source(page, "ftp://files.example.org", "Files")
    expect(dialog.get_by_test_id("source-error")).to_contain_text(
        "is not an http:// or https:// address"
    )
    _add_source(page, app_server.backend_url, "Loopback")
    loopback = dialog.locator(f"[data-testid='source-row'][data-url='{app_server.backend_url}']")
    expect(loopback).to_contain_text("Loopback")
    expect(dialog.get_by_test_id("source-error")).to_have_count(0)
    expect(dialog.get_by_test_id("source-url")).to_have_value("")  # the form is emptied
    _add_source(page, app_server.backend_url + "/", "Again")
    expect(dialog.get_by_test_id("source-error")).to_have_text(
        f"{app_server.backend_url} is in the list of sources already."
    )
    offline_url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    _add_source(page, offline_url, "Offline")
    expect(dialog.get_by_test_id("source-row")).to_have_count(2)
    expect(dialog.get_by_test_id("source-row").first).to_contain_text("Loopback")  # by name
    page.screenshot(path=screenshot_dir / "marketplace-sources.png", animations="disabled")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_have_count(0)

    # 2. A source that cannot be reached says so; then it is removed.
    _choose_source(page, "Offline")
    error = page.get_by_test_id("marketplace-error")
    expect(error).to_contain_text("Could not load the templates of Offline")
    expect(error).to_contain_text("cannot be reached")
    expect(page.get_by_test_id("template-card")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "marketplace-source-unreachable.png")
    page.get_by_test_id("manage-sources").click()
    dialog.locator(f"[data-testid='source-row'][data-url='{offline_url}']").get_by_test_id(
        "source-remove"
    ).click()
    expect(dialog.get_by_test_id("source-row")).to_have_count(1)
    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("source-select")).to_have_text("This instance")  # it was chosen
    # A link to a template of a source that is not remembered fetches nothing.
    page.goto(f"{template_path(SLUG)}?source={quote(offline_url, safe='')}")
    expect(page.get_by_test_id("template-error")).to_contain_text(
        f"{offline_url} is not one of your template sources"
    )
    page.get_by_test_id("marketplace-link").click()

    # 3. Loopback's catalogue: searched like this one's; its cards lead to its pages.
    _choose_source(page, "Loopback")
    expect(page.get_by_test_id("remote-banner")).to_contain_text("Loopback")
    page.get_by_test_id("template-search").fill("quillmoor")
    expect(page.get_by_test_id("result-count")).to_have_text("1 template matches “quillmoor”")
    card = _card(page, SLUG)
    expect(card).to_contain_text(TITLE)
    page.screenshot(path=screenshot_dir / "marketplace-remote-browse.png")
    link = card.get_by_test_id("template-card-link")
    expect(link).to_have_attribute("href", re.compile(r"\?source=http%3A%2F%2Flocalhost%3A\d+$"))
    link.click()

    # 4. Its page there: readme, read-only graph, versions, secrets; no reviews, no download.
    expect(page).to_have_url(re.compile(rf"{template_path(SLUG)}/?\?source="))
    expect(page.get_by_test_id("template-title")).to_have_text(TITLE)
    expect(page.get_by_test_id("template-source")).to_contain_text("Loopback")
    readme = page.get_by_test_id("template-readme")
    expect(readme.get_by_role("heading", name="Quillmoor notes")).to_be_visible()
    canvas = page.get_by_test_id("template-canvas")
    expect(canvas).to_have_attribute("data-node-count", "5")
    expect(canvas).to_have_attribute("data-read-only", "true")
    expect(page.get_by_test_id("template-version")).to_have_count(2)
    expect(page.get_by_test_id("template-secrets")).to_contain_text("OPENAI_API_KEY")
    expect(page.get_by_test_id("template-backends")).to_contain_text("LangGraph")
    expect(page.get_by_test_id("template-ratings")).to_have_count(0)
    expect(page.get_by_test_id("download-bundle")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "marketplace-remote-template.png", full_page=True)

    # 5. Use it: fetched, checked, and copied here; the builder opens on the copy.
    page.get_by_test_id("use-template").click()
    expect(page).to_have_url(re.compile(r"/graphs/[^/?]+/?$"))
    graph_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    copy = store.get_graph(graph_id)
    assert (copy.template_slug, copy.template_version) == (SLUG, "1.0.0")
    expect(page.get_by_test_id("graph-canvas")).to_have_attribute("data-node-count", "5")

    # 6. Download the template's bundle from its page here.
    page.goto(template_path(SLUG))
    expect(page.get_by_test_id("template-title")).to_have_text(TITLE)
    with page.expect_download() as download_info:
        page.get_by_test_id("download-bundle").click()
    download = download_info.value
    assert download.suggested_filename == f"{SLUG}.orchestrall-template.json"
    original = tmp_path / download.suggested_filename
    download.save_as(original)
    bundle = json.loads(original.read_bytes())
    assert bundle["template"]["slug"] == SLUG
    assert [r["version"] for r in bundle["releases"]] == ["0.9.0", "1.0.0"]

    # 7. One byte of its spec changed: refused as tampered, with the reason.
    data = bytearray(original.read_bytes())
    at = data.rindex(b'"name": "') + len(b'"name": "')  # a node's name in 1.0.0's spec
    data[at] ^= 0x20  # "Editor" -> "editor"
    tampered = tmp_path / "tampered" / download.suggested_filename
    tampered.parent.mkdir()
    tampered.write_bytes(bytes(data))
    page.goto(MARKETPLACE)
    _import(page, tampered)
    refused = page.get_by_test_id("import-error")
    expect(refused).to_contain_text("content hash mismatch", timeout=IMPORT_MS)
    expect(refused).to_contain_text("the bundle was changed after it was made")
    expect(refused).to_contain_text("Version 1.0.0")
    page.screenshot(path=screenshot_dir / "marketplace-import-refused.png", animations="disabled")

    # 8. The untouched file: the template is here already (bundled), so it is refused too;
    # so are a file that is not a .json and one over the size limit (said by the drop zone).
    _import(page, original)
    expect(refused).to_contain_text("exists here already", timeout=IMPORT_MS)
    not_json = tmp_path / "notes.txt"
    not_json.write_text("hello")
    _import(page, not_json)
    expect(refused).to_contain_text("notes.txt: it is not a .json file")
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (MAX_BUNDLE_BYTES + 1))
    _import(page, huge)
    expect(refused).to_contain_text("huge.json: it is larger than 5 MB, the limit for a bundle")

    # 9. A bundle made on another instance: imported, and its page opens.
    with ThreadPoolExecutor(1) as pool:
        other = pool.submit(_other_instance_bundle, tmp_path).result()
    _import(page, other)
    expect(page).to_have_url(re.compile(rf"{template_path(OTHER_SLUG)}/?$"), timeout=IMPORT_MS)
    expect(page.get_by_test_id("template-title")).to_have_text(OTHER_TITLE)
    expect(page.get_by_test_id("template-page")).to_contain_text("Imported")
    expect(page.get_by_test_id("template-author")).to_have_text("by Orchestrall")
    expect(page.get_by_test_id("template-version")).to_have_count(2)
    page.screenshot(path=screenshot_dir / "marketplace-imported.png")

    # 10. The same file again: nothing new.
    page.get_by_test_id("back-to-marketplace").click()
    _import(page, other)
    expect(refused).to_contain_text("Nothing new", timeout=IMPORT_MS)
