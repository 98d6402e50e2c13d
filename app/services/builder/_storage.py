"""The store side of the builder: open, save, versions, restore, import and export.

These return plain values and raise only ``OrchestrallError``s. Saves of one
editor are applied in change order: a job older than one already saved is skipped.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from typing import Any

from agent_runtime.errors import OrchestrallError, SpecParseError
from agent_runtime.spec import loads_spec, migrate
from app.services.graphs import get_store

from ._canvas import to_canvas
from ._editor import GraphEditor, SaveJob, Spec

AUTOSAVE_DELAY_S = 1.0
"""Seconds after the last change of a burst before the page autosaves.

Read as ``builder.AUTOSAVE_DELAY_S`` (tests patch it on the package), not here.
"""


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
