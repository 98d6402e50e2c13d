"""What a run looks like so far, built from its events: the answer, the trace, the human step.

    view = RunView()
    for event in events:
        view.apply(event)      # pure data: no store, no executor
    view.trace[0].input        # each step's input, output, tool calls, retrieved items,
                               # timing, tokens, cost

Pages copy the view into their state (``TraceRow.copy``); the view itself stays
with the task that follows the run.
"""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

__all__ = ["PREVIEW_CHARS", "RunView", "TraceRow", "plain_failure", "preview", "retrieved_line"]

PREVIEW_CHARS = 160
TOOL_TEXT_CHARS = 300

_FAILURES = {
    "limit_exceeded": "The run hit one of the graph's limits (steps, time or tokens).",
    "model_unavailable": "The model could not be reached. Check the model settings, "
    "or that the model server is running.",
    "model_timeout": "The model took too long to answer.",
    "model_error": "The model answered with an error.",
    "model_bad_response": "The model gave an answer that could not be used.",
    "model_auth": "The model refused the API key. Check the key in Settings.",
    "tool_error": "A tool the agent used failed.",
    "node_error": "A step of the graph failed.",
    "worker_lost": "The worker running this graph stopped before it finished.",
    "missing_secret": "A key the graph needs is not saved. Add it in Settings.",
}


def plain_failure(code: str) -> str:
    """A failure code in words a non-programmer understands."""
    return _FAILURES.get(code, "The run failed.")


def preview(text: str) -> str:
    """``text`` on one line, cut to ``PREVIEW_CHARS``."""
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def retrieved_line(hit: Any) -> str:
    """A retrieved item on one line: ``0.82  guide.md · text…`` (the file when it has one)."""
    source = hit.metadata.get("filename") or hit.metadata.get("source") or ""
    text = preview(hit.text)
    return f"{hit.score:.2f}  " + (f"{source} · {text}" if source else text)


