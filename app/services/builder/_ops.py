"""The canvas contract's ops (``docs/canvas-contract.md``) applied to a ``GraphEditor``.

Edits go through the pure edit functions of ``agent_runtime.spec``; undo, redo,
copy and paste use the editor and the clipboard.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from agent_runtime.spec import apply_ops, copy_nodes

from ._editor import GraphEditor


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
