"""Graphs and versions as the UI uses them: create, list, save, drafts, restore, delete."""

from __future__ import annotations

import copy
from datetime import UTC

import pytest

from agent_runtime.errors import NotFoundError, SpecParseError, SpecVersionError, StoreError
from agent_runtime.spec import SCHEMA_VERSION, Problem, new_graph_spec, validate
from agent_runtime.store import GraphSummary, GraphVersionInfo, Store
from tests.agent_runtime.store._specs import broken_spec


def _with_label(spec: dict, label: str) -> dict:
    spec = copy.deepcopy(spec)
    spec["nodes"][0]["label"] = label
    return spec


def test_create_graph_starts_at_version_one_with_a_valid_minimal_spec(store: Store):
    graph = store.create_graph("Support triage", "Routes tickets")

    assert isinstance(graph, GraphSummary)
    assert len(graph.id) == 32
    assert (graph.name, graph.description) == ("Support triage", "Routes tickets")
    assert (graph.current_version, graph.is_valid, graph.node_count) == (1, True, 2)
    assert graph.created_at.tzinfo is UTC and graph.updated_at == graph.created_at
    spec = store.get_spec(graph.id)
    assert spec == new_graph_spec("Support triage", "Routes tickets")
    assert validate(spec) == []
    assert store.get_graph(graph.id) == graph


def test_create_graph_with_a_spec_writes_the_name_into_it(store: Store):
    spec = new_graph_spec("Old name", "Kept description")
    graph = store.create_graph("  New name ", spec=spec)

    assert graph.name == "New name"
    assert graph.description == "Kept description"
    assert store.get_spec(graph.id)["name"] == "New name"
    assert spec["name"] == "Old name", "the caller's dict is not modified"


def test_create_graph_refuses_an_empty_or_overlong_name(store: Store):
    for bad in ["", "   ", "x" * 201]:
        with pytest.raises(StoreError) as err:
            store.create_graph(bad)
        assert err.value.code == "invalid_name"
    assert store.list_graphs() == []


def test_list_graphs_newest_edit_first_and_search(store: Store):
    a = store.create_graph("Alpha agent", "answers billing questions")
    b = store.create_graph("Beta crew")
    c = store.create_graph("Gamma 100%_done")
    assert [g.id for g in store.list_graphs()] == [c.id, b.id, a.id]

    store.save_graph(a.id, _with_label(store.get_spec(a.id), "Edited"))
    assert [g.id for g in store.list_graphs()] == [a.id, c.id, b.id]

    assert [g.id for g in store.list_graphs("BILLING")] == [a.id]
    assert [g.id for g in store.list_graphs("crew")] == [b.id]
    assert [g.id for g in store.list_graphs("%_")] == [c.id], "LIKE wildcards are literal"
    assert store.list_graphs("nothing like this") == []
    assert len(store.list_graphs("  ")) == 3


def test_every_save_is_a_new_immutable_version_and_current_is_latest(store: Store):
    graph = store.create_graph("Versions")
    v1 = store.get_version(graph.id, 1)
    specs = [_with_label(v1.spec, f"Label {i}") for i in (2, 3)]

    infos = [store.save_graph(graph.id, s, message=f"edit {i}") for i, s in enumerate(specs)]

    assert [i.version for i in infos] == [2, 3]
    assert all(isinstance(i, GraphVersionInfo) and i.is_valid for i in infos)
    assert store.get_graph(graph.id).current_version == 3
    assert store.get_spec(graph.id) == specs[1]
    assert store.get_spec(graph.id, version=2) == specs[0]
    assert store.get_version(graph.id, 1) == v1, "old versions never change"
    listed = store.list_versions(graph.id)
    assert [(v.version, v.message) for v in listed] == [
        (3, "edit 1"),
        (2, "edit 0"),
        (1, "Created"),
    ]
    assert listed[0].created_at >= listed[-1].created_at


def test_invalid_spec_is_saved_as_a_draft_with_its_problems(store: Store):
    graph = store.create_graph("Drafty")

    info = store.save_graph(graph.id, broken_spec("Drafty"), message="wip")

    assert (info.version, info.is_valid, info.problem_count) == (2, False, 1)
    assert isinstance(info.problems[0], Problem)
    assert (info.problems[0].code, info.problems[0].edge_id) == ("dangling_edge", "e-ghost")
    assert store.get_version(graph.id, 2) == info
    summary = store.get_graph(graph.id)
    assert (summary.current_version, summary.is_valid) == (2, False)
    assert store.get_spec(graph.id) == broken_spec("Drafty")
    assert store.get_version(graph.id, 1).is_valid

    fixed = store.save_graph(graph.id, new_graph_spec("Drafty"))
    assert fixed.is_valid and fixed.problems == []
    assert store.get_graph(graph.id).is_valid


@pytest.mark.parametrize(
    ("bad", "error", "words"),
    [
        (["not", "a", "spec"], SpecParseError, "JSON object"),
        ("{}", SpecParseError, "JSON object"),
        ({"name": "no version"}, SpecVersionError, "schema_version"),
        ({"schema_version": SCHEMA_VERSION + 1, "name": "x"}, SpecVersionError, "newer"),
        ({"schema_version": "one"}, SpecVersionError, "whole number"),
    ],
)
def test_unparseable_or_unknown_version_specs_write_nothing(store: Store, bad, error, words):
    graph = store.create_graph("Safe")
    before = (store.get_graph(graph.id), store.list_versions(graph.id), store.get_spec(graph.id))

    with pytest.raises(error, match=words):
        store.save_graph(graph.id, bad)
    with pytest.raises(error):
        store.create_graph("Other", spec=bad)

    after = (store.get_graph(graph.id), store.list_versions(graph.id), store.get_spec(graph.id))
    assert after == before
    assert [g.id for g in store.list_graphs()] == [graph.id]


