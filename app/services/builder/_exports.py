"""The builder's Export menu and its Import of AutoGen and CrewAI files.

``export_download`` turns the stored graph into one download (spec JSON, a
LangGraph or CrewAI project zip, an AutoGen team JSON); ``import_upload`` reads
one or two uploaded files (a spec, an AutoGen team, CrewAI YAML or a zip) into
the graph as a new, undoable version. Both raise only ``OrchestrallError``s;
nothing in an uploaded file is run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from agent_runtime.errors import ExportError, ImportFormatError, SpecValidationError
from agent_runtime.exporters import detect_format, export_graph, import_files
from app.services.graphs import get_store

from ._editor import GraphEditor
from ._storage import _mark_stored, export_filename, export_spec, import_spec

MAX_IMPORT_FILES = 2


@dataclasses.dataclass(frozen=True)
class ExportChoice:
    """One entry of the Export menu."""

    target: str
    label: str
    hint: str


EXPORT_CHOICES: tuple[ExportChoice, ...] = (
    ExportChoice("json", "Spec JSON", "The graph spec itself"),
    ExportChoice("langgraph", "LangGraph (.zip)", "A Python module and langgraph.json"),
    ExportChoice("crewai", "CrewAI project (.zip)", "agents.yaml, tasks.yaml and crew.py"),
    ExportChoice("autogen", "AutoGen team (.json)", "For Team.load_component or AutoGen Studio"),
)
_NAMES = {"langgraph": "LangGraph", "crewai": "CrewAI", "autogen": "AutoGen"}


@dataclasses.dataclass(frozen=True)
class Download:
    filename: str
    data: bytes | str
    mime_type: str


@dataclasses.dataclass(frozen=True)
class ImportOutcome:
    version: int
    format: str  # spec | autogen | crewai
    warnings: tuple[str, ...] = ()


def export_download(graph_id: str, target: str) -> Download:
    """The stored graph exported as ``target``; ExportError says what the format cannot hold."""
    if target == "json":
        filename, text = export_spec(graph_id)
        return Download(filename, text, "application/json")
    spec = get_store().get_spec(graph_id)
    try:
        bundle = export_graph(spec, target)
    except SpecValidationError as exc:
        count = len(exc.problems)
        raise ExportError(
            f"The graph has {count} problem{'s' * (count != 1)}: fix "
            f"{'them' if count != 1 else 'it'} before exporting to {_NAMES[target]} "
            "(Spec JSON exports drafts too)."
        ) from None
    stem = export_filename(spec.get("name")).removesuffix(".json")
    if target == "autogen":
        return Download(f"{stem}.team.json", bundle.files[bundle.main_file], "application/json")
    folder = f"{stem}-{target}"
    return Download(f"{folder}.zip", bundle.zip_bytes(folder), "application/zip")


def import_upload(editor: GraphEditor, files: Sequence[tuple[str, bytes]]) -> ImportOutcome:
    """Replace the editor's graph with what the uploads hold, as a new version (undoable).

    A spec file is imported as before (drafts allowed); an AutoGen team or CrewAI
    crew becomes a valid graph that keeps this graph's name. Raises SpecError
    (``ImportFormatError`` for foreign files) and changes nothing when they cannot be read.
    """
    if len(files) > MAX_IMPORT_FILES:
        raise ImportFormatError("Import one file, or the two YAML files of a CrewAI crew.")
    uploads = dict(files)
    try:
        if detect_format(uploads) == "spec":
            name, data = files[0]
            return ImportOutcome(import_spec(editor, data, name), "spec")
        result = import_files(uploads)
    except ImportFormatError as exc:
        if len(uploads) != 1:
            raise
        [name] = uploads  # the caller names the one file: drop the name in front
        raise ImportFormatError(exc.message.removeprefix(f"{name}: ")) from None
    spec = result.spec
    spec["name"] = editor.spec.get("name") or spec["name"]
    label = " and ".join(name for name, _ in files)
    info = get_store().save_graph(editor.graph_id, spec, f"Imported {label}"[:500])
    editor.commit(info.spec, f"Imported {label}")
    _mark_stored(editor)
    return ImportOutcome(info.version, result.format, result.warnings)
