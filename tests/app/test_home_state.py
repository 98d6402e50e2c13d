"""HomeState against a real SQLite store in a fresh data dir: what the home page shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_runtime.settings import get_settings
from agent_runtime.store import open_store
from app.pages.home_state import HomeState


def run(handler) -> None:
    """Run an event handler to the end, the way Reflex does (generators step by step)."""
    result = handler()
    if result is not None:
        for _ in result:
            pass


def test_load_graphs_on_an_empty_store_shows_the_empty_state(data_dir: Path) -> None:
    state = HomeState()
    assert not state.loaded

    run(state.load_graphs)

    assert state.loaded
    assert state.graphs == []
    assert not state.has_graphs
    assert state.error == ""


def test_load_graphs_lists_saved_graphs_newest_first(data_dir: Path) -> None:
    with open_store(f"sqlite:///{data_dir / 'orchestrall.db'}") as store:
        store.create_graph("Support triage", "Routes tickets to the right team")
        store.create_graph("Research crew")
    state = HomeState()

    run(state.load_graphs)

    assert [g.name for g in state.graphs] == ["Research crew", "Support triage"]
    triage = state.graphs[1]
    assert triage.description == "Routes tickets to the right team"
    assert triage.is_valid
    assert triage.node_count > 0
    assert triage.updated_at.endswith("+00:00")


def test_a_graph_whose_current_version_has_problems_is_a_draft(data_dir: Path) -> None:
    with open_store(f"sqlite:///{data_dir / 'orchestrall.db'}") as store:
        graph = store.create_graph("Half built")
        spec = store.get_spec(graph.id)
        spec["nodes"] = [n for n in spec["nodes"] if n["kind"] != "output"]
        store.save_graph(graph.id, spec, "Removed the output")
    state = HomeState()

    run(state.load_graphs)

    (card,) = state.graphs
    assert card.name == "Half built"
    assert not card.is_valid
    assert card.node_count == len(spec["nodes"])


def test_new_graph_is_saved_and_shown_first(data_dir: Path) -> None:
    state = HomeState()
    run(state.load_graphs)

    run(state.create_graph)
    run(state.create_graph)

    assert [g.name for g in state.graphs] == ["Untitled graph 2", "Untitled graph"]
    assert all(g.is_valid for g in state.graphs)
    assert not state.creating
    # It is in the store, not only in the state: a fresh page load sees it.
    reloaded = HomeState()
    run(reloaded.load_graphs)
    assert [g.id for g in reloaded.graphs] == [g.id for g in state.graphs]


def test_new_graph_shows_the_button_busy_while_saving(data_dir: Path) -> None:
    state = HomeState()
    steps = state.create_graph()

    next(steps)  # the first update sent to the browser
    assert state.creating
    for _ in steps:
        pass
    assert not state.creating
    assert state.has_graphs


def test_an_unreachable_database_is_reported_on_the_page(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing listens on port 9: the store fails to connect, as with a PostgreSQL that is down.
    monkeypatch.setenv("ORCHESTRALL_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/orchestrall")
    get_settings.cache_clear()
    state = HomeState()

    run(state.load_graphs)

    assert state.loaded
    assert state.graphs == []
    assert state.error.startswith("Could not load your graphs: The database is unavailable")

    run(state.create_graph)

    assert state.error.startswith("Could not create a graph: The database is unavailable")
    assert not state.creating
