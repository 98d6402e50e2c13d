"""The node palette: the seven node kinds as tiles to drag onto the graph canvas.

It is the ``NodePalette`` export of ``graph_canvas.jsx`` (the node kinds' names,
descriptions, icons and colours live there, beside the canvas's nodes). Each tile
(``data-testid="palette-<kind>"``) is HTML5-draggable with the kind under the
``application/orchestrall-kind`` type; a drop on the canvas sends the canvas's
``add_node`` op at the drop point. A tile is also focusable: Enter, Space or a
click adds the kind at the centre of the canvas, through the same op.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from components.graph_canvas import CanvasModule

KIND_MIME = "application/orchestrall-kind"
"""The ``dataTransfer`` type a tile's drag carries the node kind under."""


class NodePalette(CanvasModule):
    """The palette's tiles in a column; it takes its parent's width."""

    tag = "NodePalette"

    read_only: rx.Var[bool]
    """Tiles are dimmed and neither drag nor add (a version preview)."""


def node_palette(*, read_only: rx.Var | bool = False, **props: Any) -> rx.Component:
    """The node palette; ``props`` (``width``, ``data_testid``...) go to its container."""
    return NodePalette.create(read_only=read_only, **props)
