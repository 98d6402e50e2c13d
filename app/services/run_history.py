"""Run history: the stored runs as plain rows, and one run told in full.

    rows = list_runs(graph_id=None, status="failed")   # newest first; RunRow values
    detail = run_detail(run_id)                         # RunDetail: trace, totals, chart, canvas

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
    "RunDetail",
    "RunRow",
    "list_runs",
    "run_detail",
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
    )


# ------------------------------------------------------------ helpers ---


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
            if isinstance(value.get(key), str):
                return value[key]
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
