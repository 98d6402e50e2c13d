"""The canvas wrapper and the node palette: props, events, and the JSX module they load.

The interactions themselves run in the browser; the journeys in ``tests/e2e`` drive
them. These tests pin what the Python side promises (``docs/canvas-contract.md``)
and that the JSX beside it covers every node kind and op of the contract.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from reflex.utils.exceptions import EventHandlerArgTypeMismatchError

from agent_runtime.spec import NODE_KINDS
from components.graph_canvas import CANVAS_JSX, XYFLOW_LIBRARY, GraphCanvas, graph_canvas
from components.node_palette import KIND_MIME, NodePalette, node_palette

JSX_PATH = Path(__file__).resolve().parents[2] / "components" / "graph_canvas.jsx"
CONTRACT_OPS = (
    "add_node",
    "move",
    "connect",
    "delete",
    "duplicate",
    "copy",
    "paste",
    "undo",
    "redo",
    "layout",
)
TOOLBAR_TESTIDS = (
    "canvas-undo",
    "canvas-redo",
    "canvas-delete",
    "canvas-duplicate",
    "canvas-layout",
    "canvas-fit",
)


class CanvasTestState(rx.State):
    graph: dict[str, Any] = {"nodes": [], "edges": []}
    revision: int = 0
    selected_id: str = ""

    @rx.event
    def apply_ops(self, ops: list[dict[str, Any]]) -> None:
        """Stands in for the builder's op handler."""

    @rx.event
    def select(self, ids: list[str]) -> None:
        """Stands in for the builder's selection handler."""


def rendered_props(component: rx.Component) -> dict[str, str]:
    """The component's props as the compiler writes them: ``{js name: js value}``."""
    return dict(prop.split(":", 1) for prop in component.render()["props"])


@pytest.fixture(scope="module")
def jsx() -> str:
    return JSX_PATH.read_text()


def test_wrapper_passes_every_contract_prop_and_event() -> None:
    canvas = graph_canvas(
        graph=CanvasTestState.graph,
        revision=CanvasTestState.revision,
        selected_id=CanvasTestState.selected_id,
        on_ops=CanvasTestState.apply_ops,
        on_select=CanvasTestState.select,
    )

    props = rendered_props(canvas)
    assert canvas.render()["name"] == "GraphCanvas"
    assert {"graph", "revision", "readOnly", "selectedId", "onOps", "onSelect"} <= props.keys()
    assert props["readOnly"] == "false"
    assert "apply_ops" in props["onOps"] and "select" in props["onSelect"]
    assert '["ops"] : _ev_0' in props["onOps"]  # the op list reaches the handler's argument


def test_read_only_and_optional_undo_state_are_passed() -> None:
    canvas = graph_canvas(
        graph={"nodes": [], "edges": []}, revision=3, read_only=True, can_undo=False
    )

    props = rendered_props(canvas)
    assert props["readOnly"] == "true"
    assert props["revision"] == "3"
    assert props["canUndo"] == "false"
    assert "onOps" not in props  # a preview canvas needs no handlers


def test_props_and_event_specs_are_declared() -> None:
    assert {"graph", "revision", "read_only", "selected_id", "can_undo", "can_redo"} <= set(
        GraphCanvas.get_props()
    )
    triggers = GraphCanvas.create(graph={}, revision=0).get_event_triggers()
    assert {"on_ops", "on_select"} <= triggers.keys()


def test_a_handler_with_the_wrong_argument_type_is_refused() -> None:
    with pytest.raises(EventHandlerArgTypeMismatchError):
        graph_canvas(graph=CanvasTestState.graph, revision=0, on_select=CanvasTestState.apply_ops)


def test_the_module_is_loaded_from_the_shared_jsx_asset() -> None:
    assert (
        CANVAS_JSX.importable_path == "$/public/external/components/graph_canvas/graph_canvas.jsx"
    )
    for component in (GraphCanvas, NodePalette):
        assert component.library == CANVAS_JSX.importable_path
        assert XYFLOW_LIBRARY in component.lib_dependencies
    assert XYFLOW_LIBRARY.startswith("@xyflow/react@12.")
    dynamic = graph_canvas(graph={}, revision=0)._get_dynamic_imports()
    assert f"import('{CANVAS_JSX.importable_path}')" in dynamic
    assert "mod.GraphCanvas" in dynamic


def test_palette_renders_the_palette_export() -> None:
    palette = node_palette(read_only=True)

    assert palette.render()["name"] == "NodePalette"
    assert rendered_props(palette)["readOnly"] == "true"
    assert "mod.NodePalette" in palette._get_dynamic_imports()


def test_jsx_exports_both_components_and_loads_react_flow_styles(jsx: str) -> None:
    assert "export function GraphCanvas(" in jsx
    assert "export function NodePalette(" in jsx
    assert 'import "@xyflow/react/dist/style.css";' in jsx


def test_jsx_has_a_node_type_and_palette_entry_for_every_node_kind(jsx: str) -> None:
    kinds_table = jsx[
        jsx.index("export const KINDS = {") : jsx.index("\n};", jsx.index("export const KINDS"))
    ]
    declared = re.findall(r"^  (\w+): \{$", kinds_table, flags=re.MULTILINE)
    assert declared == list(NODE_KINDS)


def test_jsx_sends_every_contract_op_and_has_the_toolbar_testids(jsx: str) -> None:
    for op in CONTRACT_OPS:
        assert f'op: "{op}"' in jsx, op
    for testid in TOOLBAR_TESTIDS:
        assert f'"{testid}"' in jsx, testid
    assert "palette-${kind}" in jsx and "node-${id}" in jsx


def test_palette_drag_type_matches_the_jsx(jsx: str) -> None:
    assert f'export const KIND_MIME = "{KIND_MIME}";' in jsx
