"""The builder's work: one graph being edited, its canvas view, and its saves.

``GraphEditor`` holds the spec being edited with a bounded undo/redo history and
a change counter; ``apply_canvas_ops`` applies the canvas contract's ops
(``docs/canvas-contract.md``) to it with the pure edit functions of
``agent_runtime.spec``; ``to_canvas`` is the canvas's view of a spec with its
problems. The store functions (``open_graph``, ``save``, ``list_versions``,
``restore_version``, ``import_spec``, ``export_spec``) return plain values and
raise only ``OrchestrallError``s. Saves of one editor are ordered by its change
counter: a slow save of older edits never overwrites a newer one.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import uuid
from typing import Any

from agent_runtime.errors import OrchestrallError, SpecParseError
from agent_runtime.spec import Problem as SpecProblem
from agent_runtime.spec import (
    apply_ops,
    copy_nodes,
    loads_spec,
    migrate,
    validate,
)
from app.services.forms import problem_target
from app.services.graphs import get_store

__all__ = [
    "AUTOSAVE_DELAY_S",
    "HISTORY_LIMIT",
    "GraphEditor",
    "OpsOutcome",
    "ProblemItem",
    "SaveJob",
    "SaveResult",
    "VersionRow",
    "apply_canvas_ops",
    "export_spec",
    "import_spec",
    "list_versions",
    "open_graph",
    "problem_items",
    "restore_version",
    "save",
    "to_canvas",
    "version_preview",
]

HISTORY_LIMIT = 100
AUTOSAVE_DELAY_S = 1.0
GRID_X, GRID_Y = 280, 150
KIND_TITLES = {
    "input": "Input",
    "agent": "Agent",
    "tool": "Tool",
    "router": "Router",
    "human": "Human",
    "memory": "Memory",
    "output": "Output",
}

Spec = dict[str, Any]


# ---------------------------------------------------------- canvas view ---


def _items(spec: Spec, section: str) -> list[dict[str, Any]]:
    items = spec.get(section)
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _node_label(node: dict[str, Any]) -> str:
    for key in ("label", "name"):
        if isinstance(node.get(key), str) and node[key].strip():
            return node[key]
    return KIND_TITLES.get(node.get("kind"), str(node.get("id")))


def _subtitle(node: dict[str, Any], spec: Spec) -> str:
    kind = node.get("kind")
    if kind == "agent":
        model = node.get("model")
        default = spec.get("default_model")
        return str(model) if model else (f"{default} (default)" if default else "no model")
    if kind == "tool":
        return str(node.get("tool") or "no tool")
    if kind == "router":
        routes = node.get("routes") if isinstance(node.get("routes"), list) else []
        return f"{node.get('strategy', 'rules')} · {len(routes)} route{'s' * (len(routes) != 1)}"
    if kind == "human":
        return str(node.get("mode", "approval"))
    if kind == "memory":
        return f"{node.get('operation', '?')} · {node.get('memory') or 'no memory'}"
    if kind == "input":
        fields = node.get("fields", [{"name": "message"}])
        fields = fields if isinstance(fields, list) else []
        return ", ".join(str(f["name"]) for f in fields if isinstance(f, dict) and f.get("name"))
    return ""


def _handles(node: dict[str, Any]) -> list[str]:
    kind = node.get("kind")
    if kind == "router":
        routes = node.get("routes") if isinstance(node.get("routes"), list) else []
        names = [r.get("name") for r in routes if isinstance(r, dict)]
        names.append(node.get("default_route"))
        return list(dict.fromkeys(n for n in names if isinstance(n, str) and n))
    if kind == "human" and node.get("mode", "approval") == "approval":
        return ["approved", "rejected"]
    return []


def _node_problems(spec: Spec, problems: list[SpecProblem]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in problems:
        scope, _ = problem_target(problem, spec)
        if scope.startswith("node/"):
            found.setdefault(scope.split("/")[1], []).append(problem.message)
    return found


def to_canvas(spec: Spec, problems: list[SpecProblem]) -> dict[str, list[dict[str, Any]]]:
    """The canvas's ``graph`` prop: React Flow nodes and edges (see the canvas contract)."""
    layout = spec.get("layout") if isinstance(spec.get("layout"), dict) else {}
    positions = layout.get("positions") if isinstance(layout.get("positions"), dict) else {}
    by_node = _node_problems(spec, problems)
    nodes, kinds = [], {}
    for index, node in enumerate(_items(spec, "nodes")):
        node_id = node.get("id")
        if not isinstance(node_id, str) or node_id in kinds:
            continue
        kind = node.get("kind") if node.get("kind") in KIND_TITLES else "agent"
        kinds[node_id] = kind
        pos = positions.get(node_id)
        try:
            position = {"x": float(pos["x"]), "y": float(pos["y"])}
        except (KeyError, TypeError, ValueError):
            position = {"x": float(index % 4 * GRID_X), "y": float(index // 4 * GRID_Y)}
        mine = by_node.get(node_id, [])
        tools = node.get("tools") if kind == "agent" and isinstance(node.get("tools"), list) else []
        nodes.append(
            {
                "id": node_id,
                "type": kind,
                "position": position,
                "data": {
                    "label": _node_label(node),
                    "kind": kind,
                    "subtitle": _subtitle(node, spec),
                    "tools": [str(t) for t in tools],
                    "handles": _handles(node),
                    "problems": len(mine),
                    "problem_text": mine[0] if mine else "",
                },
            }
        )
    edges, seen = [], set()
    for edge in _items(spec, "edges"):
        edge_id, source, target = edge.get("id"), edge.get("source"), edge.get("target")
        if not isinstance(edge_id, str) or edge_id in seen:
            continue
        if source not in kinds or target not in kinds:
            continue  # a dangling edge: the problems list names it
        seen.add(edge_id)
        route = edge.get("route") if isinstance(edge.get("route"), str) else None
        if (
            route is None
            and kinds[source] == "human"
            and "approved"
            in _handles(next(n for n in _items(spec, "nodes") if n.get("id") == source))
        ):
            route = "approved"  # no route out of an approval means approved
        edges.append(
            {
                "id": edge_id,
                "source": source,
                "target": target,
                "sourceHandle": route,
                "label": route or "",
            }
        )
    return {"nodes": nodes, "edges": edges}


@dataclasses.dataclass(frozen=True)
class ProblemItem:
    """One row of the problems list; clicking it selects ``node_id`` (or the graph)."""

    index: int
    code: str
    where: str
    message: str
    hint: str
    node_id: str


def problem_items(spec: Spec, problems: list[SpecProblem]) -> list[ProblemItem]:
    labels = {n.get("id"): _node_label(n) for n in _items(spec, "nodes")}
    items = []
    for index, problem in enumerate(problems):
        scope, _ = problem_target(problem, spec)
        parts = scope.split("/")
        node_id = parts[1] if parts[0] == "node" and parts[1] in labels else ""
        if node_id:
            where = labels[node_id]
        elif problem.edge_id:
            where = f"Edge {problem.edge_id}"
        elif parts[0] in ("models", "tools", "memories"):
            where = f"{parts[0].capitalize()} #{int(parts[1]) + 1}"
        else:
            where = "Graph settings"
        items.append(
            ProblemItem(
                index=index,
                code=problem.code,
                where=where,
                message=problem.message,
                hint=problem.hint,
                node_id=node_id,
            )
        )
    return items


# --------------------------------------------------------------- editor ---


@dataclasses.dataclass(frozen=True)
class SaveJob:
    graph_id: str
    session: str
    seq: int
    spec: Spec
    message: str


class GraphEditor:
    """One graph being edited: its spec, undo/redo stacks and what is not saved yet."""

    def __init__(self, graph_id: str, spec: Spec, *, limit: int = HISTORY_LIMIT) -> None:
        self.graph_id = graph_id
        self.spec = spec
        self.session = uuid.uuid4().hex
        self.limit = limit
        self.undo_stack: list[Spec] = []
        self.redo_stack: list[Spec] = []
        self.seq = 0  # one more per change
        self.saved_seq = 0  # the newest change the store has
        self.stored_spec = spec  # the store's newest version, as far as this editor knows
        self.notes: list[tuple[int, str]] = []  # what changed since the last save
        self.drafts: dict[str, tuple[str, str]] = {}  # JSON fields that do not parse yet
        self._problems: tuple[int, list[SpecProblem]] | None = None

    @property
    def problems(self) -> list[SpecProblem]:
        if self._problems is None or self._problems[0] != self.seq:
            self._problems = (self.seq, validate(self.spec))
        return self._problems[1]

    @property
    def can_undo(self) -> bool:
        return bool(self.undo_stack)

    @property
    def can_redo(self) -> bool:
        return bool(self.redo_stack)

    @property
    def dirty(self) -> bool:
        return self.saved_seq < self.seq

    def _changed(self, spec: Spec, note: str) -> None:
        self.spec = spec
        self.seq += 1
        self.notes.append((self.seq, note))

    def commit(self, spec: Spec, note: str) -> bool:
        """Make ``spec`` current (undoable); False when nothing changed."""
        if spec == self.spec:
            return False
        self.undo_stack = [*self.undo_stack, self.spec][-self.limit :]
        self.redo_stack = []
        self._changed(spec, note)
        return True

    def undo(self) -> bool:
        if not self.undo_stack:
            return False
        self.redo_stack = [*self.redo_stack, self.spec][-self.limit :]
        *self.undo_stack, spec = self.undo_stack
        self.drafts = {}
        self._changed(spec, "Undo")
        return True

    def redo(self) -> bool:
        if not self.redo_stack:
            return False
        self.undo_stack = [*self.undo_stack, self.spec][-self.limit :]
        *self.redo_stack, spec = self.redo_stack
        self.drafts = {}
        self._changed(spec, "Redo")
        return True

    def save_job(self) -> SaveJob | None:
        """What to save now, or None when the store has every change (or the same spec)."""
        if not self.dirty:
            return None
        if self.spec == self.stored_spec:  # e.g. edits undone: no version for nothing
            self.mark_saved(self.seq)
            return None
        notes = list(dict.fromkeys(note for _, note in self.notes))
        message = "; ".join(notes[:4]) + (f" (+{len(notes) - 4} more)" if len(notes) > 4 else "")
        return SaveJob(self.graph_id, self.session, self.seq, self.spec, message[:500])

    def mark_saved(self, seq: int, spec: Spec | None = None) -> None:
        """The store has every change up to ``seq`` (whose spec was ``spec``, if given)."""
        if seq >= self.saved_seq:
            self.stored_spec = (
                spec if spec is not None else (self.spec if seq == self.seq else self.stored_spec)
            )
        self.saved_seq = max(self.saved_seq, seq)
        self.notes = [(s, n) for s, n in self.notes if s > self.saved_seq]


# ------------------------------------------------------------------ ops ---


@dataclasses.dataclass(frozen=True)
class OpsOutcome:
    changed: bool = False  # the spec changed (autosave)
    reload: bool = False  # the canvas must reload its graph (bump ``revision``)
    selected: tuple[str, ...] = ()  # nodes to select (new ones)
    clipboard: str | None = None  # a new clip to keep (copy)
    message: str = ""  # something to tell the person (e.g. an empty clipboard)


_NOTES = {
    "add_node": "Added {kind} node",
    "move": "Moved nodes",
    "connect": "Connected {source} → {target}",
    "delete": "Deleted items",
    "duplicate": "Duplicated nodes",
    "paste": "Pasted nodes",
    "layout": "Arranged the layout",
}


def _parse_clip(text: str) -> dict[str, Any] | None:
    try:
        clip = json.loads(text) if text else None
    except json.JSONDecodeError:
        return None
    return clip if isinstance(clip, dict) and isinstance(clip.get("nodes"), list) else None


def apply_canvas_ops(editor: GraphEditor, ops: list[Any], clipboard: str = "") -> OpsOutcome:
    """Apply the canvas's ops in order; undo, redo, copy and paste use the editor and clipboard.

    Malformed ops are skipped; nothing the browser sends can raise here.
    """
    changed = reload = False
    selected: tuple[str, ...] = ()
    new_clip: str | None = None
    message = ""
    for op in ops:
        kind = op.get("op") if isinstance(op, dict) else None
        if kind in ("undo", "redo"):
            if editor.undo() if kind == "undo" else editor.redo():
                changed = reload = True
                selected = ()
            continue
        if kind == "copy":
            ids = [i for i in op.get("nodes") or [] if isinstance(i, str)]
            clip = copy_nodes(editor.spec, ids)
            if clip.get("nodes"):
                new_clip = clipboard = json.dumps(clip)
            continue
        if kind not in _NOTES:
            continue
        if kind == "paste":
            clip = _parse_clip(clipboard)
            if clip is None:
                message = "The clipboard is empty: copy nodes first (Ctrl+C)."
                continue
            op = {**op, "clip": clip}
        try:
            spec, info = apply_ops(editor.spec, [op])
            note = _NOTES[kind].format(**{k: op.get(k, "") for k in ("kind", "source", "target")})
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            continue  # a malformed op or clip changes nothing
        if editor.commit(spec, note):
            changed = True
            reload = reload or kind != "move"
            if info.get("selected"):
                selected = tuple(info["selected"])
    return OpsOutcome(changed, reload, selected, new_clip, message)


# ---------------------------------------------------------------- store ---


@dataclasses.dataclass(frozen=True)
class SaveResult:
    seq: int
    saved: bool  # False: failed (``error``) or skipped because newer edits were saved first
    version: int = 0
    is_valid: bool = True
    problem_count: int = 0
    error: str = ""


@dataclasses.dataclass(frozen=True)
class VersionRow:
    version: int
    created_at: str  # ISO 8601
    is_valid: bool
    message: str
    problem_count: int
    current: bool


_save_lock = threading.Lock()
_saved_seqs: dict[tuple[str, str], int] = {}


def open_graph(graph_id: str) -> GraphEditor:
    """An editor on the graph's current spec; ``NotFoundError`` for an unknown id."""
    store = get_store()
    store.get_graph(graph_id)
    return GraphEditor(graph_id, store.get_spec(graph_id))


def save(job: SaveJob) -> SaveResult:
    """Store ``job.spec`` as a new version (a draft when invalid); never raises.

    Jobs of one editor are applied in change order: a job older than one already
    saved is skipped.
    """
    key = (job.graph_id, job.session)
    with _save_lock:
        if _saved_seqs.get(key, -1) >= job.seq:
            return SaveResult(job.seq, saved=False)
        try:
            info = get_store().save_graph(job.graph_id, job.spec, job.message)
        except OrchestrallError as exc:
            return SaveResult(job.seq, saved=False, error=exc.message)
        _saved_seqs[key] = job.seq
    return SaveResult(job.seq, True, info.version, info.is_valid, info.problem_count)


def list_versions(graph_id: str) -> list[VersionRow]:
    summaries = get_store().list_versions(graph_id)
    newest = summaries[0].version if summaries else 0
    return [
        VersionRow(
            version=s.version,
            created_at=s.created_at.isoformat(),
            is_valid=s.is_valid,
            message=s.message,
            problem_count=s.problem_count,
            current=s.version == newest,
        )
        for s in summaries
    ]


def version_preview(graph_id: str, version: int) -> dict[str, list[dict[str, Any]]]:
    """The canvas view of one saved version, exactly as it was saved."""
    info = get_store().get_version(graph_id, version)
    return to_canvas(info.spec, info.problems)


def restore_version(graph_id: str, version: int) -> tuple[Spec, int]:
    """Save a copy of ``version`` as the newest version; its spec and new version number."""
    info = get_store().restore_version(graph_id, version)
    return info.spec, info.version


def read_spec_upload(data: bytes, filename: str) -> Spec:
    """A spec from an uploaded file, or ``SpecParseError``/``SpecVersionError`` saying why not."""
    source = filename or "the file"
    try:
        raw = loads_spec(data, source=source)
    except SpecParseError as exc:  # its message starts with the source: the caller names it
        raise SpecParseError(exc.message.removeprefix(f"{source}: ")) from None
    if not isinstance(raw, dict):
        raise SpecParseError("not a graph spec (a spec is a JSON object).")
    return migrate(raw)


def import_spec(editor: GraphEditor, data: bytes, filename: str) -> int:
    """Replace the editor's graph with an uploaded spec, saved as a new version (undoable).

    Raises ``SpecError`` (nothing changed) when the file is not a spec; a spec with
    problems is imported as a draft. Returns the new version number.
    """
    spec = read_spec_upload(data, filename)
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip():
        spec["name"] = editor.spec.get("name") or "Imported graph"
    info = get_store().save_graph(editor.graph_id, spec, f"Imported {filename}"[:500])
    editor.commit(info.spec, f"Imported {filename}")
    _mark_stored(editor)
    return info.version


def restore_into(editor: GraphEditor, version: int) -> int:
    """Restore ``version`` as the newest version and make it the editor's spec (undoable)."""
    spec, new_version = restore_version(editor.graph_id, version)
    editor.commit(spec, f"Restored version {version}")
    _mark_stored(editor)
    return new_version


def _mark_stored(editor: GraphEditor) -> None:
    """The editor's current spec is the store's newest version."""
    with _save_lock:
        _saved_seqs[(editor.graph_id, editor.session)] = editor.seq
    editor.mark_saved(editor.seq)


_UNSAFE_FILENAME = re.compile(r"[^\w .()-]+")


def export_filename(name: Any) -> str:
    cleaned = _UNSAFE_FILENAME.sub("_", name if isinstance(name, str) else "").strip(" ._")
    return f"{cleaned[:120] or 'graph'}.json"


def export_spec(graph_id: str) -> tuple[str, str]:
    """``(file name, pretty JSON)`` of the store's current spec of the graph."""
    spec = get_store().get_spec(graph_id)
    return export_filename(spec.get("name")), json.dumps(spec, indent=2, ensure_ascii=False) + "\n"
