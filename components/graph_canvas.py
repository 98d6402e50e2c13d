"""The graph canvas: a React Flow (``@xyflow/react`` 12) editor of one graph.

The browser side lives beside this module in ``graph_canvas.jsx`` (its named
exports ``GraphCanvas`` and ``NodePalette``); this module wraps it for Reflex.
``docs/canvas-contract.md`` is the contract: the canvas gets the graph in React
Flow shape with a ``revision`` counter, handles every interaction in the
browser, and reports only *committed* changes as a list of ops (``on_ops``) and
the selected node ids (``on_select``).

The JSX also carries its own styles (React Flow's ``dist/style.css`` is imported
there, and the canvas's own rules are injected once as a ``<style>`` element),
so nothing needs adding to ``app.stylesheets``.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import passthrough_event_spec

XYFLOW_LIBRARY = "@xyflow/react@12.12.1"
"""The React Flow release the JSX is written against (pinned like Reflex's own packages)."""

CANVAS_JSX = rx.asset("graph_canvas.jsx", shared=True)
"""The JSX module as a public asset; ``.importable_path`` is ``$/public/...``."""

OpsSpec = passthrough_event_spec(list[dict[str, Any]])
SelectSpec = passthrough_event_spec(list[str])


class CanvasModule(rx.NoSSRComponent):
    """A named export of ``graph_canvas.jsx``, loaded in the browser only."""

    library = CANVAS_JSX.importable_path
    # lucide-react (the icons the JSX imports one by one) is installed by Reflex itself
    # for rx.icon; listing it here would add a bare ``import "lucide-react"``, which
    # pulls every icon into the page.
    lib_dependencies: list[str] = [XYFLOW_LIBRARY]


class GraphCanvas(CanvasModule):
    """The canvas; fills its parent, which must have a height."""

    tag = "GraphCanvas"

    graph: rx.Var[dict[str, Any]]
    """``{"nodes": [...], "edges": [...]}`` in React Flow shape (see the contract)."""

    revision: rx.Var[int]
    """The canvas replaces its local nodes and edges from ``graph`` when this changes."""

    read_only: rx.Var[bool]
    """No dragging, connecting, deleting, pasting or toolbar (a version preview)."""

    selected_id: rx.Var[str]
    """A node the backend wants selected and centred (``""`` for none)."""

    running_id: rx.Var[str]
    """Optional: a node a run is executing now, outlined (``""`` for none)."""

    can_undo: rx.Var[bool]
    """Optional: disables the Undo button when false (enabled when not given)."""

    can_redo: rx.Var[bool]
    """Optional: disables the Redo button when false (enabled when not given)."""

    on_ops: rx.EventHandler[OpsSpec]
    """Called once per committed change with a list of op dicts."""

    on_select: rx.EventHandler[SelectSpec]
    """Called with the selected node ids, debounced ~100 ms."""


def graph_canvas(
    *,
    graph: rx.Var | dict[str, Any],
    revision: rx.Var | int,
    read_only: rx.Var | bool = False,
    selected_id: rx.Var | str = "",
    on_ops: Any = None,
    on_select: Any = None,
    **props: Any,
) -> rx.Component:
    """The graph canvas, with the contract's props and events.

    ``on_ops`` and ``on_select`` take event handlers (e.g. ``BuilderState.apply_ops``)
    whose one argument is the op list or the selected node ids. Other ``props``
    (``width``, ``height``, ``can_undo``, ``can_redo``, ``data_testid``...) go to the
    component; the canvas is 100% of its parent's width and height by default.
    """
    events = {
        name: handler
        for name, handler in (("on_ops", on_ops), ("on_select", on_select))
        if handler is not None
    }
    props.setdefault("width", "100%")
    props.setdefault("height", "100%")
    return GraphCanvas.create(
        graph=graph,
        revision=revision,
        read_only=read_only,
        selected_id=selected_id,
        **events,
        **props,
    )
