"""HomeState against a real SQLite store in a fresh data dir: what the home page shows.

Listing, New graph, search, rename, duplicate, and delete with Undo.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from agent_runtime.settings import get_settings
from agent_runtime.store import open_store
from app.pages.home_state import HomeState


def run(handler):
    """Run an event handler to the end, the way Reflex does (generators step by step).

    Returns what a plain handler returns (e.g. a toast event); generators return nothing.
    """
    result = handler()
    if inspect.isgenerator(result):
        for _ in result:
            pass
        return None
    return result


def _saved(data_dir: Path, *graphs: tuple[str, str]) -> list[str]:
    """Save graphs (name, description) oldest first; their ids in that order."""
    with open_store(f"sqlite:///{data_dir / 'orchestrall.db'}") as store:
        return [store.create_graph(name, description).id for name, description in graphs]


def _loaded(data_dir: Path) -> HomeState:
    state = HomeState()
    run(state.load_graphs)
    return state


def _store(data_dir: Path):
    return open_store(f"sqlite:///{data_dir / 'orchestrall.db'}")


def _toast_text(event) -> str:
    """The JavaScript a toast event runs: its text, options and the events its buttons send."""
    return str(event.args)


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


# --- search -----------------------------------------------------------------------------


def test_search_matches_name_or_description_case_insensitively(data_dir: Path) -> None:
    _saved(
        data_dir,
        ("Support triage", "Routes tickets to the right team"),
        ("Research crew", "Reads papers"),
        ("Ticket summariser", ""),
    )
    state = _loaded(data_dir)

    run(lambda: state.search_graphs("TICKET"))

    assert [g.name for g in state.graphs] == ["Ticket summariser", "Support triage"]
    assert state.searching and state.has_graphs
    assert state.search == "TICKET"

    run(lambda: state.search_graphs("papers"))
    assert [g.name for g in state.graphs] == ["Research crew"]


def test_a_search_without_matches_is_not_the_empty_state(data_dir: Path) -> None:
    _saved(data_dir, ("Support triage", ""))
    state = _loaded(data_dir)

    run(lambda: state.search_graphs("billing"))

    assert state.graphs == []
    assert not state.has_graphs
    assert state.searching, "the page shows 'No graphs match', not 'No graphs yet'"
    assert state.error == ""

    run(state.clear_search)

    assert state.search == "" and not state.searching
    assert [g.name for g in state.graphs] == ["Support triage"]


def test_blank_search_shows_everything(data_dir: Path) -> None:
    _saved(data_dir, ("A", ""), ("B", ""))
    state = _loaded(data_dir)

    run(lambda: state.search_graphs("   "))

    assert not state.searching
    assert len(state.graphs) == 2


def test_new_graph_clears_the_search_so_it_is_seen(data_dir: Path) -> None:
    _saved(data_dir, ("Support triage", ""))
    state = _loaded(data_dir)
    run(lambda: state.search_graphs("nothing matches this"))

    run(state.create_graph)

    assert state.search == ""
    assert [g.name for g in state.graphs] == ["Untitled graph", "Support triage"]


# --- rename -----------------------------------------------------------------------------


def test_rename_opens_with_the_name_and_saves_a_new_version(data_dir: Path) -> None:
    (graph_id,) = _saved(data_dir, ("Support triage", "Routes tickets"))
    state = _loaded(data_dir)

    run(lambda: state.open_rename(graph_id))

    assert state.renaming
    assert state.rename_name == "Support triage"

    run(lambda: state.save_rename({"name": "  Help desk  "}))

    assert not state.renaming
    assert state.rename_error == ""
    (card,) = state.graphs
    assert (card.id, card.name, card.description) == (graph_id, "Help desk", "Routes tickets")
    with _store(data_dir) as store:
        assert store.get_graph(graph_id).name == "Help desk"
        assert store.list_versions(graph_id)[0].message == "Renamed to 'Help desk'"


def test_rename_refuses_an_empty_name_and_keeps_the_dialog_open(data_dir: Path) -> None:
    (graph_id,) = _saved(data_dir, ("Support triage", ""))
    state = _loaded(data_dir)
    run(lambda: state.open_rename(graph_id))

    for blank in ("", "   "):
        run(lambda blank=blank: state.save_rename({"name": blank}))

        assert state.renaming, "the dialog stays open to fix the name"
        assert state.rename_error == "A graph needs a non-empty name."
        assert [g.name for g in state.graphs] == ["Support triage"]
    with _store(data_dir) as store:
        assert store.get_graph(graph_id).current_version == 1, "nothing was saved"

    run(lambda: state.save_rename({"name": "Fixed"}))
    assert not state.renaming and state.rename_error == ""
    assert [g.name for g in state.graphs] == ["Fixed"]


def test_rename_to_the_same_name_saves_nothing(data_dir: Path) -> None:
    (graph_id,) = _saved(data_dir, ("Support triage", ""))
    state = _loaded(data_dir)
    run(lambda: state.open_rename(graph_id))

    run(lambda: state.save_rename({"name": "Support triage "}))

    assert not state.renaming
    with _store(data_dir) as store:
        assert store.get_graph(graph_id).current_version == 1


def test_closing_the_rename_dialog_forgets_the_error(data_dir: Path) -> None:
    (graph_id,) = _saved(data_dir, ("Support triage", ""))
    state = _loaded(data_dir)
    run(lambda: state.open_rename(graph_id))
    run(lambda: state.save_rename({"name": ""}))

    run(lambda: state.rename_dialog_changed(False))

    assert not state.renaming and state.rename_error == ""
    run(lambda: state.open_rename(graph_id))
    assert state.rename_error == ""


def test_renaming_a_graph_deleted_elsewhere_reports_it(data_dir: Path) -> None:
    (graph_id,) = _saved(data_dir, ("Gone soon", ""))
    state = _loaded(data_dir)
    run(lambda: state.open_rename(graph_id))
    with _store(data_dir) as store:
        store.delete_graph(graph_id)

    run(lambda: state.save_rename({"name": "New name"}))

    assert not state.renaming
    assert state.error == f"Could not rename the graph: Graph {graph_id!r} not found."
    assert state.graphs == [], "the list is re-read"


# --- duplicate --------------------------------------------------------------------------


def test_duplicate_adds_a_copy_first_and_keeps_the_original(data_dir: Path) -> None:
    (graph_id,) = _saved(data_dir, ("Support triage", "Routes tickets"))
    state = _loaded(data_dir)

    toast = run(lambda: state.duplicate_graph(graph_id))

    copy_, original = state.graphs
    assert original.id == graph_id
    assert copy_.id != graph_id
    assert (copy_.name, copy_.description) == ("Support triage (copy)", "Routes tickets")
    assert copy_.node_count == original.node_count
    assert "Created Support triage (copy)" in _toast_text(toast)
    with _store(data_dir) as store:
        assert store.get_spec(copy_.id)["nodes"] == store.get_spec(graph_id)["nodes"]


# --- delete and undo --------------------------------------------------------------------


def test_delete_asks_first_and_cancel_keeps_the_graph(data_dir: Path) -> None:
    (graph_id,) = _saved(data_dir, ("Support triage", ""))
    state = _loaded(data_dir)

    run(lambda: state.ask_delete(graph_id))

    assert state.confirming_delete
    assert state.delete_name == "Support triage"

    run(lambda: state.delete_dialog_changed(False))

    assert not state.confirming_delete
    assert run(state.delete_graph) is None, "nothing is being confirmed: nothing is deleted"
    assert [g.id for g in state.graphs] == [graph_id]


def test_delete_removes_the_card_and_offers_undo_for_ten_seconds(data_dir: Path) -> None:
    keep_id, graph_id = _saved(data_dir, ("Keep", ""), ("Support triage", ""))
    state = _loaded(data_dir)
    run(lambda: state.ask_delete(graph_id))

    toast = run(state.delete_graph)

    assert not state.confirming_delete
    assert [g.id for g in state.graphs] == [keep_id]
    with _store(data_dir) as store:
        assert [g.id for g in store.list_graphs()] == [keep_id]
    text = _toast_text(toast)
    assert '"Deleted Support triage"' in text
    assert '["label"] : "Undo"' in text
    assert '["duration"] : 10000' in text
    assert f'undo_delete", {{graph_id:"{graph_id}"}}' in text


def test_undo_brings_the_graph_back_with_its_history(data_dir: Path) -> None:
    (graph_id,) = _saved(data_dir, ("Support triage", "Routes tickets"))
    with _store(data_dir) as store:
        spec = store.get_spec(graph_id)
        spec["nodes"][0]["label"] = "Ticket"
        store.save_graph(graph_id, spec, "Relabelled the input")
        history = [(v.version, v.message) for v in store.list_versions(graph_id)]
    state = _loaded(data_dir)
    before = list(state.graphs)
    run(lambda: state.ask_delete(graph_id))
    run(state.delete_graph)
    assert state.graphs == []

    run(lambda: state.undo_delete(graph_id))

    assert state.graphs == before, "same id, name, description and place in the list"
    assert state.error == ""
    with _store(data_dir) as store:
        assert [(v.version, v.message) for v in store.list_versions(graph_id)] == history
        assert store.get_spec(graph_id) == spec


def test_undo_keeps_the_search_and_other_deletes(data_dir: Path) -> None:
    a, b, _c = _saved(data_dir, ("Alpha", "x"), ("Beta", "x"), ("Gamma", "other"))
    state = _loaded(data_dir)
    run(lambda: state.search_graphs("x"))
    for graph_id in (a, b):
        run(lambda graph_id=graph_id: state.ask_delete(graph_id))
        run(state.delete_graph)
    assert state.graphs == []

    run(lambda: state.undo_delete(a))

    assert [g.name for g in state.graphs] == ["Alpha"], "still filtered by the search"
    run(lambda: state.undo_delete(b))
    assert [g.name for g in state.graphs] == ["Beta", "Alpha"]


def test_undo_after_the_toast_closed_is_refused(data_dir: Path) -> None:
    (graph_id,) = _saved(data_dir, ("Support triage", ""))
    state = _loaded(data_dir)
    run(lambda: state.ask_delete(graph_id))
    run(state.delete_graph)

    run(lambda: state.forget_deleted(graph_id))
    toast = run(lambda: state.undo_delete(graph_id))

    assert "That delete can no longer be undone." in _toast_text(toast)
    assert state.graphs == []
    with _store(data_dir) as store:
        assert store.list_graphs() == []


def test_undo_twice_restores_once(data_dir: Path) -> None:
    (graph_id,) = _saved(data_dir, ("Support triage", ""))
    state = _loaded(data_dir)
    run(lambda: state.ask_delete(graph_id))
    run(state.delete_graph)

    run(lambda: state.undo_delete(graph_id))
    run(lambda: state.undo_delete(graph_id))

    assert [g.id for g in state.graphs] == [graph_id]
