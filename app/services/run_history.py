"""Run history: the stored runs as plain rows, and one run told in full.

    rows = list_runs(graph_id=None, status="failed")   # newest first; RunRow values
    detail = run_detail(run_id)                         # RunDetail: trace, totals, chart, canvas
    both = compare_runs(run_a, run_b)                   # RunComparison: two sides, matched steps
    points = run_series(graph_id)                       # finished runs, oldest first, for a chart

Rows and details are plain values for page states; the trace comes from
``app.services.runs.replay`` (the run's stored events) and the canvas is the
builder's view of the exact graph version the run ran.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from agent_runtime.errors import OrchestrallError
from app.services import builder
from app.services.graphs import get_store
from app.services.runs import PREVIEW_CHARS, TraceRow, replay

__all__ = [
    "ALL_STATUSES",
    "STATUS_FILTERS",
    "RunComparison",
    "RunDetail",
    "RunRow",
    "RunSide",
    "StepPair",
    "compare_runs",
    "list_runs",
    "run_detail",
    "run_series",
]

ALL_STATUSES = "all"
STATUS_FILTERS = (
    ALL_STATUSES,
    "queued",
    "running",
    "interrupted",
    "succeeded",
    "failed",
    "cancelled",
)
DELETED_GRAPH = "(deleted graph)"
LIST_LIMIT = 200
SERIES_LIMIT = 100
MISSING = "—"  # a step one of two compared runs did not take


@dataclasses.dataclass
class RunRow:
    """One run as the history list shows it."""

    id: str
    graph_id: str
    graph_name: str
    graph_version: int
    status: str
    started: str  # "2024-05-01 12:30:05" (UTC), "" before it started
    duration: str  # "1.2 s", "" while it has not finished
    tokens: int
    cost: str  # "$0.0012", "—" when a price is unknown
    input_preview: str
    output_preview: str


@dataclasses.dataclass
class RunDetail:
    """One run: its row, the full input/output/error, the trace, the chart and the canvas."""

    row: RunRow
    thread_id: str
    input: str
    output: str
    error: str
    error_detail: str
    steps: int
    trace: list[TraceRow]
    chart: list[dict[str, Any]]  # per node: {"node", "tokens", "duration_ms"}
    canvas: dict[str, list[dict[str, Any]]]
    ended: bool
    waiting_mode: str = ""  # approval | input while the run waits for a person
    waiting_prompt: str = ""
    waiting_proposal: str = ""


def list_runs(
    graph_id: str | None = None, status: str | None = None, limit: int = LIST_LIMIT
) -> list[RunRow]:
    """Runs, newest first, of every graph or of ``graph_id``, in any status or ``status``.

    ``status`` ``"all"`` (or None/"") means no filter; an unknown status raises
    ``OrchestrallError`` (code ``bad_filter``).
    """
    store = get_store()
    status = None if status in (None, "", ALL_STATUSES) else status
    if status is not None and status not in STATUS_FILTERS:
        raise OrchestrallError(f"Unknown run status {status!r}.", code="bad_filter")
    records = store.list_runs(graph_id=graph_id or None, status=status, limit=limit)
    names = {g.id: g.name for g in store.list_graphs()}
    return [_row(r, names.get(r.graph_id, DELETED_GRAPH)) for r in records]


def run_detail(run_id: str) -> RunDetail:
    """The run ``run_id`` in full; ``NotFoundError`` (an ``OrchestrallError``) if unknown."""
    store = get_store()
    record = store.get_run(run_id)
    try:
        name = store.get_graph(record.graph_id).name
    except OrchestrallError:
        name = DELETED_GRAPH
    view = replay(run_id)
    try:
        canvas = builder.version_preview(record.graph_id, record.graph_version)
    except OrchestrallError:
        canvas = {"nodes": [], "edges": []}
    error = record.error or {}
    trace = [TraceRow(**vars(row)) for row in view.trace]
    return RunDetail(
        row=_row(record, name),
        thread_id=record.thread_id,
        input=_text(record.input),
        output=_text(record.output) or view.answer,
        error=view.error or (error.get("message", "") if error else ""),
        error_detail=view.error_detail
        or (f"{error.get('code', '')}: {error.get('message', '')}" if error else ""),
        steps=record.totals.steps,
        trace=trace,
        chart=[
            {"node": r.label or r.node_id, "tokens": r.tokens, "duration_ms": r.duration_ms}
            for r in trace
        ],
        canvas=canvas,
        ended=record.status.is_terminal,
        waiting_mode=view.waiting_mode if record.status.value == "interrupted" else "",
        waiting_prompt=view.waiting_prompt,
        waiting_proposal=view.waiting_proposal,
    )


@dataclasses.dataclass
class RunSide:
    """One of two compared runs: its row, full input and output, and its error if it failed."""

    row: RunRow
    input: str
    output: str
    error: str
    error_detail: str


@dataclasses.dataclass
class StepPair:
    """One node's steps in two runs, ready to show: ``MISSING`` where a run did not take it.

    A node that ran more than once in a run counts its summed time and tokens, and its
    label says how often ("Writer (ran 2 times)", "Writer (ran 1 / 2 times)").
    ``diff_ms`` is B - A ("+12", "-3", "0"); ``trend`` is "slower", "faster", "same" or "".
    """

    node_id: str
    label: str
    a_ms: str
    b_ms: str
    diff_ms: str
    a_tokens: str
    b_tokens: str
    trend: str


@dataclasses.dataclass
class RunComparison:
    """Two runs side by side and their steps matched by node id.

    Steps follow A's order; a node only B ran comes after the node it followed in B.
    """

    a: RunSide
    b: RunSide
    steps: list[StepPair]


def compare_runs(run_a: str, run_b: str) -> RunComparison:
    """Runs ``run_a`` and ``run_b`` side by side; ``NotFoundError`` if either is unknown."""
    a, b = run_detail(run_a), run_detail(run_b)
    a_steps, b_steps = _per_node(a.trace), _per_node(b.trace)
    order = _merged(list(a_steps), list(b_steps))
    return RunComparison(
        a=_side(a), b=_side(b), steps=[_pair(n, a_steps.get(n), b_steps.get(n)) for n in order]
    )


def run_series(graph_id: str, limit: int = SERIES_LIMIT) -> list[dict[str, Any]]:
    """The newest ``limit`` finished runs of ``graph_id``, oldest first, as chart points.

    Each point: ``{"run", "started", "tokens", "duration_ms"}`` with ``started`` as
    "05-01 12:30:05" (UTC). Runs still going (or waiting for a person) have no
    duration yet and are left out.
    """
    records = get_store().list_runs(graph_id=graph_id, limit=limit)
    points = []
    for record in reversed(records):
        start = record.started_at or record.created_at
        if record.finished_at is None or start is None:
            continue
        ms = max(0.0, (record.finished_at - start).total_seconds() * 1000)
        points.append(
            {
                "run": record.id,
                "started": start.strftime("%m-%d %H:%M:%S"),
                "tokens": record.totals.tokens,
                "duration_ms": round(ms),
            }
        )
    return points


# ------------------------------------------------------------ helpers ---


@dataclasses.dataclass
class _NodeSteps:
    label: str
    visits: int = 0
    duration_ms: int = 0
    tokens: int = 0


def _per_node(trace: list[TraceRow]) -> dict[str, _NodeSteps]:
    """A trace's steps summed per node id, in the order nodes first ran."""
    nodes: dict[str, _NodeSteps] = {}
    for row in trace:
        node = nodes.setdefault(row.node_id, _NodeSteps(row.label or row.node_id))
        node.visits += 1
        node.duration_ms += row.duration_ms
        node.tokens += row.tokens
    return nodes


