"""A graph's knowledge page in a browser: upload a Markdown file, see its chunks, search it,
delete it. The app embeds with the bundled model (loaded on first use, in the app)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from agent_runtime.settings import Settings
from agent_runtime.store import open_store
from app.paths import builder_path, knowledge_path
from tests.agent_runtime.conformance._graphs import agent, linear

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e

HANDBOOK = """# Staff handbook

## Holidays

Every employee gets twenty-eight days of paid holiday a year. Unused days carry
over until the end of March; ask your manager before booking more than two weeks.

## Travel

Train tickets are booked through the travel desk. Hotel nights are refunded up to
140 euros in cities and 100 euros elsewhere, with the receipt.

## Working from home

Everyone may work from home up to three days a week. Agree the days with your
team, keep your calendar up to date, and be reachable on chat during core hours,
from ten to four. Home office furniture is paid up to 300 euros once, on
presenting the invoice to the people team.

## Training

Each person has a training budget of 1,500 euros a year for courses, books and
conferences. Ask your manager first; unused budget does not carry over.

## Security

Lock your screen whenever you leave your desk. Passwords are kept in the company
password manager, never in documents or chat. Report a lost laptop or phone to
the security team at once, day or night.

## Equipment

Laptops are replaced every four years. A broken screen is repaired by the IT
service desk within two working days.
"""
EMBEDDING_S = 120_000  # the app loads the embedding model on its first upload


@pytest.fixture
def graph_id(app_server: RunningApp) -> Iterator[str]:
    """A graph with one knowledge base, deleted afterwards."""
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    memories = [{"id": "handbook", "type": "knowledge_base", "description": "The staff handbook"}]
    spec = linear("Helpdesk", agent("help", "Helper", memory=["handbook"]), memories=memories)
    with open_store(settings=settings) as store:
        made = store.create_graph("Helpdesk", spec=spec).id
        yield made
        store.delete_graph(made)


def test_upload_search_and_delete_a_document(
    page: Page, graph_id: str, tmp_path: Path, screenshot_dir: Path
) -> None:
    page.goto(builder_path(graph_id))
    page.get_by_test_id("knowledge-link").click()
    expect(page).to_have_url(re.compile(rf"{knowledge_path(graph_id)}/?$"))
    expect(page.get_by_role("heading", name="Knowledge of Helpdesk")).to_be_visible()
    expect(page.get_by_test_id("knowledge-base-name")).to_have_text("handbook")
    expect(page.get_by_test_id("documents-empty")).to_contain_text("No documents yet")

    handbook = tmp_path / "handbook.md"
    handbook.write_text(HANDBOOK, encoding="utf-8")
    page.get_by_test_id("knowledge-upload").locator("input[type=file]").set_input_files(handbook)
    upload = page.get_by_test_id("upload-handbook.md")
    expect(upload).to_have_attribute("data-status", "done", timeout=EMBEDDING_S)
    expect(upload).to_contain_text(re.compile(r"Added · \d+ chunks"))  # several

    row = page.get_by_test_id("document-handbook.md")
    expect(row).to_contain_text("Markdown")
    chunk_count = row.get_by_test_id("document-chunks")
    expect(chunk_count).to_have_text(re.compile(r"^\d+$"))
    chunks = int(chunk_count.inner_text())
    assert chunks >= 2
    row.get_by_test_id("document-open").click()
    expect(page.locator("[data-testid^='chunk-']")).to_have_count(chunks)
    expect(page.get_by_test_id("chunk-0")).to_contain_text("twenty-eight days")
    row.get_by_test_id("document-open").click()
    expect(page.locator("[data-testid^='chunk-']")).to_have_count(0)

    page.get_by_test_id("knowledge-query").fill("How much is a hotel night refunded?")
    page.get_by_test_id("knowledge-search").click()
    top = page.get_by_test_id("search-hit").first
    expect(top).to_contain_text("140 euros")
    expect(top).to_contain_text("handbook.md")
    expect(top.get_by_test_id("hit-score")).to_have_text(re.compile(r"score 0\.\d\d"))
    score = float(top.get_by_test_id("hit-score").inner_text().removeprefix("score "))
    assert score > 0.3
    page.screenshot(path=screenshot_dir / "knowledge.png", full_page=True)

    blank = tmp_path / "blank.txt"
    blank.write_text("   \n", encoding="utf-8")
    page.get_by_test_id("knowledge-upload").locator("input[type=file]").set_input_files(blank)
    failed = page.get_by_test_id("upload-blank.txt")
    expect(failed).to_have_attribute("data-status", "failed")
    expect(failed).to_contain_text("blank.txt contains no text.")
    expect(page.locator("[data-testid^='document-'][data-testid$='.txt']")).to_have_count(0)

    row.get_by_test_id("document-delete").click()
    page.get_by_test_id("confirm-delete-document").click()
    expect(page.get_by_test_id("document-handbook.md")).to_have_count(0)
    expect(page.get_by_test_id("documents-empty")).to_be_visible()
    expect(page.get_by_test_id("search-hit")).to_have_count(0)

    page.reload()
    expect(page.get_by_test_id("documents-empty")).to_contain_text("No documents yet")


def test_a_graph_without_knowledge_base_says_how_to_add_one(
    page: Page, app_server: RunningApp
) -> None:
    settings = Settings(data_dir=app_server.data_dir, database_url=None)
    with open_store(settings=settings) as store:
        plain = store.create_graph("Plain", spec=linear("Plain", agent("a", "Helper"))).id
    try:
        page.goto(knowledge_path(plain))
        expect(page.get_by_test_id("knowledge-empty")).to_contain_text(
            "add a memory of type knowledge_base"
        )
    finally:
        with open_store(settings=settings) as store:
            store.delete_graph(plain)
