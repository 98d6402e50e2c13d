"""BuilderState against a real SQLite store: what the builder page shows and saves."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData

from agent_runtime.settings import get_settings
from agent_runtime.spec import MAX_SPEC_BYTES
from agent_runtime.store import open_store
from app.pages.builder_state import BuilderState
from app.services import builder, graphs
from app.services.forms import UNSET

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module", autouse=True)
def _routes(app_routes: None) -> None:
    """Every test here loads pages."""


@pytest.fixture(autouse=True)
def _quick_autosave(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builder, "AUTOSAVE_DELAY_S", 0.01)


def run(handler, *args: Any) -> Any:
    """Run an event handler to the end, the way Reflex does (generators step by step)."""
    result = handler(*args)
    if hasattr(result, "__next__"):
        return list(result)
    return result


def navigate(state: BuilderState, graph_id: str) -> None:
    """The browser goes to ``/graphs/<graph_id>``: new router data, then the page's on_load."""
    state.parent_state.router = RouterData.from_router_data(
        {
            "query": {"graph_id": graph_id},
            "pathname": "/graphs/[graph_id]",
            "asPath": f"/graphs/{graph_id}",
        }
    )
    run(state.load_graph)


def open_builder(graph_id: str) -> BuilderState:
    """The builder state of a new browser tab that opened ``/graphs/<graph_id>``."""
    root = rx.State()
    state = root.get_substate(BuilderState.get_full_name().split("."))
    navigate(state, graph_id)
    return state


def store_of(data_dir: Path):
    return open_store(f"sqlite:///{data_dir / 'orchestrall.db'}")


def node_ids(state: BuilderState) -> list[str]:
    return [n["id"] for n in state.canvas["nodes"]]


def field(state: BuilderState, key: str, rows: str = "node_fields"):
    return next(f for f in getattr(state, rows) if f.key == key)


def events_named(result: Any, name: str) -> list[Any]:
    """The events a handler returned that call ``name`` (a handler, or e.g. toast)."""
    items = result if isinstance(result, list) else [result]
    return [e for e in items if e is not None and name in repr(e)]


@pytest.fixture
def graph_id(data_dir: Path) -> str:
    return graphs.create_graph().id


# ------------------------------------------------------------------- load ---


def test_load_graph_shows_the_graph_saved(graph_id: str) -> None:
    state = open_builder(graph_id)

    assert state.loaded_id == graph_id
    assert state.graph_name == "Untitled graph"
    assert node_ids(state) == ["input", "output"]
    assert state.canvas["edges"][0]["source"] == "input"
    assert state.revision == 1
    assert state.save_label == "Saved" and state.draft_label == ""
    assert state.problems == [] and state.problem_count == 0
    assert not state.can_undo and not state.can_redo
    assert state.form_kind == "" and state.form_title == "Graph settings"
    assert [f.key for f in state.graph_fields][:3] == ["name", "description", "default_model"]
    assert [v.version for v in state.versions] == [1]


def test_an_unknown_graph_says_so(data_dir: Path) -> None:
    state = open_builder("0" * 32)
    assert state.loaded_id == ""
    assert state.load_error == "This graph does not exist; it may have been deleted."


# -------------------------------------------------------------------- ops ---


def test_add_node_adds_it_reloads_the_canvas_and_schedules_a_save(graph_id: str) -> None:
    state = open_builder(graph_id)

    result = run(
        state.handle_ops, [{"op": "add_node", "kind": "agent", "position": {"x": 10, "y": 20}}]
    )

    assert node_ids(state) == ["input", "output", "agent-1"]
    agent = state.canvas["nodes"][-1]
    assert agent["position"] == {"x": 10.0, "y": 20.0} and agent["type"] == "agent"
    assert state.revision == 2
    assert state.can_undo
    assert state.save_label == "Unsaved changes"
    assert events_named(result, "autosave")
    # The new agent is not wired yet: a draft, with the problems on its badge.
    assert agent["data"]["problems"] > 0
    assert state.draft_label.startswith("Draft: ")


