"""A first visit: the empty home page, a new graph, and the graph still there after a reload."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_new_graph_from_an_empty_home_page(page: Page, screenshot_dir: Path) -> None:
    page.goto("/")

    expect(page.get_by_test_id("app-name")).to_have_text("Orchestrall")
    expect(page).to_have_title(re.compile("Orchestrall"))
    empty = page.get_by_test_id("graphs-empty")
    expect(empty).to_contain_text("No graphs yet")
    expect(empty).to_contain_text("Click New graph to create your first agent graph")
    page.screenshot(path=screenshot_dir / "home-empty.png", full_page=True)

    page.get_by_role("button", name="New graph").click()

    cards = page.get_by_test_id("graph-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Untitled graph")
    expect(cards.first).to_contain_text("Valid")
    expect(cards.first).to_contain_text(re.compile(r"\d+ nodes?"))
    expect(cards.first).to_contain_text("Edited")
    expect(empty).to_have_count(0)

    page.get_by_role("button", name="New graph").click()
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Untitled graph 2")

    page.reload()
    expect(cards).to_have_count(2)
    page.screenshot(path=screenshot_dir / "home.png", full_page=True)