def test_a_spec_that_cannot_be_stored_as_json_loses_nothing(store: Store):
    graph = store.create_graph("Safe")
    spec = new_graph_spec("Safe")
    spec["description"] = float("nan")  # validate reports it; JSON cannot hold it

    with pytest.raises(StoreError) as err:
        store.save_graph(graph.id, spec)

    assert err.value.code == "not_json"
    assert [v.version for v in store.list_versions(graph.id)] == [1]
    assert store.get_graph(graph.id).current_version == 1


def test_restore_version_saves_a_copy_as_a_new_version(store: Store):
    graph = store.create_graph("Restore me")
    original = store.get_spec(graph.id)
    store.save_graph(graph.id, _with_label(original, "Changed"))
    store.save_graph(graph.id, broken_spec("Restore me"))

    restored = store.restore_version(graph.id, 1)

    assert restored.version == 4
    assert restored.message == "Restored version 1"
    assert restored.spec == original and restored.is_valid
    assert store.get_spec(graph.id) == original
    assert store.get_graph(graph.id).is_valid
    assert [v.version for v in store.list_versions(graph.id)] == [4, 3, 2, 1]
    assert store.restore_version(graph.id, 3, message="back to draft").is_valid is False


def test_rename_saves_a_version_with_the_new_name(store: Store):
    graph = store.create_graph("Before", "old words")

    renamed = store.rename_graph(graph.id, " After ", description="new words")

    assert (renamed.name, renamed.description, renamed.current_version) == (
        "After",
        "new words",
        2,
    )
    assert renamed.updated_at > graph.updated_at
    spec = store.get_spec(graph.id)
    assert (spec["name"], spec["description"]) == ("After", "new words")
    assert store.list_versions(graph.id)[0].message == "Renamed to 'After'"
    assert store.get_spec(graph.id, 1)["name"] == "Before"
    assert store.rename_graph(graph.id, "Again").description == "new words"


def test_saving_a_spec_with_another_name_renames_the_graph(store: Store):
    graph = store.create_graph("Canvas")
    store.save_graph(graph.id, new_graph_spec("Renamed on canvas", "desc"))
    assert (store.get_graph(graph.id).name, store.get_graph(graph.id).description) == (
        "Renamed on canvas",
        "desc",
    )
    nameless = new_graph_spec("ignored")
    del nameless["name"]
    info = store.save_graph(graph.id, nameless)
    assert not info.is_valid
    assert store.get_graph(graph.id).name == "Renamed on canvas", "a draft keeps the old name"


def test_duplicate_copies_the_current_spec_into_a_new_graph(store: Store):
    graph = store.create_graph("Original", "desc")
    store.save_graph(graph.id, broken_spec("Original"))

    copy_ = store.duplicate_graph(graph.id)
    named = store.duplicate_graph(graph.id, name="Named copy")

    assert copy_.id != graph.id
    assert (copy_.name, copy_.description, copy_.current_version) == ("Original (copy)", "", 1)
    assert copy_.is_valid is False
    assert store.get_spec(copy_.id)["edges"] == broken_spec()["edges"]
    assert named.name == "Named copy"
    assert store.get_graph(graph.id).current_version == 2, "the source is untouched"
    long = store.create_graph("y" * 200)
    assert len(store.duplicate_graph(long.id).name) == 200


def test_delete_removes_graph_versions_runs_and_events(store: Store):
    keep = store.create_graph("Keep")
    doomed = store.create_graph("Doomed")
    store.save_graph(doomed.id, broken_spec("Doomed"))
    run = store.create_run(doomed.id, {"message": "hi"})
    store.append_run_event(run.id, "run_started")
    kept_run = store.create_run(keep.id, {"message": "hi"})

    store.delete_graph(doomed.id)

    assert [g.id for g in store.list_graphs()] == [keep.id]
    for call in (
        lambda: store.get_graph(doomed.id),
        lambda: store.list_versions(doomed.id),
        lambda: store.get_run(run.id),
        lambda: store.list_run_events(run.id),
        lambda: store.delete_graph(doomed.id),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert store.get_run(kept_run.id).graph_id == keep.id
    assert store.list_runs() == [store.get_run(kept_run.id)]


def test_unknown_ids_raise_not_found_naming_the_id(store: Store):
    graph = store.create_graph("Real")
    missing = "0" * 32
    calls = {
        "get_graph": lambda: store.get_graph(missing),
        "get_spec": lambda: store.get_spec(missing),
        "save_graph": lambda: store.save_graph(missing, new_graph_spec("x")),
        "list_versions": lambda: store.list_versions(missing),
        "get_version": lambda: store.get_version(missing, 1),
        "restore_version": lambda: store.restore_version(missing, 1),
        "rename_graph": lambda: store.rename_graph(missing, "x"),
        "duplicate_graph": lambda: store.duplicate_graph(missing),
        "delete_graph": lambda: store.delete_graph(missing),
        "create_run": lambda: store.create_run(missing, {}),
    }
    for name, call in calls.items():
        with pytest.raises(NotFoundError, match=f"Graph '{missing}' not found") as err:
            call()
        assert err.value.code == "not_found", name

    for call in (
        lambda: store.get_version(graph.id, 9),
        lambda: store.get_spec(graph.id, 9),
        lambda: store.restore_version(graph.id, 9),
        lambda: store.create_run(graph.id, {}, graph_version=9),
    ):
        with pytest.raises(NotFoundError, match=f"Graph '{graph.id}' has no version 9"):
            call()
    assert store.list_graphs() == [store.get_graph(graph.id)]
