"""How an IR graph maps onto CrewAI: crews for agent chains, a Flow for everything else.

- A *chain* is a run of agent nodes, each leading only to the next, which has no
  other way in: it becomes one sequential ``Crew`` (an Agent and a Task per node).
- Every other node is a *step* of its own (input, output, tool, router, human, memory).
- A *straight* graph (no branching, no joins, no fan-out) runs its units one after
  the other. Otherwise the units are methods of a CrewAI ``Flow`` (see ``_flow``):
  ``@start`` for the input, ``@listen`` on the unit before, ``@router`` for routers
  and human approvals, and ``or_``/``and_`` where several edges come in.

What a Flow cannot express is refused here, before anything runs: a join after
parallel branches that may not all run (fan-out together with routers, human
steps or loops) has no Flow condition meaning "wait for every branch that will
come" (``and_`` would wait forever for a branch routed away, ``or_`` would run
the join once per branch).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from agent_runtime.compiler import IRGraph, IRNode
from agent_runtime.errors import UnsupportedFeatureError

__all__ = ["Plan", "Unit", "make_plan"]


@dataclass(frozen=True)
class Unit:
    """One node, or a chain of agent nodes run as one crew."""

    nodes: tuple[IRNode, ...]

    @property
    def id(self) -> str:
        return self.nodes[0].id

    @property
    def head(self) -> IRNode:
        return self.nodes[0]

    @property
    def tail(self) -> IRNode:
        return self.nodes[-1]

    @property
    def is_chain(self) -> bool:
        return self.head.kind == "agent"


@dataclass(frozen=True)
class Plan:
    """The units of a graph and how they are wired."""

    graph: IRGraph
    units: tuple[Unit, ...]
    unit_of: Mapping[str, Unit] = field(repr=False)
    straight: bool
    joins_wait_for_all: bool
    """Fan-out graphs: a join waits for all its predecessors (``and_``), else any (``or_``)."""


def _continues(graph: IRGraph, node: IRNode) -> bool:
    """Whether agent ``node`` runs in the same crew as the agent before it."""
    if node.kind != "agent" or len(node.predecessors) != 1:
        return False
    before = graph.node(node.predecessors[0])
    return before.kind == "agent" and not before.routes and before.targets == (node.id,)


def _units(graph: IRGraph) -> list[Unit]:
    units = []
    for node in graph.nodes:
        if _continues(graph, node):
            continue
        nodes = [node]
        while node.kind == "agent" and len(node.targets) == 1:
            following = graph.node(node.targets[0])
            if not _continues(graph, following) or any(n.id == following.id for n in nodes):
                break
            nodes.append(following)
            node = following
        units.append(Unit(tuple(nodes)))
    return units


def _features(graph: IRGraph) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for feature, node_id in graph.features:
        found.setdefault(feature, []).append(node_id)
    return found


def make_plan(graph: IRGraph) -> Plan:
    """The plan for ``graph``; raises ``UnsupportedFeatureError`` naming the node if none fits."""
    units = _units(graph)
    unit_of = {node.id: unit for unit in units for node in unit.nodes}
    features = _features(graph)
    fan_out = features.get("fan_out", [])
    choosing = [n.id for n in graph.nodes if n.routes or n.kind == "human"]
    if fan_out and (choosing or "loop" in features):
        where = choosing[0] if choosing else features["loop"][0]
        raise UnsupportedFeatureError(
            f"The crewai backend cannot run this graph: node '{fan_out[0]}' uses parallel "
            f"branches, and node '{where}' can take a branch away or back; a CrewAI Flow "
            "cannot wait at a join for every branch that will still come. Use the "
            "langgraph backend, or route without parallel branches.",
            node_id=fan_out[0],
            feature="fan_out",
        )
    straight = all(
        not n.routes and len(n.targets) <= 1 and len(n.predecessors) <= 1 for n in graph.nodes
    )
    return Plan(
        graph=graph,
        units=tuple(units),
        unit_of=unit_of,
        straight=straight,
        joins_wait_for_all=bool(fan_out),
    )
