/*
 * The Orchestrall graph canvas (React Flow, @xyflow/react 12) and its node palette.
 *
 * Wrapped for Reflex by graph_canvas.py (GraphCanvas) and node_palette.py (NodePalette).
 * docs/canvas-contract.md is the contract: the canvas keeps nodes and edges in React
 * state, replaces them from `graph` whenever `revision` changes, and reports only
 * committed changes through `onOps(ops)` and the selection through `onSelect(ids)`.
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  Background,
  BackgroundVariant,
  Controls,
  Handle,
  MarkerType,
  MiniMap,
  Panel,
  Position,
  ReactFlow,
  ReactFlowProvider,
  SelectionMode,
  useEdgesState,
  useNodesState,
  useReactFlow,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import Bot from "lucide-react/dist/esm/icons/bot.mjs";
import Copy from "lucide-react/dist/esm/icons/copy.mjs";
import Database from "lucide-react/dist/esm/icons/database.mjs";
import FlagTriangleRight from "lucide-react/dist/esm/icons/flag-triangle-right.mjs";
import LayoutGrid from "lucide-react/dist/esm/icons/layout-grid.mjs";
import LogIn from "lucide-react/dist/esm/icons/log-in.mjs";
import Maximize from "lucide-react/dist/esm/icons/maximize.mjs";
import MousePointerClick from "lucide-react/dist/esm/icons/mouse-pointer-click.mjs";
import Redo2 from "lucide-react/dist/esm/icons/redo-2.mjs";
import Split from "lucide-react/dist/esm/icons/split.mjs";
import Trash2 from "lucide-react/dist/esm/icons/trash-2.mjs";
import TriangleAlert from "lucide-react/dist/esm/icons/triangle-alert.mjs";
import Undo2 from "lucide-react/dist/esm/icons/undo-2.mjs";
import UserCheck from "lucide-react/dist/esm/icons/user-check.mjs";
import Wrench from "lucide-react/dist/esm/icons/wrench.mjs";

/** The drag-and-drop type a palette tile puts the node kind under. */
export const KIND_MIME = "application/orchestrall-kind";
/** Window event a palette tile sends to add its kind at the canvas centre (keyboard, click). */
export const ADD_NODE_EVENT = "orchestrall:add-node";

/** Every node kind of the spec (agent_runtime.spec.NODE_KINDS), in palette order. */
export const KINDS = {
  input: {
    label: "Input",
    description: "The fields a run starts with",
    color: "blue",
    icon: LogIn,
  },
  agent: {
    label: "Agent",
    description: "A model with tools and memory",
    color: "violet",
    icon: Bot,
  },
  tool: {
    label: "Tool",
    description: "Calls one tool with arguments",
    color: "orange",
    icon: Wrench,
  },
  router: {
    label: "Router",
    description: "Picks a route by rules or a model",
    color: "cyan",
    icon: Split,
  },
  human: {
    label: "Human",
    description: "Waits for an approval or answer",
    color: "pink",
    icon: UserCheck,
  },
  memory: {
    label: "Memory",
    description: "Retrieves or stores memories",
    color: "grass",
    icon: Database,
  },
  output: {
    label: "Output",
    description: "Where a run ends: its result",
    color: "gray",
    icon: FlagTriangleRight,
  },
};
const KIND_ORDER = Object.keys(KINDS);

/** Size a new node is centred with (the node is this wide; its height depends on its content). */
const NODE_WIDTH = 232;
const NODE_HEIGHT_GUESS = 64;
/** Kinds whose new node shows route rows, so is taller than the guess. */
const NEW_NODE_HEIGHT = { router: 112, human: 112 };
const SELECT_DEBOUNCE_MS = 100;
const KEY_MOVE_COMMIT_MS = 400;
const FIT_OPTIONS = { padding: 0.2, maxZoom: 1 };
const IS_MAC = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || "");
const MOD = IS_MAC ? "⌘" : "Ctrl+";

const accentStyle = (color) => ({
  "--oc-accent": `var(--${color}-9)`,
  "--oc-accent-soft": `var(--${color}-a3)`,
  "--oc-accent-text": `var(--${color}-11)`,
});
const round = (p) => ({ x: Math.round(p.x), y: Math.round(p.y) });
const cx = (...names) => names.filter(Boolean).join(" ");

function isEditable(element) {
  if (!element || element === document.body) return false;
  const tag = element.tagName;
  return (
    tag === "INPUT" ||
    tag === "TEXTAREA" ||
    tag === "SELECT" ||
    element.isContentEditable ||
    !!element.closest?.("[contenteditable=''], [contenteditable='true']")
  );
}

/* ------------------------------------------------------------------ nodes */

function uniq(values) {
  return [...new Set((values || []).filter((v) => typeof v === "string" && v !== ""))];
}

