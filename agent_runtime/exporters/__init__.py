"""Export graphs to LangGraph, CrewAI and AutoGen; import AutoGen teams and CrewAI crews.

    bundle = export_graph(spec, "langgraph")     # ExportBundle: files by relative path
    bundle.write("out/")                          # or bundle.zip_bytes()
    result = import_files({"team.json": data})    # ImportResult: spec dict + warnings

Exports are pure functions of a spec: generated code is text, nothing is imported
or run, and secrets appear only as environment-variable *names*. Imports read
JSON and YAML as data (``json``, ``yaml.safe_load``): nothing from a file is
executed or imported; tools are matched by name to Orchestrall's built-ins.
See ``docs/export.md``.
"""

from agent_runtime.exporters._api import EXPORT_TARGETS, export_graph
from agent_runtime.exporters._bundle import ExportBundle, ExportOptions
from agent_runtime.exporters._import_autogen import import_autogen
from agent_runtime.exporters._import_common import MAX_IMPORT_BYTES, ImportResult
from agent_runtime.exporters._import_crewai import import_crewai
from agent_runtime.exporters._import_files import IMPORT_FORMATS, detect_format, import_files

__all__ = [
    "EXPORT_TARGETS",
    "IMPORT_FORMATS",
    "MAX_IMPORT_BYTES",
    "ExportBundle",
    "ExportOptions",
    "ImportResult",
    "detect_format",
    "export_graph",
    "import_autogen",
    "import_crewai",
    "import_files",
]
