"""The builder's work: one graph being edited, its canvas view, and its saves.

``GraphEditor`` holds the spec being edited with a bounded undo/redo history and
a change counter; ``apply_canvas_ops`` applies the canvas contract's ops
(``docs/canvas-contract.md``) to it with the pure edit functions of
``agent_runtime.spec``; ``to_canvas`` is the canvas's view of a spec with its
problems. The store functions (``open_graph``, ``save``, ``list_versions``,
``restore_version``, ``import_spec``, ``export_spec``) return plain values and
raise only ``OrchestrallError``s; ``export_download`` and ``import_upload`` add
the LangGraph, CrewAI and AutoGen formats (``agent_runtime.exporters``). Saves
of one editor are ordered by its change counter: a slow save of older edits
never overwrites a newer one.
"""

from __future__ import annotations

from ._canvas import ProblemItem, problem_items, to_canvas
from ._editor import HISTORY_LIMIT, GraphEditor, SaveJob
from ._exports import (
    EXPORT_CHOICES,
    Download,
    ExportChoice,
    ImportOutcome,
    export_download,
    import_upload,
)
from ._ops import OpsOutcome, apply_canvas_ops
from ._storage import (
    AUTOSAVE_DELAY_S,
    SaveResult,
    VersionRow,
    export_filename,
    export_spec,
    import_spec,
    list_versions,
    open_graph,
    restore_into,
    restore_version,
    save,
    version_preview,
)

__all__ = [
    "AUTOSAVE_DELAY_S",
    "EXPORT_CHOICES",
    "HISTORY_LIMIT",
    "Download",
    "ExportChoice",
    "GraphEditor",
    "ImportOutcome",
    "OpsOutcome",
    "ProblemItem",
    "SaveJob",
    "SaveResult",
    "VersionRow",
    "apply_canvas_ops",
    "export_download",
    "export_filename",
    "export_spec",
    "import_spec",
    "import_upload",
    "list_versions",
    "open_graph",
    "problem_items",
    "restore_into",
    "restore_version",
    "save",
    "to_canvas",
    "version_preview",
]