def test_move_updates_positions_without_reloading_the_canvas(graph_id: str) -> None:
    state = open_builder(graph_id)
    run(state.handle_ops, [{"op": "move", "positions": {"output": {"x": 500, "y": 40}}}])
    assert state.revision == 1  # the canvas already shows the move
    assert state.canvas["nodes"][1]["position"] == {"x": 500.0, "y": 40.0}
    assert state.save_label == "Unsaved changes" and state.can_undo


def test_connect_delete_duplicate_and_layout(graph_id: str) -> None:
    state = open_builder(graph_id)
    run(state.handle_ops, [{"op": "add_node", "kind": "agent", "position": {"x": 0, "y": 0}}])
    run(state.handle_ops, [{"op": "delete", "nodes": [], "edges": ["e-input-output"]}])
    run(
        state.handle_ops, [{"op": "connect", "source": "input", "target": "agent-1", "route": None}]
    )
    run(
        state.handle_ops,
        [{"op": "connect", "source": "agent-1", "target": "output", "route": None}],
    )
    assert {(e["source"], e["target"]) for e in state.canvas["edges"]} == {
        ("input", "agent-1"),
        ("agent-1", "output"),
    }
    assert state.problems == []  # input → agent → output is valid

    run(state.handle_ops, [{"op": "duplicate", "nodes": ["agent-1"]}])
    assert "agent-2" in node_ids(state)
    assert state.canvas["nodes"][-1]["data"]["label"] == "Agent 1 (copy)"

    revision = state.revision
    run(state.handle_ops, [{"op": "layout"}])
    assert state.revision == revision + 1
    xs = {n["id"]: n["position"]["x"] for n in state.canvas["nodes"]}
    assert xs["input"] < xs["agent-1"] < xs["output"]

    run(state.handle_ops, [{"op": "delete", "nodes": ["agent-2"], "edges": []}])
    assert "agent-2" not in node_ids(state)


def test_a_refused_connection_changes_nothing(graph_id: str) -> None:
    state = open_builder(graph_id)
    result = run(state.handle_ops, [{"op": "connect", "source": "output", "target": "input"}])
    assert result is None and state.revision == 1 and not state.can_undo
    assert state.save_label == "Saved"


# -------------------------------------------------------------- undo/redo ---


def test_undo_and_redo_walk_the_history(graph_id: str) -> None:
    state = open_builder(graph_id)
    run(state.handle_ops, [{"op": "add_node", "kind": "agent", "position": None}])
    run(state.handle_ops, [{"op": "add_node", "kind": "tool", "position": None}])
    form_version = state.form_version

    run(state.handle_ops, [{"op": "undo"}])
    assert node_ids(state) == ["input", "output", "agent-1"]
    assert state.can_redo and state.form_version == form_version + 1
    run(state.handle_ops, [{"op": "undo"}])
    assert node_ids(state) == ["input", "output"] and not state.can_undo
    run(state.handle_ops, [{"op": "undo"}])  # nothing more to undo
    assert node_ids(state) == ["input", "output"]

    run(state.handle_ops, [{"op": "redo"}])
    assert node_ids(state) == ["input", "output", "agent-1"]
    run(state.handle_ops, [{"op": "add_node", "kind": "human", "position": None}])
    assert not state.can_redo  # a new change drops the redo stack


def test_undo_history_is_bounded(graph_id: str) -> None:
    state = open_builder(graph_id)
    for i in range(builder.HISTORY_LIMIT + 5):
        run(state.handle_ops, [{"op": "move", "positions": {"input": {"x": i, "y": 0}}}])
    for _ in range(builder.HISTORY_LIMIT):
        run(state.handle_ops, [{"op": "undo"}])
    assert not state.can_undo
    assert state.canvas["nodes"][0]["position"]["x"] == 4.0  # the oldest 5 steps are gone


# -------------------------------------------------------------- clipboard ---