def _merged(first: list[str], second: list[str]) -> list[str]:
    """``first``, with the ids only ``second`` has placed where ``second`` has them.

    Such an id goes after the shared id it follows in ``second``; before any shared id,
    it goes before the first one; when nothing is shared, after all of ``first``.
    """
    order, pending = list(first), []
    at: int | None = None  # where the next id only ``second`` has goes, once known
    for node in second:
        if node in first:
            at = order.index(node)
            order[at:at] = pending
            at += len(pending) + 1
            pending = []
        elif at is None:
            pending.append(node)
        else:
            order.insert(at, node)
            at += 1
    return order + pending


def _pair(node_id: str, a: _NodeSteps | None, b: _NodeSteps | None) -> StepPair:
    either = a or b
    label = either.label if either else node_id
    visits = [n.visits for n in (a, b) if n is not None]
    if max(visits) > 1:
        label += f" (ran {' / '.join(dict.fromkeys(map(str, visits)))} times)"
    diff, trend = MISSING, ""
    if a is not None and b is not None:
        delta = b.duration_ms - a.duration_ms
        diff = f"{delta:+d}" if delta else "0"
        trend = "slower" if delta > 0 else "faster" if delta < 0 else "same"
    return StepPair(
        node_id=node_id,
        label=label,
        a_ms=str(a.duration_ms) if a else MISSING,
        b_ms=str(b.duration_ms) if b else MISSING,
        diff_ms=diff,
        a_tokens=str(a.tokens) if a else MISSING,
        b_tokens=str(b.tokens) if b else MISSING,
        trend=trend,
    )


def _side(detail: RunDetail) -> RunSide:
    return RunSide(
        row=detail.row,
        input=detail.input,
        output=detail.output,
        error=detail.error,
        error_detail=detail.error_detail,
    )


def _row(record: Any, graph_name: str) -> RunRow:
    totals = record.totals
    return RunRow(
        id=record.id,
        graph_id=record.graph_id,
        graph_name=graph_name,
        graph_version=record.graph_version,
        status=str(record.status.value),
        started=_when(record.started_at or record.created_at),
        duration=_duration(record.started_at or record.created_at, record.finished_at),
        tokens=totals.tokens,
        cost="—" if totals.cost is None else f"${totals.cost:.4f}",
        input_preview=_preview(_text(record.input)),
        output_preview=_preview(_text(record.output)),
    )


def _text(value: Any) -> str:
    """A run's input or output as text: its message, or the value itself."""
    if value is None:
        return ""
    if isinstance(value, dict):
        for key in ("message", "output", "answer", "text"):
            if isinstance(value.get(key), str) and len(value) == 1:
                return value[key]
        return "\n".join(f"{key}: {_field_text(item)}" for key, item in value.items())
    return value if isinstance(value, str) else str(value)


def _field_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value if isinstance(value, str) else str(value)


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _duration(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return ""
    seconds = max(0.0, (end - start).total_seconds())
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"
