"""Export and import of a graph with its whole history: what Undo of a delete relies on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from agent_runtime.errors import NotFoundError, SpecParseError, SpecVersionError, StoreError
from agent_runtime.spec import new_graph_spec
from agent_runtime.store import GraphSummary, Store
from tests.agent_runtime.store._specs import broken_spec


def _history(store: Store, graph_id: str) -> list[tuple]:
    """Every version as (number, message, validity, problem count, spec, time)."""
    return [
        (v.version, v.message, v.is_valid, v.problem_count, spec, v.created_at)
        for v in reversed(store.list_versions(graph_id))
        for spec in [store.get_version(graph_id, v.version).spec]
    ]


def _three_versions(store: Store) -> GraphSummary:
    graph = store.create_graph("Support triage", "Routes tickets")
    store.save_graph(graph.id, broken_spec("Support triage"), "Half-way")
    store.rename_graph(graph.id, "Support desk", "Routes tickets to teams")
    return store.get_graph(graph.id)


def test_export_holds_every_version_in_order_as_plain_json(store: Store):
    graph = _three_versions(store)

    dump = store.export_graph(graph.id)

    assert json.loads(json.dumps(dump)) == dump, "JSON-ready: no datetimes, no records"
    assert dump["format"] == "orchestrall.graph"
    assert dump["format_version"] == 1
    assert (dump["id"], dump["name"], dump["description"]) == (
        graph.id,
        "Support desk",
        "Routes tickets to teams",
    )
    assert [v["message"] for v in dump["versions"]] == [
        "Created",
        "Half-way",
        "Renamed to 'Support desk'",
    ]
    assert [v["spec"] for v in dump["versions"]] == [
        store.get_version(graph.id, n).spec for n in (1, 2, 3)
    ]


def test_delete_then_import_restores_the_graph_exactly(store: Store):
    other = store.create_graph("Other")
    graph = _three_versions(store)
    history = _history(store, graph.id)
    listing = store.list_graphs()
    dump = store.export_graph(graph.id)

    store.delete_graph(graph.id)
    restored = store.import_graph(dump)

    assert restored == graph, "same id, name, times, version count, validity, node count"
    assert store.get_graph(graph.id) == graph
    assert _history(store, graph.id) == history
    assert store.list_graphs() == listing, "back in its old place in the list"
    assert store.get_graph(other.id) == other
    # The restored graph is an ordinary graph: it takes new versions after its history.
    info = store.save_graph(graph.id, new_graph_spec("Support desk"), "After undo")
    assert info.version == 4


def test_draft_stays_a_draft_and_key_order_survives(store: Store):
    spec = dict(reversed(broken_spec("Draft").items()))  # not the order a fresh spec has
    graph = store.create_graph("Draft", spec=spec)
    dump = store.export_graph(graph.id)
    store.delete_graph(graph.id)

    restored = store.import_graph(json.loads(json.dumps(dump)))

    assert not restored.is_valid
    assert list(store.get_version(restored.id, 1).spec) == list(dump["versions"][0]["spec"])
    assert store.get_version(restored.id, 1).problem_count == 1


def test_import_beside_the_original_gets_a_new_id(store: Store):
    graph = _three_versions(store)
    dump = store.export_graph(graph.id)

    copy_ = store.import_graph(dump)

    assert copy_.id != graph.id
    assert (copy_.name, copy_.current_version) == (graph.name, 3)
    assert [h[1:] for h in _history(store, copy_.id)] == [h[1:] for h in _history(store, graph.id)]
    assert len(store.list_graphs()) == 2


def test_import_without_id_or_times_is_a_new_graph_now(store: Store):
    before = datetime.now(UTC)
    dump = {
        "format": "orchestrall.graph",
        "format_version": 1,
        "name": "From a file",
        "versions": [
            {"spec": new_graph_spec("From a file")},
            {"spec": broken_spec("From a file"), "message": "Broke it"},
        ],
    }

    graph = store.import_graph(dump)

    assert len(graph.id) == 32
    assert graph.created_at >= before and graph.updated_at >= graph.created_at
    assert (graph.current_version, graph.is_valid) == (2, False)
    assert [v.message for v in store.list_versions(graph.id)] == ["Broke it", ""]


def test_import_takes_name_from_the_current_spec_and_caps_future_times(store: Store):
    future = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    spec = new_graph_spec("Name in spec", "Description in spec")
    dump = {
        "format": "orchestrall.graph",
        "format_version": 1,
        "id": "not-a-uuid",
        "name": "Name in dump",
        "description": "Description in dump",
        "created_at": future,
        "versions": [{"spec": spec, "message": "Created", "created_at": future}],
    }

    graph = store.import_graph(dump)

    assert (graph.name, graph.description) == ("Name in spec", "Description in spec")
    assert graph.id != "not-a-uuid" and len(graph.id) == 32
    assert graph.created_at <= datetime.now(UTC)
    assert graph.updated_at <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("dump", "error", "code"),
    [
        ("not a dump", SpecParseError, "invalid_graph_dump"),
        ({"format": "something else"}, SpecParseError, "invalid_graph_dump"),
        (
            {"format": "orchestrall.graph", "format_version": 1, "name": "X", "versions": []},
            SpecParseError,
            "invalid_graph_dump",
        ),
        (
            {
                "format": "orchestrall.graph",
                "format_version": 1,
                "name": "X",
                "versions": [{"spec": new_graph_spec("X"), "code": "print(1)"}],
            },
            SpecParseError,
            "invalid_graph_dump",
        ),
        (
            {
                "format": "orchestrall.graph",
                "format_version": 1,
                "name": "X",
                "versions": [{"spec": new_graph_spec("X")}, {"spec": {"nodes": []}}],
            },
            SpecVersionError,
            None,
        ),
        (
            {
                "format": "orchestrall.graph",
                "format_version": 1,
                "name": "X",
                "versions": [{"spec": {**new_graph_spec("X"), "schema_version": 99}}],
            },
            SpecVersionError,
            None,
        ),
        (
            {
                "format": "orchestrall.graph",
                "format_version": 1,
                "name": "   ",
                "versions": [{"spec": new_graph_spec("X")}],
            },
            StoreError,
            "invalid_name",
        ),
    ],
)
def test_a_bad_dump_is_refused_and_writes_nothing(store: Store, dump, error, code):
    with pytest.raises(error) as err:
        store.import_graph(dump)

    if code is not None:
        assert err.value.code == code
    assert store.list_graphs() == []


def test_a_bad_dump_names_what_is_wrong(store: Store):
    with pytest.raises(SpecParseError) as err:
        store.import_graph({"format": "orchestrall.graph", "format_version": 1, "name": "X"})

    assert err.value.message == "Not a graph export: versions: Field required"


def test_export_of_an_unknown_graph_is_not_found(store: Store):
    with pytest.raises(NotFoundError):
        store.export_graph("0" * 32)