def test_copy_and_paste_across_two_graphs(data_dir: Path) -> None:
    with store_of(data_dir) as store:
        source = store.create_graph(
            "Triage", spec=json.loads((EXAMPLES / "support_triage.json").read_text())
        )
    target = graphs.create_graph()
    first = open_builder(source.id)
    run(first.handle_ops, [{"op": "copy", "nodes": ["billing", "technical"]}])
    clip = json.loads(first.clipboard)
    assert [n["id"] for n in clip["nodes"]] == ["billing", "technical"]
    assert not first.can_undo  # copying changes nothing

    # Another tab: the clipboard arrives from localStorage.
    second = open_builder(target.id)
    second.clipboard = first.clipboard
    run(second.handle_ops, [{"op": "paste", "position": {"x": 100, "y": 100}}])

    pasted = [n for n in second.canvas["nodes"] if n["type"] == "agent"]
    assert len(pasted) == 2
    assert min(n["position"]["x"] for n in pasted) == 100.0
    run(second.save_now)
    saved = graphs_spec(data_dir, target.id)
    # What the pasted agents use came along: the HTTP tool and the memory.
    assert [t["id"] for t in saved["tools"]] == ["order_lookup"]
    assert [m["id"] for m in saved["memories"]] == ["chat"]


def test_paste_with_an_empty_clipboard_says_so(graph_id: str) -> None:
    state = open_builder(graph_id)
    result = run(state.handle_ops, [{"op": "paste", "position": None}])
    assert events_named(result, "toast") and node_ids(state) == ["input", "output"]


def graphs_spec(data_dir: Path, graph_id: str) -> dict[str, Any]:
    with store_of(data_dir) as store:
        return store.get_spec(graph_id)


# ------------------------------------------------------------- properties ---


def add_agent(state: BuilderState) -> str:
    run(state.handle_ops, [{"op": "add_node", "kind": "agent", "position": None}])
    run(state.handle_select, ["agent-1"])
    return "agent-1"


def test_selecting_a_node_shows_its_generated_form(graph_id: str) -> None:
    state = open_builder(graph_id)
    add_agent(state)
    assert state.form_kind == "agent" and state.form_title == "Agent 1"
    assert field(state, "instructions").widget == "textarea"
    assert field(state, "model").widget == "select"
    run(state.handle_select, ["input", "agent-1"])
    assert state.form_kind == "many" and state.form_title == "2 nodes selected"
    run(state.handle_select, [])
    assert state.form_kind == ""


def test_property_edits_update_canvas_problems_and_fields(graph_id: str) -> None:
    state = open_builder(graph_id)
    node = add_agent(state)
    revision = state.revision

    run(state.edit_field, f"node/{node}", "name", "Researcher")
    assert state.canvas["nodes"][-1]["data"]["label"] == "Researcher"
    assert state.revision == revision + 1  # the canvas reloads the new label
    assert state.form_title == "Researcher"

    run(state.edit_field, f"node/{node}", "max_iterations", "500")
    problem = field(state, "max_iterations").problem
    assert "max_iterations" in problem
    assert any(p.node_id == node and "max_iterations" in p.message for p in state.problems)

    run(state.edit_field, f"node/{node}", "max_iterations", "8")
    assert field(state, "max_iterations").problem == ""

    run(state.edit_field, f"node/{node}", "model", "nope")
    assert "nope" in field(state, "model").problem
    run(state.edit_field, f"node/{node}", "model", UNSET)
    assert field(state, "model").problem == ""


def test_json_that_does_not_parse_shows_an_error_and_keeps_the_text(graph_id: str) -> None:
    state = open_builder(graph_id)
    run(state.handle_ops, [{"op": "add_node", "kind": "tool", "position": None}])
    run(state.handle_select, ["tool-1"])
    undo_depth = len(state._editor.undo_stack)

    run(state.edit_field, "node/tool-1", "arguments", '{"x": ')
    arguments = field(state, "arguments")
    assert arguments.value == '{"x": ' and arguments.problem.startswith("Not valid JSON")
    assert len(state._editor.undo_stack) == undo_depth  # nothing changed

    run(state.edit_field, "node/tool-1", "arguments", '{"x": "{{ last_output }}"}')
    assert field(state, "arguments").problem == ""
    assert json.loads(field(state, "arguments").value) == {"x": "{{ last_output }}"}