function CanvasNodeView({ id, type, data, selected }) {
  const kind = KINDS[type] ? type : KINDS[data?.kind] ? data.kind : "agent";
  const meta = KINDS[kind];
  const Icon = meta.icon;
  const label = data?.label || id;
  const subtitle = data?.subtitle || "";
  const tools = uniq(data?.tools);
  const handles = uniq(data?.handles);
  const problems = Number(data?.problems) || 0;
  const problemText = data?.problem_text || "";
  const problemTitle = problems
    ? `${problems} problem${problems === 1 ? "" : "s"}${problemText ? `: ${problemText}` : ""}`
    : undefined;
  return (
    <div
      className={cx("oc-node", selected && "oc-selected", problems > 0 && "oc-has-problems")}
      style={accentStyle(meta.color)}
      data-testid={`node-${id}`}
      data-kind={kind}
      data-problems={problems}
    >
      {kind !== "input" && (
        <Handle
          type="target"
          position={Position.Left}
          className="oc-handle oc-handle-in"
          data-testid={`handle-${id}-in`}
        />
      )}
      <div className="oc-node-head">
        <span className="oc-node-icon" aria-hidden="true">
          <Icon size={16} strokeWidth={2} />
        </span>
        <span className="oc-node-titles">
          <span className="oc-node-label" title={label}>
            {label}
          </span>
          <span className="oc-node-subtitle" title={subtitle || meta.label}>
            {meta.label}
            {subtitle ? ` · ${subtitle}` : ""}
          </span>
        </span>
        {problems > 0 && (
          <span
            className="oc-node-problems"
            title={problemTitle}
            aria-label={problemTitle}
            role="img"
            data-testid={`badge-${id}`}
          >
            <TriangleAlert size={12} strokeWidth={2.4} aria-hidden="true" />
            {problems}
          </span>
        )}
      </div>
      {tools.length > 0 && (
        <div className="oc-node-tools">
          {tools.slice(0, 4).map((tool) => (
            <span key={tool} className="oc-chip" title={tool}>
              {tool}
            </span>
          ))}
          {tools.length > 4 && <span className="oc-chip oc-chip-more">+{tools.length - 4}</span>}
        </div>
      )}
      {kind !== "output" &&
        (handles.length > 0 ? (
          <div className="oc-node-routes">
            {handles.map((route) => (
              <div key={route} className="oc-route">
                <span className="oc-route-name" title={route}>
                  {route}
                </span>
                <Handle
                  type="source"
                  position={Position.Right}
                  id={route}
                  className="oc-handle oc-handle-out"
                  data-testid={`handle-${id}-out-${route}`}
                />
              </div>
            ))}
          </div>
        ) : (
          <Handle
            type="source"
            position={Position.Right}
            className="oc-handle oc-handle-out"
            data-testid={`handle-${id}-out`}
          />
        ))}
    </div>
  );
}

const CanvasNode = memo(CanvasNodeView);
/** One custom node type per kind (a stable object: React Flow warns when it changes). */
const NODE_TYPES = Object.fromEntries(KIND_ORDER.map((kind) => [kind, CanvasNode]));
const EDGE_MARKER = { type: MarkerType.ArrowClosed, width: 18, height: 18 };
// Props React Flow compares by identity: created once, not on every render.
const DEFAULT_EDGE_OPTIONS = { markerEnd: EDGE_MARKER };
const MULTI_SELECTION_KEYS = ["Shift", "Meta", "Control"];
const MINIMAP_STYLE = { width: 168, height: 112 };

function toFlowNodes(graph, selected) {
  return (graph?.nodes || []).map((node) => ({
    id: String(node.id),
    type: KINDS[node.type] ? node.type : "agent",
    position: { x: Number(node.position?.x) || 0, y: Number(node.position?.y) || 0 },
    data: node.data || {},
    selected: selected.has(String(node.id)),
  }));
}

function toFlowEdges(graph, selected) {
  return (graph?.edges || []).map((edge) => ({
    id: String(edge.id),
    source: String(edge.source),
    target: String(edge.target),
    sourceHandle: edge.sourceHandle || null,
    label: edge.label || undefined,
    className: edge.label ? "oc-edge-route" : undefined,
    markerEnd: EDGE_MARKER,
    selected: selected.has(String(edge.id)),
  }));
}

/** The free place nearest `start` for a new node (so "add at the centre" never covers one). */
function freeSpotNear(start, nodes, height) {
  const gap = 16;
  const boxes = nodes.map((n) => ({
    x: n.position.x,
    y: n.position.y,
    w: n.measured?.width || NODE_WIDTH,
    h: n.measured?.height || NODE_HEIGHT_GUESS,
  }));
  const free = (p) =>
    boxes.every(
      (b) =>
        p.x + NODE_WIDTH + gap <= b.x ||
        b.x + b.w + gap <= p.x ||
        p.y + height + gap <= b.y ||
        b.y + b.h + gap <= p.y,
    );
  const steps = [];
  for (let col = -3; col <= 3; col++) {
    for (let row = -6; row <= 6; row++) steps.push([col, row]);
  }
  // Nearest first; on a tie, below before above (above is where the toolbar sits).
  steps.sort((a, b) => Math.hypot(a[0] * 2.5, a[1]) - Math.hypot(b[0] * 2.5, b[1]) || b[1] - a[1]);
  for (const [col, row] of steps) {
    const p = { x: start.x + col * (NODE_WIDTH + 40), y: start.y + row * (NODE_HEIGHT_GUESS + 32) };
    if (free(p)) return p;
  }
  return start;
}

