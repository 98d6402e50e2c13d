"""The export entry point: ``export_graph`` by target name (imports: ``_import_files``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent_runtime.errors import ExportError
from agent_runtime.exporters._autogen import export_autogen
from agent_runtime.exporters._bundle import ExportBundle, ExportOptions
from agent_runtime.exporters._crewai import export_crewai
from agent_runtime.exporters._json import export_json
from agent_runtime.exporters._langgraph import export_langgraph
from agent_runtime.spec import GraphSpec, migrate, parse_spec

__all__ = ["EXPORT_TARGETS", "export_graph"]

EXPORT_TARGETS: tuple[str, ...] = ("json", "langgraph", "crewai", "autogen")
"""Export formats by name, in the order menus show them."""

_EXPORTERS = {"langgraph": export_langgraph, "crewai": export_crewai, "autogen": export_autogen}


def export_graph(
    spec: Mapping[str, Any] | GraphSpec, target: str, options: ExportOptions | None = None
) -> ExportBundle:
    """Export ``spec`` as ``target`` (one of ``EXPORT_TARGETS``).

    ``json`` writes the spec as given (drafts too); the framework targets need a
    valid spec (``SpecValidationError`` otherwise) and raise ``ExportError``
    naming every node they cannot express.
    """
    if target not in EXPORT_TARGETS:
        raise ExportError(
            f"There is no export format called {target!r}; choose one of: "
            + ", ".join(EXPORT_TARGETS)
            + "."
        )
    if target == "json":
        data = spec.model_dump(mode="json") if isinstance(spec, GraphSpec) else migrate(spec)
        return export_json(data)
    graph = spec if isinstance(spec, GraphSpec) else parse_spec(spec)
    return _EXPORTERS[target](graph, options or ExportOptions())