def test_switches_multiselects_and_list_editors(graph_id: str) -> None:
    state = open_builder(graph_id)
    run(state.handle_select, [])
    run(state.add_item, "tools", "builtin:calculator")
    assert [r.title for r in state.tool_rows] == ["calculator"]
    run(state.add_item, "models", "")
    assert len(state.model_rows) == 2
    run(state.edit_field, "graph", "limits.max_steps", "50")
    assert field(state, "limits.max_steps", "graph_fields").value == "50"

    node = add_agent(state)
    run(state.toggle_option, f"node/{node}", "tools", "calculator")
    assert field(state, "tools").selected == ["calculator"]
    assert state.canvas["nodes"][-1]["data"]["tools"] == ["calculator"]

    run(state.handle_ops, [{"op": "add_node", "kind": "router", "position": None}])
    run(state.handle_select, ["router-1"])
    run(state.add_item, "node/router-1/routes", "")
    assert [r.title for r in state.route_rows] == ["yes", "route"]
    run(state.edit_switch, "node/router-1/routes/1", "case_sensitive", True)
    case = next(f for f in state.route_rows[1].fields if f.key == "case_sensitive")
    assert case.checked
    run(state.remove_item, "node/router-1/routes/0")
    assert [r.title for r in state.route_rows] == ["route"]
    handles = next(n for n in state.canvas["nodes"] if n["id"] == "router-1")["data"]["handles"]
    assert handles == ["route", "other"]


def test_rename_in_the_top_bar(graph_id: str, data_dir: Path) -> None:
    state = open_builder(graph_id)
    run(state.rename_graph, "  Support desk ")
    assert state.graph_name == "Support desk"
    run(state.rename_graph, "   ")  # an empty name snaps back
    assert state.graph_name == "Support desk"
    run(state.save_now)
    with store_of(data_dir) as store:
        assert store.get_graph(graph_id).name == "Support desk"


def test_clicking_a_problem_selects_its_node(graph_id: str) -> None:
    state = open_builder(graph_id)
    add_agent(state)
    run(state.handle_select, [])
    problem = next(p for p in state.problems if p.node_id == "agent-1")

    run(state.focus_problem, problem.node_id)
    assert state.selected_id == "agent-1" and state.selection == ["agent-1"]
    assert state.form_kind == "agent" and state.side_tab == "properties"

    run(state.handle_select, ["input"])  # the person picks another node on the canvas
    assert state.selected_id == ""  # so picking the same problem again centres it again
    run(state.focus_problem, "")
    assert state.form_kind == ""


# ------------------------------------------------------------------ saving ---


def test_save_now_stores_a_version_and_drafts_say_so(graph_id: str, data_dir: Path) -> None:
    state = open_builder(graph_id)
    add_agent(state)

    run(state.save_now)

    assert state.save_label == "Saved"
    assert state.draft_label.startswith("Draft: ")
    with store_of(data_dir) as store:
        summary = store.get_graph(graph_id)
        assert summary.current_version == 2 and not summary.is_valid
        assert "Added agent node" in store.list_versions(graph_id)[0].message
    assert [v.version for v in state.versions] == [2, 1]
    assert not state.versions[0].is_valid


async def test_autosave_writes_one_version_per_burst_of_edits(
    graph_id: str, data_dir: Path
) -> None:
    state = open_builder(graph_id)
    seqs = []
    for x in (10, 20, 30):
        run(state.handle_ops, [{"op": "move", "positions": {"input": {"x": x, "y": 0}}}])
        seqs.append(state._editor.seq)

    await asyncio.gather(*(BuilderState.autosave.fn(state, seq) for seq in seqs))

    assert state.save_label == "Saved"
    with store_of(data_dir) as store:
        versions = store.list_versions(graph_id)
        assert [v.version for v in versions] == [2, 1]
        assert store.get_spec(graph_id)["layout"]["positions"]["input"]["x"] == 30