const selectedIds = (items) => items.filter((item) => item.selected).map((item) => item.id);

/**
 * The page's light/dark appearance (Reflex puts it on <html>). React Flow puts a
 * `light` or `dark` class on its root, and Radix Themes scopes its colour variables
 * to those classes, so the canvas must use the page's mode to match the app.
 */
function usePageColorMode() {
  const read = () =>
    typeof document !== "undefined" && document.documentElement.classList.contains("dark") ? "dark" : "light";
  const [mode, setMode] = useState(read);
  useEffect(() => {
    const observer = new MutationObserver(() => setMode(read()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    setMode(read());
    return () => observer.disconnect();
  }, []);
  return mode;
}

/* ---------------------------------------------------------------- toolbar */

function ToolButton({ testId, title, icon: Icon, onClick, disabled, danger }) {
  return (
    <button
      type="button"
      className={cx("oc-tool", danger && "oc-tool-danger")}
      data-testid={testId}
      title={title}
      aria-label={title}
      disabled={disabled}
      onClick={onClick}
    >
      <Icon size={16} strokeWidth={2} aria-hidden="true" />
    </button>
  );
}

function CanvasToolbar({ actions, hasSelection, canUndo, canRedo }) {
  return (
    <div className="oc-toolbar nokey" role="toolbar" aria-label="Canvas" data-testid="canvas-toolbar">
      <ToolButton
        testId="canvas-undo"
        title={`Undo (${MOD}Z)`}
        icon={Undo2}
        onClick={actions.undo}
        disabled={canUndo === false}
      />
      <ToolButton
        testId="canvas-redo"
        title={`Redo (${MOD}${IS_MAC ? "⇧Z" : "Y"})`}
        icon={Redo2}
        onClick={actions.redo}
        disabled={canRedo === false}
      />
      <span className="oc-tool-sep" aria-hidden="true" />
      <ToolButton
        testId="canvas-duplicate"
        title={`Duplicate selection (${MOD}D)`}
        icon={Copy}
        onClick={actions.duplicate}
        disabled={!hasSelection.nodes}
      />
      <ToolButton
        testId="canvas-delete"
        title="Delete selection (Delete)"
        icon={Trash2}
        onClick={actions.remove}
        disabled={!hasSelection.nodes && !hasSelection.edges}
        danger
      />
      <span className="oc-tool-sep" aria-hidden="true" />
      <ToolButton testId="canvas-layout" title="Tidy up the layout" icon={LayoutGrid} onClick={actions.layout} />
      <ToolButton testId="canvas-fit" title="Fit the graph in view" icon={Maximize} onClick={actions.fit} />
    </div>
  );
}

/* ----------------------------------------------------------------- canvas */

function CanvasFlow({
  graph,
  revision,
  readOnly = false,
  selectedId = "",
  runningId = "",
  canUndo,
  canRedo,
  onOps,
  onSelect,
  className,
  style,
  id,
  ...rest
}) {
  const flow = useReactFlow();
  const colorMode = usePageColorMode();
  const wrapperRef = useRef(null);
  const [nodes, setNodes, onNodesChange] = useNodesState(() => toFlowNodes(graph, new Set()));
  const [edges, setEdges, onEdgesChange] = useEdgesState(() => toFlowEdges(graph, new Set()));

  // Latest props and state, for handlers that must not change identity.
  const latest = useRef({});
  latest.current = { graph, readOnly, onOps, onSelect, nodes, edges };

  const emit = useCallback((...ops) => {
    const handler = latest.current.onOps;
    if (typeof handler === "function" && ops.length) handler(ops);
  }, []);

  /* revision → replace local state (keeping the selection of ids that still exist) */
  const appliedRevision = useRef(revision);
  const fitAfterReplace = useRef(false);
  const pendingSelect = useRef("");
  const replaceFromProps = useCallback(() => {
    const { graph: next, nodes: current, edges: currentEdges } = latest.current;
    // A selected_id that came before its graph is selected now that the graph is here.
    const pending = pendingSelect.current;
    const pendingHere = !!pending && (next?.nodes || []).some((n) => String(n.id) === pending);
    setNodes(toFlowNodes(next, new Set(pendingHere ? [pending] : selectedIds(current))));
    setEdges(toFlowEdges(next, new Set(pendingHere ? [] : selectedIds(currentEdges))));
    if (pendingHere) {
      pendingSelect.current = "";
      reveal(pending);
    }
    if (fitAfterReplace.current) {
      fitAfterReplace.current = false;
      requestAnimationFrame(() => flow.fitView({ ...FIT_OPTIONS, duration: 250 }));
    }
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (revision === appliedRevision.current) return;
    appliedRevision.current = revision;
    replaceFromProps();
  }, [revision, replaceFromProps]);

  // A graph that arrives after mount under the same revision fills an empty canvas.
  useEffect(() => {
    if (latest.current.nodes.length === 0 && (graph?.nodes || []).length > 0) replaceFromProps();
  }, [graph, replaceFromProps]);

  /* selected_id → select that node, and centre it unless it is fully in view */
  const isInView = useCallback(
    (node) => {
      const box = wrapperRef.current?.getBoundingClientRect();
      if (!box) return false;
      const pos = node.internals.positionAbsolute;
      const topLeft = flow.flowToScreenPosition(pos);
      const bottomRight = flow.flowToScreenPosition({
        x: pos.x + node.measured.width,
        y: pos.y + node.measured.height,
      });
      return topLeft.x >= box.left && topLeft.y >= box.top && bottomRight.x <= box.right && bottomRight.y <= box.bottom;
    },
    [flow],
  );
  const reveal = useCallback(
    (nodeId, attempts = 10) => {
      // The node may reach React Flow's store (and be measured) a frame or two later.
      const node = flow.getInternalNode(nodeId);
      if (!node?.measured?.width) {
        if (attempts > 0) requestAnimationFrame(() => reveal(nodeId, attempts - 1));
        return;
      }
      if (isInView(node)) return;
      const pos = node.internals.positionAbsolute;
      flow.setCenter(pos.x + node.measured.width / 2, pos.y + node.measured.height / 2, {
        zoom: Math.max(flow.getZoom(), 0.8),
        duration: 300,
      });
    },
    [flow, isInView],
  );

  useEffect(() => {
    if (!selectedId) return;
    const { nodes: current, graph: incoming } = latest.current;
    const local = current.find((n) => n.id === selectedId);
    // Not here yet: the graph it belongs to is still to come (first load).
    if (!local && !(incoming?.nodes || []).some((n) => String(n.id) === selectedId)) {
      pendingSelect.current = selectedId;
      return;
    }
    // Already selected (e.g. the backend echoing the canvas's own selection): keep a
    // multiple selection as it is. Otherwise select just this node; the functional
    // updates also apply on top of a replacement made in this same render.
    if (!local?.selected) {
      setNodes((ns) =>
        ns.map((n) => (n.selected === (n.id === selectedId) ? n : { ...n, selected: n.id === selectedId })),
      );
      setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e)));
    }
    requestAnimationFrame(() => reveal(selectedId));
  }, [selectedId, reveal, setNodes, setEdges]);

  /* selection → on_select, debounced */
  const selectTimer = useRef(null);
  const lastSentSelection = useRef(null);
  const pickedIds = useRef([]);
  const boxSelecting = useRef(false);
  const sendSelection = useCallback(() => {
    clearTimeout(selectTimer.current);
    selectTimer.current = setTimeout(() => {
      if (boxSelecting.current) return; // sent once the box is released
      const ids = pickedIds.current;
      const key = ids.join("\n");
      if (key === lastSentSelection.current) return;
      lastSentSelection.current = key;
      const handler = latest.current.onSelect;
      if (typeof handler === "function") handler(ids);
    }, SELECT_DEBOUNCE_MS);
  }, []);
  const onSelectionChange = useCallback(
    ({ nodes: picked }) => {
      pickedIds.current = picked.map((n) => n.id);
      sendSelection();
    },
    [sendSelection],
  );
  const onSelectionStart = useCallback(() => {
    boxSelecting.current = true;
  }, []);
  const onSelectionEnd = useCallback(() => {
    boxSelecting.current = false;
    sendSelection();
  }, [sendSelection]);
  useEffect(() => () => clearTimeout(selectTimer.current), []);

  /* moves: one op per drag (on release), and one per burst of arrow-key moves */
  const dragging = useRef(false);
  const keyMoved = useRef(new Set());
  const keyMoveTimer = useRef(null);
  const positionsOf = (ids) => {
    const positions = {};
    for (const n of latest.current.nodes) if (ids.has(n.id)) positions[n.id] = round(n.position);
    return positions;
  };
  const onNodeDragStart = useCallback(() => {
    dragging.current = true;
  }, []);
  const onNodeDragStop = useCallback(
    (_event, _node, dragged) => {
      dragging.current = false;
      // React Flow calls this only after a real drag, once, with every node it moved.
      const positions = {};
      for (const n of dragged || []) positions[n.id] = round(n.position);
      if (Object.keys(positions).length) emit({ op: "move", positions });
    },
    [emit],
  );
  const handleNodesChange = useCallback(
    (changes) => {
      onNodesChange(changes);
      if (dragging.current) return;
      const keyboardMoves = changes.filter((c) => c.type === "position" && c.position && !c.dragging);
      if (!keyboardMoves.length) return;
      for (const c of keyboardMoves) keyMoved.current.add(c.id);
      clearTimeout(keyMoveTimer.current);
      keyMoveTimer.current = setTimeout(() => {
        const ids = keyMoved.current;
        keyMoved.current = new Set();
        const positions = positionsOf(ids);
        if (Object.keys(positions).length) emit({ op: "move", positions });
      }, KEY_MOVE_COMMIT_MS);
    },
    [onNodesChange, emit], // eslint-disable-line react-hooks/exhaustive-deps
  );
  useEffect(() => () => clearTimeout(keyMoveTimer.current), []);

  /* connect */
  const isValidConnection = useCallback((c) => {
    return !latest.current.edges.some(
      (e) => e.source === c.source && e.target === c.target && (e.sourceHandle || null) === (c.sourceHandle || null),
    );
  }, []);
  const onConnect = useCallback(
    (c) => emit({ op: "connect", source: c.source, target: c.target, route: c.sourceHandle || null }),
    [emit],
  );

  /* drop from the palette, and "add at the centre" from the palette's keyboard/click */
  const onDragOver = useCallback((event) => {
    if (latest.current.readOnly || !event.dataTransfer.types.includes(KIND_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  }, []);
  const onDrop = useCallback(
    (event) => {
      if (latest.current.readOnly) return;
      const kind = event.dataTransfer.getData(KIND_MIME);
      if (!KINDS[kind]) return;
      event.preventDefault();
      const point = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      emit({
        op: "add_node",
        kind,
        position: round({ x: point.x - NODE_WIDTH / 2, y: point.y - NODE_HEIGHT_GUESS / 2 }),
      });
      wrapperRef.current?.focus({ preventScroll: true });
    },
    [flow, emit],
  );
  useEffect(() => {
    const onAdd = (event) => {
      const kind = event.detail?.kind;
      if (latest.current.readOnly || !KINDS[kind] || event.detail.handled || !wrapperRef.current) return;
      event.detail.handled = true;
      const rect = wrapperRef.current.getBoundingClientRect();
      const centre = flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 });
      const position = freeSpotNear(
        round({ x: centre.x - NODE_WIDTH / 2, y: centre.y - NODE_HEIGHT_GUESS / 2 }),
        latest.current.nodes,
        NEW_NODE_HEIGHT[kind] || NODE_HEIGHT_GUESS,
      );
      emit({ op: "add_node", kind, position });
    };
    window.addEventListener(ADD_NODE_EVENT, onAdd);
    return () => window.removeEventListener(ADD_NODE_EVENT, onAdd);
  }, [flow, emit]);

  /* the last pointer position over the canvas, for paste */
  const pointer = useRef(null);
  const onPointerMove = useCallback((event) => {
    pointer.current = { x: event.clientX, y: event.clientY };
  }, []);
  const onPointerLeave = useCallback(() => {
    pointer.current = null;
  }, []);
  const onPointerDownCapture = useCallback((event) => {
    // Focus the canvas so Delete and the shortcuts reach it (a node or button then takes focus itself).
    if (!isEditable(event.target)) wrapperRef.current?.focus({ preventScroll: true });
  }, []);

  /* actions (toolbar and keyboard) */
  const actions = useMemo(() => {
    const selection = () => ({
      nodes: selectedIds(latest.current.nodes),
      edges: selectedIds(latest.current.edges),
    });
    return {
      undo: () => {
        if (latest.current.readOnly) return false;
        emit({ op: "undo" });
        return true;
      },
      redo: () => {
        if (latest.current.readOnly) return false;
        emit({ op: "redo" });
        return true;
      },
      layout: () => {
        if (latest.current.readOnly) return;
        fitAfterReplace.current = true;
        emit({ op: "layout" });
      },
      fit: () => flow.fitView({ ...FIT_OPTIONS, duration: 250 }),
      remove: () => {
        const { nodes: n, edges: e } = selection();
        if (latest.current.readOnly || (!n.length && !e.length)) return false;
        emit({ op: "delete", nodes: n, edges: e });
        return true;
      },
      duplicate: () => {
        const { nodes: n } = selection();
        if (latest.current.readOnly || !n.length) return false;
        emit({ op: "duplicate", nodes: n });
        return true;
      },
      copy: () => {
        const { nodes: n } = selection();
        if (!n.length) return false;
        emit({ op: "copy", nodes: n });
        return true;
      },
      paste: () => {
        if (latest.current.readOnly) return false;
        const at = pointer.current ? round(flow.screenToFlowPosition(pointer.current)) : null;
        emit({ op: "paste", position: at });
        return true;
      },
      selectAll: () => {
        setNodes((ns) => ns.map((n) => (n.selected ? n : { ...n, selected: true })));
        return true;
      },
      clearSelection: () => {
        setNodes((ns) => ns.map((n) => (n.selected ? { ...n, selected: false } : n)));
        setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e)));
        return true;
      },
    };
  }, [emit, flow, setNodes, setEdges]);

  useEffect(() => {
    const onKeyDown = (event) => {
      if (event.defaultPrevented || event.isComposing) return;
      const wrapper = wrapperRef.current;
      const active = document.activeElement;
      if (!wrapper || isEditable(active)) return;
      const inCanvas = wrapper.contains(active);
      if (!inCanvas) {
        // Shortcuts also work with nothing focused or from the palette, never from
        // another canvas, a dialog, or (for Delete and select-all) elsewhere on the page.
        if (active?.closest?.(".oc-canvas, [role='dialog'], [role='alertdialog']")) return;
        if (latest.current.readOnly) return;
      }
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      let handled = false;
      if (!mod && !event.altKey) {
        if (!inCanvas) return;
        if (key === "Delete" || key === "Backspace") handled = actions.remove();
        else if (key === "Escape") handled = actions.clearSelection();
      } else if (mod && !event.altKey) {
        if (key === "z" && !event.shiftKey) handled = actions.undo();
        else if ((key === "z" && event.shiftKey) || (key === "y" && !event.shiftKey)) handled = actions.redo();
        else if (key === "d") handled = actions.duplicate();
        else if (key === "c") {
          const text = window.getSelection?.()?.toString();
          handled = !text && actions.copy();
        } else if (key === "v") handled = actions.paste();
        else if (key === "a" && inCanvas) handled = actions.selectAll();
      }
      if (handled) event.preventDefault();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [actions]);

  const nodeSelection = useMemo(() => selectedIds(nodes), [nodes]);
  const edgeSelection = useMemo(() => selectedIds(edges), [edges]);
  const minimapColor = useCallback((node) => `var(--${(KINDS[node.type] || KINDS.agent).color}-9)`, []);

  return (
    <div
      ref={wrapperRef}
      id={id}
      className={cx("oc-canvas", readOnly && "oc-read-only", className)}
      style={style}
      tabIndex={0}
      role="region"
      aria-label="Graph canvas"
      aria-roledescription="graph editor"
      data-testid="graph-canvas"
      data-revision={revision}
      data-node-count={nodes.length}
      data-edge-count={edges.length}
      data-selected={nodeSelection.join(",")}
      data-selected-edges={edgeSelection.join(",")}
      data-read-only={readOnly ? "true" : "false"}
      data-running={runningId}
      onPointerMove={onPointerMove}
      onPointerLeave={onPointerLeave}
      onPointerDownCapture={onPointerDownCapture}
      {...rest}
    >
      {runningId && (
        <style>{`.react-flow__node[data-id="${String(runningId).replace(/["\\]/g, "\\$&")}"] .oc-node {
          outline: 3px solid var(--blue-9); outline-offset: 2px;
          animation: oc-running 1.2s ease-in-out infinite; }
          @keyframes oc-running { 50% { outline-color: var(--blue-5); } }`}</style>
      )}
      <ReactFlow
        nodes={nodes}
        edges={edges}
        colorMode={colorMode}
        nodeTypes={NODE_TYPES}
        onNodesChange={handleNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStart={onNodeDragStart}
        onNodeDragStop={onNodeDragStop}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onSelectionChange={onSelectionChange}
        onSelectionStart={onSelectionStart}
        onSelectionEnd={onSelectionEnd}
        onDragOver={onDragOver}
        onDrop={onDrop}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        elementsSelectable
        edgesReconnectable={false}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={MULTI_SELECTION_KEYS}
        selectionMode={SelectionMode.Partial}
        onlyRenderVisibleElements
        fitView
        fitViewOptions={FIT_OPTIONS}
        minZoom={0.1}
        maxZoom={2}
        defaultEdgeOptions={DEFAULT_EDGE_OPTIONS}
        attributionPosition="bottom-center"
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.4} />
        <Controls showInteractive={false} position="bottom-left" />
        <MiniMap
          position="bottom-right"
          pannable
          zoomable
          nodeColor={minimapColor}
          style={MINIMAP_STYLE}
          nodeStrokeWidth={0}
          nodeBorderRadius={6}
          ariaLabel="Minimap"
        />
        {!readOnly && (
          <Panel position="top-left">
            <CanvasToolbar
              actions={actions}
              hasSelection={{ nodes: nodeSelection.length > 0, edges: edgeSelection.length > 0 }}
              canUndo={canUndo}
              canRedo={canRedo}
            />
          </Panel>
        )}
        {nodes.length === 0 && (
          <div className="oc-empty" data-testid="canvas-empty">
            <MousePointerClick size={22} strokeWidth={1.8} aria-hidden="true" />
            <span className="oc-empty-title">{readOnly ? "This version has no nodes" : "Start your graph"}</span>
            {!readOnly && (
              <span className="oc-empty-hint">Drag a node here from the palette, or focus one and press Enter.</span>
            )}
          </div>
        )}
      </ReactFlow>
    </div>
  );
}

/** The canvas: React Flow with Orchestrall's nodes, toolbar and shortcuts. */
export function GraphCanvas(props) {
  useCanvasStyles();
  return (
    <ReactFlowProvider>
      <CanvasFlow {...props} />
    </ReactFlowProvider>
  );
}

/* ---------------------------------------------------------------- palette */

function PaletteTile({ kind, disabled }) {
  const meta = KINDS[kind];
  const Icon = meta.icon;
  const add = () => {
    if (!disabled) window.dispatchEvent(new CustomEvent(ADD_NODE_EVENT, { detail: { kind } }));
  };
  return (
    <div
      role="button"
      tabIndex={disabled ? -1 : 0}
      aria-disabled={disabled ? "true" : undefined}
      aria-label={`${meta.label}: ${meta.description}`}
      aria-description="Drag onto the canvas, or press Enter to add it in the middle"
      title="Drag onto the canvas, or click to add it in the middle"
      draggable={!disabled}
      className={cx("oc-tile", disabled && "oc-tile-disabled")}
      style={accentStyle(meta.color)}
      data-testid={`palette-${kind}`}
      data-kind={kind}
      onDragStart={(event) => {
        if (disabled) return event.preventDefault();
        event.dataTransfer.setData(KIND_MIME, kind);
        event.dataTransfer.effectAllowed = "copy";
      }}
      onClick={add}
      onKeyDown={(event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          add();
        }
      }}
    >
      <span className="oc-tile-icon" aria-hidden="true">
        <Icon size={16} strokeWidth={2} />
      </span>
      <span className="oc-tile-text">
        <span className="oc-tile-name">{meta.label}</span>
        <span className="oc-tile-desc">{meta.description}</span>
      </span>
    </div>
  );
}

