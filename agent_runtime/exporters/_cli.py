"""The work behind ``orchestrall export`` and ``orchestrall import`` (the CLI stays thin).

Both raise only ``OrchestrallError``s with one-line messages; the CLI prints them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from agent_runtime.errors import ImportFormatError, NotFoundError, OrchestrallError
from agent_runtime.exporters._api import export_graph
from agent_runtime.exporters._bundle import ExportOptions
from agent_runtime.exporters._import_common import MAX_IMPORT_BYTES
from agent_runtime.exporters._import_files import import_files
from agent_runtime.settings import Settings
from agent_runtime.spec import load_spec_file

Echo = Callable[[str], None]


def export_command(
    graph: str,
    target: str,
    out_dir: Path,
    *,
    settings: Settings,
    force: bool = False,
    options: ExportOptions | None = None,
    echo: Echo = print,
) -> list[Path]:
    """Export a spec file, or a saved graph (by id or exact name), into ``out_dir``."""
    spec = _spec_of(graph, settings)
    bundle = export_graph(spec, target, options)
    clashes = [rel for rel in bundle.files if (out_dir / rel).exists()]
    if clashes and not force:
        raise OrchestrallError(
            f"{out_dir / clashes[0]} already exists; choose another directory or add --force.",
            code="exists",
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise OrchestrallError(f"{out_dir} is a file, not a directory.", code="exists")
    written = bundle.write(out_dir)
    for path in written:
        echo(f"wrote {path}")
    for note in bundle.notes:
        echo(f"note: {note}")
    return written


def _spec_of(graph: str, settings: Settings) -> Any:
    path = Path(graph)
    if path.exists():
        return load_spec_file(path)
    from agent_runtime.store import open_store

    with open_store(settings=settings) as store:
        try:
            return store.get_spec(store.get_graph(graph).id)
        except NotFoundError:
            pass
        named = [g for g in store.list_graphs(search=graph) if g.name == graph]
        if len(named) > 1:
            ids = ", ".join(g.id for g in named)
            raise OrchestrallError(f"Several graphs are called {graph!r} ({ids}); give an id.")
        if not named:
            raise NotFoundError(f"{graph}: no such file, and no saved graph with that id or name.")
        return store.get_spec(named[0].id)


def import_command(
    files: Sequence[Path], *, name: str | None, settings: Settings, echo: Echo = print
) -> str:
    """Create a graph from an AutoGen team JSON, CrewAI YAML pair, zip or spec; its id."""
    contents = {}
    for path in files:
        try:
            if path.stat().st_size > MAX_IMPORT_BYTES:
                raise ImportFormatError(
                    f"{path}: larger than the {MAX_IMPORT_BYTES // 2**20} MB import limit."
                )
            contents[str(path)] = path.read_bytes()
        except FileNotFoundError:
            raise ImportFormatError(f"{path}: no such file.") from None
        except IsADirectoryError:
            raise ImportFormatError(f"{path}: a directory, not a file.") from None
        except PermissionError:
            raise ImportFormatError(f"{path}: permission denied.") from None
    result = import_files(contents, name=name)
    from agent_runtime.store import open_store

    with open_store(settings=settings) as store:
        spec = result.spec
        title = name or (spec.get("name") if isinstance(spec.get("name"), str) else "")
        graph = store.create_graph(title or "Imported graph", spec=spec)
    for warning in result.warnings:
        echo(f"warning: {warning}")
    draft = "" if graph.is_valid else " (a draft with problems: open it in the builder)"
    echo(f"imported {result.format} as graph {graph.id} ({graph.name}){draft}")
    return graph.id
