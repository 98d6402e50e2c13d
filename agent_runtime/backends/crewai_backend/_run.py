"""One run on the CrewAI backend: its state, its event sink, and the life of each node.

CrewAI calls models and tools from worker threads (its agent executor runs
its steps with ``asyncio.to_thread``), so events reach the run through a
``Sink`` that is safe to use from any thread, and every count against the
run's limits happens under one lock. A run that has ended (finished, failed
or cancelled) is *closed*: late work from a worker thread still finishing a
model call is dropped, and anything about to start refuses to.

The state mirrors the LangGraph backend's (``langgraph_backend/_state.py``):
what each node passed on with its step (``outputs``, read by joins), the
routes taken, values such as retrieved memories, and the thread's history.
It is plain JSON so a run waiting for a person can be stored and resumed.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from agent_runtime.backends._events import node_finished, node_started
from agent_runtime.backends._steps import received_by_join
from agent_runtime.backends._usage import Usage
from agent_runtime.compiler import IRGraph, IRNode
from agent_runtime.errors import RunCancelledError
from agent_runtime.execution import BackendServices, RunControl, RunRequest

__all__ = ["DONE", "NodeCall", "Run", "RunState", "Sink"]

DONE = object()
"""Put in a run's sink after its last event."""


@dataclass
class NodeCall:
    """One execution of a node: its step, when its work began, what it used."""

    node: IRNode
    step: int
    started: float = field(default_factory=time.perf_counter)
    usage: Usage = field(default_factory=Usage)


@dataclass
class RunState:
    """What a run knows between nodes (JSON, so a waiting run can be stored)."""

    input: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, list[Any]] = field(default_factory=dict)
    """Node id → ``[step, text it passed on]``."""
    routes: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    """``state.<key>`` values: ``retrieved`` and ``retrieved_scores`` of memory steps."""
    last: list[Any] = field(default_factory=lambda: [0, ""])
    history: list[list[str]] = field(default_factory=list)
    """The thread's turns as ``[role, text]``, this run's input included."""
    waiting: dict[str, Any] | None = None
    """The human step the run waits at: node, step, proposal."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunState:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class Sink:
    """The run's events in order, put from the event loop or from any worker thread."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.closed = False
        self._thread = threading.get_ident()

    async def next(self) -> Any:
        """The next item, for the run's consumer; the wait is always a suspension point,
        so the runtime's deadline and cancel reach the consumer even when events are
        already queued."""
        await asyncio.sleep(0)
        return await self.queue.get()

    def taken(self) -> None:
        """The consumer is done with the item it took (see ``caught_up``)."""
        self.queue.task_done()

    async def caught_up(self) -> None:
        """Wait until the consumer has taken every event so far.

        Nodes start only then, so the work keeps pace with whoever reads the run (a
        slow reader slows the run down, as on every backend) instead of racing ahead.
        """
        await self.queue.join()

    def on_loop_thread(self) -> bool:
        return threading.get_ident() == self._thread

    def put(self, item: Any) -> None:
        if self.closed:
            return
        if self.on_loop_thread():
            self.queue.put_nowait(item)
            return
        with contextlib.suppress(RuntimeError):  # RuntimeError: the loop is gone, the run too
            self.loop.call_soon_threadsafe(self.queue.put_nowait, item)


class Run:
    """A run (or resume) in progress: request, limits, services, state and events."""

    def __init__(
        self,
        graph: IRGraph,
        request: RunRequest,
        control: RunControl,
        services: BackendServices,
    ) -> None:
        self.graph, self.request, self.control, self.services = graph, request, control, services
        self.sink = Sink()
        self.state = RunState()
        self.lock = threading.Lock()
        self.output: str | None = None
        self.last_finished = ""
        self.started_fresh = False
        """The thread's history was loaded and this run's input added (not a resume)."""

    @property
    def closed(self) -> bool:
        return self.sink.closed

    def close(self) -> None:
        """The run is over: drop late events, refuse new work."""
        self.sink.closed = True

    def check_open(self, node_id: str | None = None) -> None:
        if self.closed or self.control.cancelled:
            raise RunCancelledError("The run was cancelled.", node_id=node_id)

    def count_tokens(
        self, node_id: str, usage: Usage, prompt: int, completion: int, cost: float | None
    ) -> None:
        """One model call's tokens: the node's, then the run's (raises over max_tokens)."""
        with self.lock:
            self.check_open(node_id)
            usage.add(prompt, completion, cost)
            self.control.add_tokens(node_id, prompt, completion, cost)

    # -- what nodes receive --------------------------------------------------

    def received(self, node: IRNode) -> str:
        """The text ``node`` works on: its predecessor's output, or a join's fresh inputs.

        Like the LangGraph backend, a node with several predecessors (a join, or a
        node a loop comes back to) gets what they passed on since it last ran, in
        edge order: a revise loop sees the feedback, not the first draft again.
        """
        outputs = self.state.outputs
        joined = received_by_join(node, outputs, self.state.routes)
        if joined is not None:
            return joined
        if len(node.predecessors) == 1 and node.predecessors[0] in outputs:
            return str(outputs[node.predecessors[0]][1])
        return str(self.state.last[1])

    def scope(self, received: str) -> dict[str, Any]:
        """What router conditions and templates read: last_output, input.*, state.*."""
        return {"last_output": received, "inputs": self.state.input, "state": self.state.values}

    # -- node life -------------------------------------------------------------

    def begin(self, node: IRNode, received: str) -> NodeCall:
        """Count the step (limits, cancel) and announce the node."""
        with self.lock:
            self.check_open(node.id)
            step = self.control.begin_step(node.id)
        self.sink.put(node_started(node, step, received))
        return NodeCall(node, step)

    def finish(self, call: NodeCall, output: str, passed_on: str | None = None) -> None:
        """Report the node's output and record what it passes on."""
        node = call.node
        flow = output if passed_on is None else passed_on
        self.sink.put(node_finished(node.id, output, call.started, call.usage))
        self.state.outputs[node.id] = [call.step, flow]
        self.state.last = [call.step, flow]
        self.last_finished = output
        if node.kind == "output":
            self.output = output