/** The seven node kinds as draggable, keyboard-reachable tiles. */
export function NodePalette({ readOnly = false, className, style, id, ...rest }) {
  useCanvasStyles();
  return (
    <div
      id={id}
      className={cx("oc-palette", className)}
      style={style}
      role="group"
      aria-label="Add a node"
      data-testid="node-palette"
      {...rest}
    >
      {KIND_ORDER.map((kind) => (
        <PaletteTile key={kind} kind={kind} disabled={readOnly} />
      ))}
    </div>
  );
}

/* ----------------------------------------------------------------- styles */

const STYLE_ID = "orchestrall-canvas-styles";
const CSS = `
.oc-canvas { position: relative; width: 100%; height: 100%; min-height: 240px; outline: none;
  background: var(--gray-2); font-family: var(--default-font-family); }
.oc-canvas:focus-visible { box-shadow: inset 0 0 0 2px var(--accent-8); }
.oc-canvas .react-flow {
  --xy-background-color: var(--gray-2);
  --xy-background-pattern-color: var(--gray-a7);
  --xy-edge-stroke: var(--gray-8);
  --xy-edge-stroke-width: 1.6;
  --xy-edge-stroke-selected: var(--accent-9);
  --xy-connectionline-stroke: var(--accent-9);
  --xy-connectionline-stroke-width: 2;
  --xy-edge-label-background-color: var(--color-panel-solid);
  --xy-edge-label-color: var(--gray-11);
  --xy-minimap-background-color: var(--color-panel-solid);
  --xy-minimap-mask-background-color: var(--gray-a3);
  --xy-minimap-mask-stroke-color: var(--accent-8);
  --xy-minimap-mask-stroke-width: 1;
  --xy-controls-button-background-color: var(--color-panel-solid);
  --xy-controls-button-background-color-hover: var(--gray-3);
  --xy-controls-button-color: var(--gray-12);
  --xy-controls-button-color-hover: var(--gray-12);
  --xy-controls-button-border-color: var(--gray-a5);
  --xy-controls-box-shadow: var(--shadow-2);
  --xy-selection-background-color: var(--accent-a3);
  --xy-selection-border: 1px dashed var(--accent-8);
  --xy-handle-background-color: var(--color-panel-solid);
  --xy-handle-border-color: var(--gray-8);
  --xy-attribution-background-color: transparent;
}
.oc-canvas .react-flow__controls { border-radius: var(--radius-3); overflow: hidden; }
.oc-canvas .react-flow__minimap { border-radius: var(--radius-3); box-shadow: var(--shadow-2); overflow: hidden; }
.oc-canvas .react-flow__attribution { opacity: .55; font-size: 9px; }
.oc-canvas .react-flow__arrowhead polyline { stroke: var(--gray-8) !important; fill: var(--gray-8) !important; }
.oc-canvas .react-flow__edge.selected .react-flow__edge-path { stroke-width: 2.4; }
.oc-canvas .react-flow__edge-text { font-size: 11px; font-weight: 500; }
.oc-canvas .react-flow__edge-textbg { stroke: var(--gray-a5); stroke-width: 1; }
.oc-canvas .react-flow__node { border-radius: var(--radius-3); }
/* React Flow styles its built-in input/output types; ours share those names. */
.oc-canvas .react-flow__node-input, .oc-canvas .react-flow__node-output { padding: 0; width: auto; border: 0;
  background: transparent; color: inherit; font-size: inherit; text-align: left; box-shadow: none !important; }
.oc-canvas .react-flow__node:focus-visible { outline: 2px solid var(--accent-8); outline-offset: 2px; }

.oc-node { position: relative; width: ${NODE_WIDTH}px; box-sizing: border-box; background: var(--color-panel-solid);
  border: 1px solid var(--gray-a6); border-radius: var(--radius-3); box-shadow: var(--shadow-2);
  color: var(--gray-12); font-size: 13px; line-height: 1.3; }
.oc-node::before { content: ""; position: absolute; left: -1px; top: -1px; bottom: -1px; width: 4px;
  background: var(--oc-accent); border-radius: var(--radius-3) 0 0 var(--radius-3); }
.oc-node:hover { border-color: var(--gray-a8); }
.oc-node.oc-selected { border-color: var(--accent-9); box-shadow: 0 0 0 2px var(--accent-a6), var(--shadow-3); }
.oc-node.oc-has-problems { border-color: var(--red-a8); }
.oc-node.oc-has-problems.oc-selected { border-color: var(--accent-9); }
.oc-node-head { display: flex; align-items: center; gap: 10px; padding: 10px 12px 10px 14px; }
.oc-node-icon { flex: none; display: inline-flex; align-items: center; justify-content: center; width: 30px; height: 30px;
  border-radius: var(--radius-2); background: var(--oc-accent-soft); color: var(--oc-accent-text); }
.oc-node-titles { display: flex; flex-direction: column; min-width: 0; flex: 1; }
.oc-node-label { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.oc-node-subtitle { font-size: 11.5px; color: var(--gray-11); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.oc-node-problems { flex: none; display: inline-flex; align-items: center; gap: 3px; padding: 2px 7px; border-radius: 999px;
  background: var(--red-9); color: var(--red-contrast, white); font-size: 11px; font-weight: 600; cursor: help; }
.oc-node-tools { display: flex; flex-wrap: wrap; gap: 4px; padding: 0 12px 10px 14px; }
.oc-chip { max-width: 100%; padding: 1px 7px; border-radius: 999px; background: var(--gray-a3); color: var(--gray-11);
  border: 1px solid var(--gray-a4); font-size: 11px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.oc-chip-more { color: var(--gray-10); }
.oc-node-routes { border-top: 1px solid var(--gray-a4); padding: 4px 0; }
.oc-route { position: relative; display: flex; justify-content: flex-end; padding: 3px 14px 3px 14px; }
.oc-route-name { font-size: 11.5px; font-weight: 500; color: var(--oc-accent-text); overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
.oc-canvas .oc-handle { width: 10px; height: 10px; border-width: 2px; border-color: var(--gray-8);
  background: var(--color-panel-solid); }
.oc-canvas .oc-handle-out { border-color: var(--oc-accent); }
.oc-canvas .oc-handle.connectingto, .oc-canvas .oc-handle:hover { background: var(--accent-9); border-color: var(--accent-9); }
.oc-canvas .oc-read-only .oc-handle, .oc-read-only .oc-handle { cursor: default; }

.oc-toolbar { display: flex; align-items: center; gap: 2px; padding: 4px; background: var(--color-panel-solid);
  border: 1px solid var(--gray-a5); border-radius: var(--radius-3); box-shadow: var(--shadow-2); }
.oc-tool { display: inline-flex; align-items: center; justify-content: center; width: 30px; height: 30px; padding: 0;
  border: 0; border-radius: var(--radius-2); background: transparent; color: var(--gray-11); cursor: pointer; }
.oc-tool:hover:not(:disabled) { background: var(--accent-a3); color: var(--accent-11); }
.oc-tool-danger:hover:not(:disabled) { background: var(--red-a3); color: var(--red-11); }
.oc-tool:focus-visible { outline: 2px solid var(--accent-8); outline-offset: 1px; }
.oc-tool:disabled { color: var(--gray-a7); cursor: default; }
.oc-tool-sep { width: 1px; height: 18px; margin: 0 3px; background: var(--gray-a5); }

.oc-empty { position: absolute; inset: 0; display: flex; flex-direction: column; align-items: center; justify-content: center;
  gap: 6px; pointer-events: none; color: var(--gray-10); z-index: 4; }
.oc-empty-title { font-size: 15px; font-weight: 600; color: var(--gray-11); }
.oc-empty-hint { font-size: 13px; }

.oc-palette { display: flex; flex-direction: column; gap: 6px; min-width: 0; }
.oc-tile { display: flex; align-items: center; gap: 10px; padding: 7px 10px 7px 8px; border-radius: var(--radius-3);
  border: 1px solid var(--gray-a5); background: var(--color-panel-solid); cursor: grab; user-select: none;
  transition: border-color .12s, box-shadow .12s, background-color .12s; }
.oc-tile:hover { border-color: var(--oc-accent); box-shadow: var(--shadow-2); }
.oc-tile:active { cursor: grabbing; }
.oc-tile:focus-visible { outline: 2px solid var(--accent-8); outline-offset: 1px; }
.oc-tile-disabled { opacity: .5; cursor: not-allowed; }
.oc-tile-icon { flex: none; display: inline-flex; align-items: center; justify-content: center; width: 30px; height: 30px;
  border-radius: var(--radius-2); background: var(--oc-accent-soft); color: var(--oc-accent-text); }
.oc-tile-text { display: flex; flex-direction: column; min-width: 0; flex: 1; }
.oc-tile-name { font-size: 13px; font-weight: 600; color: var(--gray-12); }
.oc-tile-desc { font-size: 11.5px; line-height: 1.3; color: var(--gray-11); overflow: hidden;
  display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; }
`;

function useCanvasStyles() {
  // Injected once (and refreshed on hot reload) rather than shipped as a separate asset.
  useState(() => {
    if (typeof document === "undefined") return null;
    let element = document.getElementById(STYLE_ID);
    if (!element) {
      element = document.createElement("style");
      element.id = STYLE_ID;
      document.head.appendChild(element);
    }
    if (element.textContent !== CSS) element.textContent = CSS;
    return null;
  });
}
