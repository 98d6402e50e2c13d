"""One run's state, and the scope every participant of the run's team shares.

``RunState`` has the same meaning as the LangGraph backend's graph state, so
every node receives the same text on both backends:

- ``outputs``: node id → ``(step, text)``, what each node passed on. A node with
  one predecessor receives that predecessor's text; a join (several
  predecessors: parallel branches, or where a loop comes back) receives what its
  predecessors produced since it last ran, joined in edge order.
- ``values`` (the spec's ``state.<key>``: memory results), ``routes`` (each
  router's or approval's choice) and ``output`` start empty every run.
- ``history``: the thread's conversation as ``[role, text]`` pairs, kept in the
  store's ``thread_state`` between runs (see ``_backend``).

It is plain data (``to_json``/``from_json``): a run waiting for a person keeps it
in the thread state, so a new process can resume it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from autogen_core import CancellationToken

from agent_runtime.backends._steps import received_by_join
from agent_runtime.compiler import IRNode
from agent_runtime.errors import OrchestrallError
from agent_runtime.execution import BackendServices, RunControl, RunRequest


@dataclass
class RunState:
    """What the nodes of one run passed on, chose and remembered."""

    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, tuple[int, str]] = field(default_factory=dict)
    last: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    routes: dict[str, str] = field(default_factory=dict)
    history: list[list[str]] = field(default_factory=list)
    output: str | None = None

    def received(self, node: IRNode) -> str:
        """The text ``node`` receives now (see the module docstring)."""
        joined = received_by_join(node, self.outputs, self.routes)
        if joined is not None:
            return joined
        preds = node.predecessors
        if len(preds) == 1 and preds[0] in self.outputs:
            return self.outputs[preds[0]][1]
        return self.last

    def passed_on(self, node_id: str, step: int, text: str) -> None:
        self.outputs[node_id] = (step, text)
        self.last = text

    def scope(self, received: str) -> dict[str, Any]:
        """Names for value references and templates (``last_output``, ``input.*``, ``state.*``)."""
        return {"last_output": received, "inputs": self.inputs, "state": self.values}

    def to_json(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "outputs": {k: list(v) for k, v in self.outputs.items()},
            "last": self.last,
            "values": self.values,
            "routes": self.routes,
            "history": self.history,
            "output": self.output,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunState:
        return cls(
            inputs=dict(data.get("inputs") or {}),
            outputs={k: (int(v[0]), str(v[1])) for k, v in (data.get("outputs") or {}).items()},
            last=str(data.get("last") or ""),
            values=dict(data.get("values") or {}),
            routes=dict(data.get("routes") or {}),
            history=[list(turn) for turn in data.get("history") or []],
            output=data.get("output"),
        )


DONE = object()
"""Put on a run's event queue when its team has stopped."""


@dataclass
class RunScope:
    """Everything one run's participants share: request, limits, services, state, events.

    Participants put normalised events on ``events`` as they happen; the
    executable yields them. A participant that fails records the translated error
    (``fail``) and the team stops; one that waits for a person records what it
    waits for (``wait``).
    """

    request: RunRequest
    control: RunControl
    services: BackendServices
    state: RunState
    token: CancellationToken = field(default_factory=CancellationToken)
    """Cancels the nodes' work (model calls, tools); the team then ends at its next turn."""
    events: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    resume_node: str | None = None
    resume_seen: bool = False
    answering: str | None = None
    """The human step answering the resume right now."""
    stopping: bool = False
    """A node failed, or the run was cancelled: no further step starts."""
    waiting: list[dict[str, Any]] = field(default_factory=list)

    def emit(self, event: Any) -> None:
        self.events.put_nowait(event)

    def fail(self, error: OrchestrallError) -> None:
        self.stopping = True
        self.events.put_nowait(error)

    def wait(self, interrupt: dict[str, Any]) -> None:
        """A human step waits: the nodes running beside it finish, then the team stops."""
        self.waiting.append(interrupt)

    def is_halted(self, _messages: Any = None) -> bool:
        """The team's termination condition (checked after each turn): stop or wait."""
        return self.stopping or bool(self.waiting)