async def test_an_edit_during_a_save_is_saved_by_its_own_autosave(
    graph_id: str, data_dir: Path
) -> None:
    state = open_builder(graph_id)
    run(state.handle_ops, [{"op": "move", "positions": {"input": {"x": 1, "y": 0}}}])
    first = asyncio.create_task(BuilderState.autosave.fn(state, state._editor.seq))
    while state.save_status != "saving":
        await asyncio.sleep(0.001)
    run(state.handle_ops, [{"op": "move", "positions": {"input": {"x": 2, "y": 0}}}])
    second = BuilderState.autosave.fn(state, state._editor.seq)
    await asyncio.gather(first, second)

    assert state.save_label == "Saved"
    assert graphs_spec(data_dir, graph_id)["layout"]["positions"]["input"]["x"] == 2


def test_a_failed_save_keeps_the_edits_and_says_why(
    graph_id: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = open_builder(graph_id)
    add_agent(state)
    # The database goes away (nothing listens on port 9).
    monkeypatch.setenv("ORCHESTRALL_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/orchestrall")
    graphs.close_store()
    get_settings.cache_clear()

    result = run(state.save_now)

    assert state.save_status == "error"
    assert state.save_label.startswith("Save failed: The database is unavailable")
    assert events_named(result, "toast")
    assert "agent-1" in node_ids(state)  # nothing lost

    monkeypatch.setenv("ORCHESTRALL_DATABASE_URL", f"sqlite:///{data_dir / 'orchestrall.db'}")
    graphs.close_store()
    get_settings.cache_clear()
    run(state.save_now)  # Retry
    assert state.save_label == "Saved"
    assert "agent-1" in [n["id"] for n in graphs_spec(data_dir, graph_id)["nodes"]]


def test_opening_another_graph_saves_unsaved_edits_first(data_dir: Path) -> None:
    first, second = graphs.create_graph(), graphs.create_graph()
    state = open_builder(first.id)
    run(state.handle_ops, [{"op": "add_node", "kind": "output", "position": None}])

    navigate(state, second.id)

    assert state.loaded_id == second.id and node_ids(state) == ["input", "output"]
    assert "output-1" in [n["id"] for n in graphs_spec(data_dir, first.id)["nodes"]]


# ---------------------------------------------------------------- versions ---


def test_preview_and_restore_a_version(graph_id: str, data_dir: Path) -> None:
    state = open_builder(graph_id)
    add_agent(state)
    run(state.save_now)  # version 2 has the agent
    run(state.handle_ops, [{"op": "delete", "nodes": ["agent-1"], "edges": []}])
    run(state.save_now)  # version 3 does not

    run(state.choose_tab, "versions")
    assert [v.version for v in state.versions] == [3, 2, 1] and state.versions[0].current

    run(state.preview, 2)
    assert state.previewing
    assert "agent-1" in [n["id"] for n in state.preview_canvas["nodes"]]
    assert "agent-1" not in node_ids(state)  # the editing canvas is untouched
    assert run(state.handle_ops, [{"op": "layout"}]) is None  # read-only while previewing
    revision = state.revision
    run(state.close_preview)
    assert not state.previewing and state.revision == revision + 1
    run(state.preview, 2)

    result = run(state.restore, 2)

    assert not state.previewing
    assert "agent-1" in node_ids(state)
    assert events_named(result, "toast")
    assert [v.version for v in state.versions] == [4, 3, 2, 1]
    assert state.versions[0].message == "Restored version 2"
    assert state.save_label == "Saved"
    # Restoring is undoable, and nothing is lost either way.
    run(state.handle_ops, [{"op": "undo"}])
    assert "agent-1" not in node_ids(state)


def test_restore_saves_pending_edits_first(graph_id: str, data_dir: Path) -> None:
    state = open_builder(graph_id)
    run(state.rename_graph, "Before restore")
    run(state.restore, 1)
    with store_of(data_dir) as store:
        messages = [v.message for v in store.list_versions(graph_id)]
    assert messages == ["Restored version 1", "Renamed", "Created"]


# ---------------------------------------------------------- import/export ---


def upload(name: str, data: bytes) -> rx.UploadFile:
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name))


