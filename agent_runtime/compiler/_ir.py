"""The backend-neutral intermediate form: a frozen graph with references resolved.

Lowering turns a validated spec into an ``IRGraph``: models become endpoints,
tool ids become callable tools, and every node's way out is explicit (plain
``targets``, or named ``routes`` for routers and human decisions). Backends build
their executables from this, never from the raw spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from agent_runtime.models import ModelEndpoint
from agent_runtime.spec import InputField, LimitsSpec, MemorySpec
from agent_runtime.tools import ResolvedTool

END = "__end__"
"""Route target meaning: the run ends here (a rejected approval with no rejected edge)."""


@dataclass(frozen=True)
class IRNode:
    """One node with everything resolved. ``spec`` is the node's (frozen) spec model."""

    id: str
    kind: str
    label: str
    spec: Any
    model: ModelEndpoint | None = None
    tools: tuple[ResolvedTool, ...] = ()
    memories: tuple[MemorySpec, ...] = ()
    targets: tuple[str, ...] = ()
    routes: Mapping[str, str] = field(default_factory=dict)
    default_route: str | None = None
    predecessors: tuple[str, ...] = ()
    routed_from: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Branching predecessors (routers, approvals) → the route names that lead here."""

    @property
    def is_branching(self) -> bool:
        """Routers and human approvals choose one way out by route name."""
        return bool(self.routes)


@dataclass(frozen=True)
class IRGraph:
    """A compiled-ready graph: nodes in spec order, entry, outputs, limits and features."""

    name: str
    spec_hash: str
    entry: str
    nodes: tuple[IRNode, ...]
    outputs: tuple[str, ...]
    limits: LimitsSpec
    input_fields: tuple[InputField, ...]
    features: tuple[tuple[str, str], ...]
    """(feature, node id) pairs the graph uses; the capability check reads these."""
    endpoints: tuple[ModelEndpoint, ...] = ()
    manager: ModelEndpoint | None = None
    """The manager's model when the spec asks for a manager (``team.manager``)."""
    manager_instructions: str = ""

    def node(self, node_id: str) -> IRNode:
        """The node with this id (KeyError if none)."""
        return self._by_id[node_id]

    @property
    def _by_id(self) -> dict[str, IRNode]:
        cached = self.__dict__.get("_by_id_cache")
        if cached is None:
            cached = {n.id: n for n in self.nodes}
            object.__setattr__(self, "_by_id_cache", cached)
        return cached

    def fingerprint(self) -> str:
        """Identifies what runs: the semantic spec hash plus the resolved endpoints."""
        return self.spec_hash + "|" + ";".join(e.fingerprint() for e in self.endpoints)
