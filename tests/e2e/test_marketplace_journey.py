"""The marketplace in a browser: browse the catalogue, search, open a template, use it,
run the copy on the demo model, change it, publish it as a new template (version 1.1.0,
the dialog's default), find it by searching, and rate it.

The journey adds its own template to the app's store first (like a bundled one), so it
does not depend on which templates the bundled catalogue holds; it checks that every
bundled template that loads is listed too.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from agent_runtime.errors import ConflictError, OrchestrallError
from agent_runtime.settings import Settings
from agent_runtime.store import Store, open_store
from app.paths import MARKETPLACE, builder_path, template_path
from marketplace import Marketplace, Release, TemplateMeta, bundled_templates

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SLUG = "e2e-field-notes"
TITLE = "Bramblewood field notes"
README = (
    "# Bramblewood notes\n\nA researcher, a writer and an editor turn a topic into **notes**."
    "\n\nRaw <b>HTML</b> is not rendered."
)
SEEDING_MS = 120_000  # the app's first marketplace call stores (compiles) the bundled catalogue


def _add_template(store: Store) -> None:
    """The journey's template, two versions, stored like a bundled one (not the user's)."""
    spec = json.loads((ROOT / "examples" / "research_crew.json").read_text())
    meta = TemplateMeta(
        slug=SLUG, title=TITLE, summary="Researches a topic and writes tidy field notes.",
        category="Research", tags=["research", "notes"], author="Orchestrall",
    )  # fmt: skip
    market = Marketplace(store, user="orchestrall")
    for version, changelog in (("0.9.0", "First draft."), ("1.0.0", "An editor checks.")):
        release = Release(version=version, changelog=changelog, readme=README, spec=spec)
        with contextlib.suppress(ConflictError):  # added by an earlier run on this app
            market.add_release(meta, release, origin="bundled")


@pytest.fixture
def store(app_server: RunningApp) -> Iterator[Store]:
    """The app's store with the journey's template; graphs made by the journey are deleted."""
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    with open_store(settings=settings) as store:
        before = {graph.id for graph in store.list_graphs()}
        # Storing a template compiles it on each backend, which closes what it compiled
        # with asyncio.run: off this thread, where Playwright's event loop runs.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(_add_template, store).result()
        yield store
        for graph in store.list_graphs():
            if graph.id not in before:
                store.delete_graph(graph.id)


def _bundled_slugs() -> list[str]:
    try:
        return [t.meta.slug for t in bundled_templates()]
    except OrchestrallError:
        return []  # the catalogue is being written: the app says so on the page


def _card(page: Page, slug: str):
    return page.locator(f"[data-testid='template-card'][data-slug='{slug}']")


def _search(page: Page, words: str, summary: str) -> None:
    page.get_by_test_id("template-search").fill(words)
    expect(page.get_by_test_id("result-count")).to_have_text(summary)


def test_use_change_publish_and_rate_a_template(
    page: Page, store: Store, screenshot_dir: Path
) -> None:
    # 1. Browse: the header leads here; every bundled template and the journey's are listed.
    page.goto("/")
    page.get_by_test_id("marketplace-link").click()
    expect(page).to_have_url(re.compile(rf"{MARKETPLACE}/?$"))
    expect(page.get_by_test_id("template-list")).to_be_visible(timeout=SEEDING_MS)
    bundled = _bundled_slugs()
    total = len(bundled) + 1
    expect(page.get_by_test_id("result-count")).to_have_text(re.compile(rf"^{total} templates$"))
    for slug in [*bundled, SLUG][:24]:
        expect(_card(page, slug)).to_be_visible()
    expect(page.get_by_test_id("template-card")).to_have_count(min(total, 24))
    page.screenshot(path=screenshot_dir / "marketplace-browse.png", full_page=True)

    # 2. Search as one types, filter, and an empty state for words nothing has.
    _search(page, "bramblewood notes", "1 template matches “bramblewood notes”")
    card = _card(page, SLUG)
    expect(card).to_contain_text(TITLE)
    expect(card).to_contain_text("Not rated yet")
    expect(card.get_by_test_id("template-backends")).to_contain_text("LangGraph")
    _search(page, "zebra unicorn", "0 templates match “zebra unicorn”")
    expect(page.get_by_test_id("templates-empty")).to_contain_text("No templates match")
    _search(page, "bramblewood", "1 template matches “bramblewood”")
    page.get_by_test_id("filter-category").click()
    page.get_by_role("option", name=re.compile(r"^Research \(\d+\)$")).click()
    expect(card).to_be_visible()
    expect(page.get_by_test_id("template-card").filter(has_not_text="Research")).to_have_count(0)

    # 3. The template's page: readme, read-only graph, versions, secrets, backends.
    card.get_by_test_id("template-card-link").click()
    expect(page).to_have_url(re.compile(rf"{template_path(SLUG)}/?$"))
    expect(page.get_by_test_id("template-title")).to_have_text(TITLE)
    readme = page.get_by_test_id("template-readme")
    expect(readme.get_by_role("heading", name="Bramblewood notes")).to_be_visible()
    expect(readme.locator("strong")).to_have_text("notes")
    expect(readme.locator("b")).to_have_count(0)
    canvas = page.get_by_test_id("template-canvas")
    expect(canvas).to_have_attribute("data-node-count", "5")
    expect(canvas).to_have_attribute("data-read-only", "true")
    expect(canvas.get_by_test_id("canvas-toolbar")).to_have_count(0)
    versions = page.get_by_test_id("template-version")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("An editor checks.")
    expect(page.get_by_test_id("template-secrets")).to_contain_text("OPENAI_API_KEY")
    expect(page.get_by_test_id("template-secrets")).to_contain_text("Settings → Secrets")
    expect(page.get_by_test_id("template-backends")).to_contain_text("CrewAI")
    page.get_by_test_id("install-version").click()
    page.get_by_role("option", name="v0.9.0").click()
    expect(page.get_by_test_id("use-template")).to_have_text("Use version 0.9.0")
    page.get_by_test_id("install-version").click()
    page.get_by_role("option", name="v1.0.0").click()
    expect(page.get_by_test_id("use-template")).to_have_text("Use this template")
    page.screenshot(path=screenshot_dir / "marketplace-detail.png", full_page=True)

    # 4. Use it: a copy of its own, opened in the builder.
    page.get_by_test_id("use-template").click()
    expect(page).to_have_url(re.compile(r"/graphs/[^/]+/?$"))
    graph_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert page.url.rstrip("/").endswith(builder_path(graph_id))
    copy = store.get_graph(graph_id)
    assert (copy.template_slug, copy.template_version) == (SLUG, "1.0.0")
    canvas = page.get_by_test_id("graph-canvas")
    expect(canvas).to_have_attribute("data-node-count", "5")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-status", "saved")

    # 5. Run it on the demo model.
    page.get_by_test_id("tab-run").click()
    page.get_by_test_id("run-model").click()
    page.get_by_role("option", name="Demo model (offline)").click()
    page.get_by_test_id("run-input").fill("Honey bees")
    page.get_by_test_id("run-button").click()
    answer = page.get_by_test_id("run-answer")
    expect(answer).to_have_attribute("data-status", "succeeded")
    expect(answer).to_contain_text("[demo model] Editor")

    # 6. Change it: rename the writer.
    page.get_by_test_id("tab-properties").click()
    canvas.get_by_test_id("node-writer").click()
    expect(canvas).to_have_attribute("data-selected", "writer")
    expect(page.get_by_test_id("panel-kind")).to_have_text("agent")
    revision = canvas.get_attribute("data-revision") or ""
    name = page.get_by_test_id("input-name")
    name.fill("Story writer")
    name.press("Tab")
    expect(canvas).not_to_have_attribute("data-revision", revision)
    expect(canvas.get_by_test_id("node-writer")).to_contain_text("Story writer")

    # 7. Publish it: a new template at 1.1.0 (the next minor of what it was installed from).
    page.get_by_test_id("publish-button").click()
    dialog = page.get_by_test_id("publish-dialog")
    expect(dialog).to_contain_text(f"Installed from {TITLE} 1.0.0")
    version = dialog.get_by_test_id("publish-version")
    expect(version).to_have_value("1.1.0")
    expect(dialog.get_by_test_id("publish-readme")).to_have_value(README)
    dialog.get_by_test_id("publish-title").fill("Bramblewood, story edition")
    version.fill("one")
    dialog.get_by_test_id("publish-preview").click()
    problem = dialog.get_by_test_id("publish-field-version").get_by_test_id("field-error")
    expect(problem).to_contain_text("is not a semantic version")
    version.fill("1.1.0")
    expect(problem).to_have_count(0)
    dialog.get_by_test_id("publish-changelog").fill("The writer tells a story.")
    page.screenshot(path=screenshot_dir / "marketplace-publish-form.png")
    dialog.get_by_test_id("publish-preview").click()
    shared = dialog.get_by_test_id("publish-preview-json")
    expect(shared).to_contain_text('"name": "Story writer"')
    expect(shared).to_contain_text('"version": "1.1.0"')
    expect(shared).to_contain_text('"slug": "bramblewood-story-edition"')
    bundle = json.loads(shared.inner_text())
    assert bundle["releases"][0]["spec"] == store.get_spec(graph_id)
    page.screenshot(path=screenshot_dir / "marketplace-publish.png")
    dialog.get_by_test_id("publish-confirm").click()
    expect(dialog.get_by_test_id("publish-done")).to_contain_text("Bramblewood, story edition")
    dialog.get_by_test_id("publish-template-link").click()

    # 8. Its page, and a rating: one per person, editable.
    published = "bramblewood-story-edition"
    expect(page).to_have_url(re.compile(rf"{template_path(published)}/?$"))
    expect(page.get_by_test_id("template-title")).to_have_text("Bramblewood, story edition")
    expect(page.get_by_test_id("template-version").first).to_contain_text("1.1.0")
    expect(page.get_by_test_id("template-version").first).to_contain_text("tells a story")
    expect(page.get_by_test_id("template-author")).to_have_text("by you")
    expect(page.get_by_test_id("rating-summary")).to_have_text("No ratings yet")
    page.get_by_test_id("star-4").click()
    page.get_by_test_id("review-text").fill("Clear and quick.")
    page.get_by_test_id("review-save").click()
    expect(page.get_by_test_id("rating-summary")).to_have_text("4.0 out of 5 from 1 rating")
    expect(page.get_by_test_id("review")).to_contain_text("Clear and quick.")
    expect(page.get_by_test_id("review-save")).to_have_text("Update review")
    page.get_by_test_id("star-5").click()
    page.get_by_test_id("review-save").click()
    expect(page.get_by_test_id("rating-summary")).to_have_text("5.0 out of 5 from 1 rating")
    expect(page.get_by_test_id("review")).to_have_count(1)
    expect(page.get_by_test_id("review-text")).to_have_value("Clear and quick.")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays at the top of the shot
    page.screenshot(path=screenshot_dir / "marketplace-rated.png", full_page=True)

    # 9. Found in the marketplace by searching, with its rating.
    page.get_by_test_id("back-to-marketplace").click()
    page.get_by_test_id("clear-filters").click()
    _search(page, "bramblewood story", "1 template matches “bramblewood story”")
    found = _card(page, published)
    expect(found).to_contain_text("5.0")
    expect(found).to_contain_text("v1.1.0")

    # 10. A new version of my template, from the builder: the graph is now that template's
    # 1.1.0, so the dialog proposes its next minor, and a version that is not newer is
    # refused at its field.
    page.goto(builder_path(graph_id))
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-status", "saved")
    page.get_by_test_id("publish-button").click()
    dialog = page.get_by_test_id("publish-dialog")
    expect(dialog.get_by_role("radio", name="New version of mine")).to_be_checked()
    expect(dialog.get_by_test_id("publish-target")).to_contain_text("Bramblewood, story edition")
    version = dialog.get_by_test_id("publish-version")
    expect(version).to_have_value("1.2.0")
    expect(dialog.get_by_test_id("publish-title")).to_have_value("Bramblewood, story edition")
    version.fill("1.1.0")
    dialog.get_by_test_id("publish-preview").click()
    problem = dialog.get_by_test_id("publish-field-version").get_by_test_id("field-error")
    expect(problem).to_contain_text("already has version 1.1.0")
    version.fill("1.2.0")
    dialog.get_by_test_id("publish-changelog").fill("Same graph, clearer readme.")
    dialog.get_by_test_id("publish-preview").click()
    expect(dialog.get_by_test_id("publish-preview-json")).to_contain_text('"version": "1.2.0"')
    dialog.get_by_test_id("publish-confirm").click()
    expect(dialog.get_by_test_id("publish-done")).to_contain_text("version 1.2.0")
    dialog.get_by_test_id("publish-template-link").click()
    expect(page.get_by_test_id("template-version")).to_have_count(2)
    expect(page.get_by_test_id("template-version").first).to_contain_text("clearer readme")