async def test_importing_a_spec_replaces_the_graph_as_a_new_version(
    graph_id: str, data_dir: Path
) -> None:
    state = open_builder(graph_id)
    data = (EXAMPLES / "research_crew.json").read_bytes()

    result = await state.import_spec([upload("research_crew.json", data)])

    assert state.import_error == ""
    assert events_named(result, "toast")
    assert "researcher" in node_ids(state)
    assert state.graph_name == json.loads(data)["name"]
    assert state.save_label == "Saved" and state.problems == []
    with store_of(data_dir) as store:
        assert store.list_versions(graph_id)[0].message == "Imported research_crew.json"
    run(state.handle_ops, [{"op": "undo"}])  # undoable
    assert node_ids(state) == ["input", "output"]


async def test_a_spec_with_problems_is_imported_as_a_draft(graph_id: str) -> None:
    state = open_builder(graph_id)
    spec = json.loads((EXAMPLES / "research_crew.json").read_text())
    spec["nodes"] = [n for n in spec["nodes"] if n["kind"] != "output"]
    del spec["name"]

    await state.import_spec([upload("draft.json", json.dumps(spec).encode())])

    assert state.import_error == ""
    assert state.draft_label.startswith("Draft: ")
    assert state.graph_name == "Untitled graph"  # no name in the file: the graph keeps its own


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"schema_version": 1, "name": ', "not valid JSON"),
        (b"[1, 2, 3]", "not a graph spec"),
        (b'{"name": "No version"}', "schema_version"),
        (b'{"schema_version": 99, "name": "Future"}', "newer than this Orchestrall"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
    ],
)
async def test_importing_something_that_is_not_a_spec_changes_nothing(
    graph_id: str, data_dir: Path, content: bytes, expected: str
) -> None:
    state = open_builder(graph_id)
    await state.import_spec([upload("bad.json", content)])

    assert state.import_error.startswith("Could not import bad.json: ")
    assert expected in state.import_error
    assert node_ids(state) == ["input", "output"] and not state.can_undo
    with store_of(data_dir) as store:
        assert len(store.list_versions(graph_id)) == 1
    run(state.dismiss_import_error)
    assert state.import_error == ""


async def test_a_file_over_the_size_limit_is_refused(graph_id: str) -> None:
    state = open_builder(graph_id)
    await state.import_spec([upload("huge.json", b" " * (MAX_SPEC_BYTES + 1))])
    assert "too large" in state.import_error
    run(state.import_rejected, [{"file": {"path": "huge.json"}, "errors": []}])
    assert "at most 5 MB" in state.import_error


def test_export_downloads_the_stored_spec_pretty_printed(graph_id: str, data_dir: Path) -> None:
    state = open_builder(graph_id)
    run(state.rename_graph, "Support/triage: v2")
    add_agent(state)  # unsaved: export saves first

    event = run(state.export_spec)

    args = {name._js_expr: value for name, value in event.args}
    assert json.loads(str(args["filename"])) == "Support_triage_ v2.json"
    url = json.loads(str(args["url"]))
    assert url.startswith("data:application/json;base64,")
    text = base64.b64decode(url.split(",", 1)[1]).decode()
    stored = graphs_spec(data_dir, graph_id)
    assert json.loads(text) == stored
    assert text == json.dumps(stored, indent=2, ensure_ascii=False) + "\n"
    assert state.save_label == "Saved"
