"""The home page in a browser: a first visit with New graph, then search, rename, duplicate,
delete and Undo over saved graphs, and a card opening its graph."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect

from agent_runtime.store import open_store

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e

SEEDED = [
    ("Support triage", "Routes customer tickets to the right team."),
    ("Research crew", "Reads papers on a topic and writes a one-page summary."),
    ("Invoice checker", ""),
]


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


def _shot(page: Page, path: Path) -> None:
    """A screenshot with menus, dialogs and toasts past their enter animations."""
    page.screenshot(path=path, animations="disabled")


def _card(page: Page, name: str) -> Locator:
    """The card whose title is exactly ``name``."""
    return page.get_by_test_id("graph-card").filter(
        has=page.get_by_test_id("graph-card-link").get_by_text(name, exact=True)
    )


def _graph_id(page: Page, name: str) -> str:
    graph_id = _card(page, name).get_attribute("data-graph-id")
    assert graph_id, f"no card named {name!r}"
    return graph_id


def _menu(page: Page, name: str, action: str) -> None:
    """Open a card's actions menu and pick ``action`` (rename, duplicate, delete)."""
    graph_id = _graph_id(page, name)
    page.get_by_test_id(f"graph-menu-{graph_id}").click()
    page.get_by_test_id(f"graph-{action}-{graph_id}").click()


def _names(page: Page) -> list[str]:
    return page.get_by_test_id("graph-card-link").all_inner_texts()


def test_search_rename_duplicate_delete_and_undo(
    page: Page, app_server: RunningApp, screenshot_dir: Path
) -> None:
    with open_store(f"sqlite:///{app_server.data_dir / 'orchestrall.db'}") as store:
        for name, description in SEEDED:
            store.create_graph(name, description)
        research = next(g for g in store.list_graphs() if g.name == "Research crew")
        spec = store.get_spec(research.id)
        spec["nodes"][0]["label"] = "Topic"
        store.save_graph(research.id, spec, "Named the input")
        total = len(store.list_graphs())  # with the first test's graphs, if it ran
    page.goto("/")
    cards = page.get_by_test_id("graph-card")
    expect(cards).to_have_count(total)
    _shot(page, screenshot_dir / "home-graphs.png")

    # Search: by name or description, debounced; no match is not the empty state.
    search = page.get_by_test_id("graph-search")
    search.fill("tickets")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Support triage")
    _shot(page, screenshot_dir / "home-search.png")
    search.fill("zebra")
    no_match = page.get_by_test_id("graphs-no-match")
    expect(no_match).to_contain_text("No graphs match “zebra”")
    expect(page.get_by_test_id("graphs-empty")).to_have_count(0)
    _shot(page, screenshot_dir / "home-no-match.png")
    no_match.get_by_role("button", name="Clear search").click()
    expect(cards).to_have_count(total)
    expect(search).to_have_value("")

    # Rename: an empty name is refused in the dialog, a real one renames the card.
    graph_id = _graph_id(page, "Support triage")
    page.get_by_test_id(f"graph-menu-{graph_id}").click()
    expect(page.get_by_role("menuitem")).to_have_count(4)
    _shot(page, screenshot_dir / "home-card-menu.png")
    page.get_by_test_id(f"graph-rename-{graph_id}").click()
    dialog = page.get_by_role("dialog", name="Rename graph")
    name_input = dialog.get_by_test_id("rename-input")
    expect(name_input).to_have_value("Support triage")
    name_input.fill("   ")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_test_id("rename-error")).to_have_text("A graph needs a non-empty name.")
    _shot(page, screenshot_dir / "home-rename-error.png")
    name_input.fill("Help desk triage")
    name_input.press("Enter")
    expect(dialog).to_have_count(0)
    expect(cards.first).to_contain_text("Help desk triage")
    assert _graph_id(page, "Help desk triage") == graph_id

    # Duplicate: a new card "<name> (copy)" at the top, the original kept.
    _menu(page, "Help desk triage", "duplicate")
    expect(cards).to_have_count(total + 1)
    expect(cards.first).to_contain_text("Help desk triage (copy)")
    expect(cards.first).to_contain_text("Routes customer tickets")
    expect(_card(page, "Help desk triage")).to_have_count(1)

    # Delete: confirmed first; the card goes, a toast offers Undo, Undo brings it all back.
    before = _names(page)
    research_id = _graph_id(page, "Research crew")
    _menu(page, "Research crew", "delete")
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Delete “Research crew”?")
    expect(confirm).to_contain_text("Undo brings back the graph and its history")
    _shot(page, screenshot_dir / "home-delete-confirm.png")
    confirm.get_by_role("button", name="Delete").click()
    expect(cards).to_have_count(total)
    expect(_card(page, "Research crew")).to_have_count(0)
    toast = page.locator("[data-sonner-toast]").filter(has_text="Deleted Research crew")
    expect(toast).to_be_visible()
    _shot(page, screenshot_dir / "home-deleted-toast.png")
    toast.get_by_role("button", name="Undo").click()
    expect(cards).to_have_count(total + 1)
    assert _names(page) == before, "back in its old place"
    assert _graph_id(page, "Research crew") == research_id
    with open_store(f"sqlite:///{app_server.data_dir / 'orchestrall.db'}") as store:
        messages = [v.message for v in store.list_versions(research_id)]
    assert messages == ["Named the input", "Created"]

    # The card opens the graph's builder page, and so does Open in its menu.
    _card(page, "Help desk triage").click()
    expect(page).to_have_url(re.compile(f"/graphs/{graph_id}$"))
    page.go_back()
    expect(cards).to_have_count(total + 1)
    _menu(page, "Research crew", "open")
    expect(page).to_have_url(re.compile(f"/graphs/{research_id}$"))