def _clip(text: str, limit: int = TOOL_TEXT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dollars(cost: float) -> str:
    """``$0.00012``, ``$0`` (free), never a run of trailing zeros."""
    return "$" + (f"{cost:.6f}".rstrip("0").rstrip(".") or "0")


@dataclasses.dataclass
class TraceRow:
    """One node's step in a run, as the trace timeline shows it (and expands it)."""

    node_id: str
    kind: str = ""
    label: str = ""
    status: str = "running"  # running | done | failed | waiting | cancelled
    start: str = ""  # "+0.42 s" after the run started
    duration_ms: int = 0
    tokens: int = 0
    cost: str = ""  # "$0.000120", "" when unknown
    preview: str = ""
    tool_calls: int = 0
    input: str = ""
    output: str = ""
    tools: list[str] = dataclasses.field(default_factory=list)  # "calc {…} → 42"
    retrieved: list[str] = dataclasses.field(default_factory=list)  # "0.82  guide.md · text…"
    retrieved_count: int = 0  # items retrieved (a search that found nothing adds a line, not 1)
    error: str = ""  # in plain words
    error_detail: str = ""  # the code and the technical message

    def copy(self) -> TraceRow:
        """A copy sharing nothing mutable with this row."""
        return dataclasses.replace(self, tools=list(self.tools), retrieved=list(self.retrieved))


@dataclasses.dataclass
class RunView:
    """What a run looks like so far, built from its events (``apply``); pure data."""

    thread_id: str = ""
    answer: str = ""
    trace: list[TraceRow] = dataclasses.field(default_factory=list)
    running_id: str = ""
    status: str = "running"  # running | waiting | succeeded | failed | cancelled
    waiting_mode: str = ""
    waiting_prompt: str = ""
    waiting_proposal: str = ""
    error: str = ""
    error_detail: str = ""
    last_seq: int = 0
    steps: int = 0
    _began: float = 0.0  # unix time of run_started
    _started: dict[str, float] = dataclasses.field(default_factory=dict)
    _calls: dict[str, int] = dataclasses.field(default_factory=dict)  # call id → tools index
    _streamed: bool = False  # the answer so far is streamed tokens, not a final output

    def _row(self, node_id: str | None) -> TraceRow | None:
        for row in reversed(self.trace):
            if row.node_id == node_id:
                return row
        return None

    def apply(self, event: Any) -> None:
        """Take one more event of the run into the view."""
        self.last_seq = max(self.last_seq, event.seq)
        kind = event.type
        if self.status == "waiting" and kind not in ("interrupt", "run_cancelled"):
            self.resumed()
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(event, self._row(event.node_id))

    def _on_run_started(self, event: Any, _row: TraceRow | None) -> None:
        self.thread_id = event.thread_id
        self._began = self._began or event.at

    def _on_node_started(self, event: Any, _row: TraceRow | None) -> None:
        node_id = event.node_id or ""
        began = self._began or event.at
        self.trace.append(
            TraceRow(
                node_id,
                event.kind,
                event.label,
                start=f"+{max(0.0, event.at - began):.2f} s",
                input=getattr(event, "input", ""),
            )
        )
        self._started[node_id] = event.at
        self.running_id, self.status = node_id, "running"
        self.steps += 1

    def _on_token(self, event: Any, _row: TraceRow | None) -> None:
        if not self._streamed:
            self.answer, self._streamed = "", True
        self.answer += event.delta

    def _on_tool_called(self, event: Any, row: TraceRow | None) -> None:
        if row is None:
            return
        row.tool_calls += 1
        arguments = json.dumps(event.arguments, ensure_ascii=False, sort_keys=True)
        row.tools.append(f"{event.tool} {_clip(arguments)}")
        if event.call_id:
            self._calls[event.call_id] = len(row.tools) - 1

    def _on_tool_result(self, event: Any, row: TraceRow | None) -> None:
        if row is None:
            return
        arrow = "✗ failed:" if event.is_error else "→"
        index = self._calls.pop(event.call_id, None) if event.call_id else None
        result = f"{arrow} {_clip(event.result)}"
        if index is not None and index < len(row.tools):
            row.tools[index] += f" {result}"
        else:
            row.tools.append(f"{event.tool} {result}")

    def _on_memory_retrieved(self, event: Any, row: TraceRow | None) -> None:
        if row is None:
            return
        row.retrieved.extend(retrieved_line(hit) for hit in event.hits)
        row.retrieved_count += len(event.hits)
        if not event.hits:
            row.retrieved.append(f"nothing found in {event.memory} for “{preview(event.query)}”")

    def _on_node_finished(self, event: Any, row: TraceRow | None) -> None:
        if row is None:
            return
        row.status = "done"
        started = self._started.pop(row.node_id, None)
        ms = event.latency_ms or ((event.at - started) * 1000 if started else 0)
        row.duration_ms = round(ms)
        row.tokens = event.prompt_tokens + event.completion_tokens
        row.cost = "" if event.cost is None else _dollars(event.cost)
        row.output, row.preview = event.output, preview(event.output)
        self.running_id = ""

    def _on_interrupt(self, event: Any, row: TraceRow | None) -> None:
        self.status, self.running_id = "waiting", ""
        self.waiting_mode, self.waiting_prompt = event.mode, event.prompt
        self.waiting_proposal = event.proposal
        if row is not None:
            row.status = "waiting"

    def _on_run_finished(self, event: Any, _row: TraceRow | None) -> None:
        self.status, self.running_id = "succeeded", ""
        self.answer, self._streamed = event.output, False

    def _on_run_failed(self, event: Any, row: TraceRow | None) -> None:
        self.status, self.running_id = "failed", ""
        self.error = plain_failure(event.code)
        self.error_detail = f"{event.code}: {event.message}"
        failed = [r for r in self.trace if r.status == "running"]
        if row is not None and row not in failed:
            failed.append(row)
        for step in failed:
            step.status, step.error, step.error_detail = "failed", self.error, self.error_detail
            self._finish_timing(step, event.at)

    def _on_run_cancelled(self, event: Any, _row: TraceRow | None) -> None:
        self.status, self.running_id = "cancelled", ""
        self.waiting_mode = self.waiting_prompt = self.waiting_proposal = ""
        for stopped in self.trace:
            if stopped.status in ("running", "waiting"):
                stopped.status, stopped.error = "cancelled", "Cancelled."
                self._finish_timing(stopped, event.at)

    def _finish_timing(self, row: TraceRow, at: float) -> None:
        started = self._started.pop(row.node_id, None)
        if started is not None and not row.duration_ms:
            row.duration_ms = round(max(0.0, at - started) * 1000)

    def resumed(self) -> None:
        """The person answered: the waiting step is done, the run goes on."""
        for row in self.trace:
            if row.status == "waiting":
                row.status = "done"
        self.status = "running"
        self.waiting_mode = self.waiting_prompt = self.waiting_proposal = ""

    @property
    def ended(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")

    @property
    def elapsed(self) -> float:
        """Seconds since the run started (0 before it did)."""
        return max(0.0, time.time() - self._began) if self._began else 0.0
