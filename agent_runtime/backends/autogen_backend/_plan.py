"""From IR to an AutoGen team: a round-robin team for a straight path, a GraphFlow otherwise.

Decided once per compiled graph (``TeamPlan``); each run builds its team from
the plan (participants hold the run's scope, so teams are per run; building one
costs less than resetting a shared one).

- **Straight path** (input → nodes one after the other → output, no routers,
  human steps, branches or loops): a ``RoundRobinGroupChat`` of the nodes in
  order, ``max_turns`` = their number.
- **Anything else**: a ``GraphFlow`` built with ``DiGraphBuilder``. Routes are
  declarative edge conditions (``RouteIn``: the route a router or approval put
  in its answer's metadata). A human step has an extra edge to itself taken
  while it waits for a person (``Waiting``), so the stopped team keeps it ready
  and ``save_state``/``load_state`` resume it there, in another process too.
  A join (several predecessors) waits, as on LangGraph, for the branches that
  run side by side (one activation group, ``all``); alternatives (routes) and
  loop-backs each activate it on their own (groups of their own). A join of a
  conditional branch with a parallel one cannot be expressed this way and is
  refused at compile time (``fan_out``, naming the join).

The input node is not a participant when it leads to one node (its events are
the run's start, as on LangGraph); an output node whose only predecessor leads
only to it is finished by that predecessor (``NodeAgent.then_output``): each
saves a team turn (about 1.5 ms) per run.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from autogen_agentchat.conditions import FunctionalTermination
from autogen_agentchat.messages import BaseChatMessage
from autogen_agentchat.teams import DiGraphBuilder, GraphFlow, RoundRobinGroupChat

from agent_runtime.compiler import END, IRGraph, IRNode
from agent_runtime.errors import UnsupportedFeatureError

from ._agents import Shared
from ._participants import ROUTE, WAITING, NodeAgent
from ._state import RunScope


@dataclass(frozen=True)
class RouteIn:
    """Edge condition: the source's answer chose one of ``routes``."""

    routes: frozenset[str]

    def __call__(self, message: BaseChatMessage) -> bool:
        return message.metadata.get(ROUTE) in self.routes


@dataclass(frozen=True)
class Waiting:
    """Edge condition: the source waits for a person (its edge to itself)."""

    waiting: bool = True

    def __call__(self, message: BaseChatMessage) -> bool:
        return (message.metadata.get(WAITING) == "1") == self.waiting


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    condition: Any = None
    group: str = ""


def fused_outputs(graph: IRGraph) -> dict[str, IRNode]:
    """Output nodes whose only predecessor leads only to them: predecessor id → output node.

    As on LangGraph, except after a human step (its GraphFlow node needs an edge out
    besides the one to itself it waits on); the events are the same either way.
    """
    fused = {}
    for node in graph.nodes:
        if node.kind != "output" or len(node.predecessors) != 1:
            continue
        before = graph.node(node.predecessors[0])
        if before.kind == "human" or before.id == graph.entry or before.routes:
            continue  # (a waiting human step must stay a GraphFlow node with a way out)
        if before.targets == (node.id,):
            fused[before.id] = node
    return fused


def _straight_path(graph: IRGraph) -> list[IRNode] | None:
    """The nodes after the input, in order, when the graph is one straight path."""
    path: list[IRNode] = []
    node = graph.node(graph.entry)
    while node.targets:
        if len(node.targets) != 1:
            return None
        node = graph.node(node.targets[0])
        if node.routes or node.kind in ("router", "human") or len(node.predecessors) != 1:
            return None
        if any(n.id == node.id for n in path):
            return None
        path.append(node)
    return path if len(path) + 1 == len(graph.nodes) else None


def _successors(node: IRNode) -> list[str]:
    return [*node.targets, *(t for t in node.routes.values() if t != END)]


class TeamPlan:
    """How one graph runs as an AutoGen team (see the module docstring)."""

    def __init__(self, graph: IRGraph) -> None:
        self.graph = graph
        self.fused = fused_outputs(graph)
        fused_ids = {o.id for o in self.fused.values()}
        self.names = {n.id: f"n{i}_{n.id.replace('-', '_')}" for i, n in enumerate(graph.nodes)}
        entry = graph.node(graph.entry)
        path = _straight_path(graph)
        self.straight = path is not None
        self.input_in_team = not self.straight and len(entry.targets) > 1
        if path is not None:
            self.members = [n for n in path if n.id not in fused_ids]
            self.edges: list[Edge] = []
            self.entry: str | None = None
        else:
            self.members = [
                n
                for n in graph.nodes
                if n.id not in fused_ids and (n.id != entry.id or self.input_in_team)
            ]
            self.entry = entry.id if self.input_in_team else entry.targets[0]
            self.edges = self._edges()

    # -- GraphFlow edges -------------------------------------------------------

    def _edges(self) -> list[Edge]:
        edges: list[Edge] = []
        for node in self.members:
            if node.routes:
                by_target: dict[str, set[str]] = defaultdict(set)
                for route, target in node.routes.items():
                    if target != END:
                        by_target[target].add(route)
                edges += [Edge(node.id, t, RouteIn(frozenset(r))) for t, r in by_target.items()]
            else:
                condition = Waiting(False) if node.kind == "human" else None
                fused = self.fused.get(node.id)
                edges += [
                    Edge(node.id, t, condition)
                    for t in node.targets
                    if fused is None or t != fused.id
                ]
            if node.kind == "human":
                edges.append(Edge(node.id, node.id, Waiting(), f"{self.names[node.id]}~waiting"))
        return self._grouped(edges)

    def _grouped(self, edges: list[Edge]) -> list[Edge]:
        """Activation groups of joins: parallel branches together, alternatives apart."""
        sources: dict[str, list[str]] = defaultdict(list)
        for e in edges:
            if not e.group:
                sources[e.target].append(e.source)
        group_of: dict[tuple[str, str], str] = {}
        for target, preds in sources.items():
            for index, members in enumerate(self._partition(target, preds)):
                for source in members:
                    group_of[(source, target)] = f"{self.names[target]}~{index}"
        return [
            e if e.group else Edge(e.source, e.target, e.condition, group_of[(e.source, e.target)])
            for e in edges
        ]

    def _reach(self, start: str, stop: set[str], sure: bool) -> set[str]:
        """Nodes reached from ``start`` (not through ``stop``); ``sure``: not past a route."""
        seen, todo = {start}, [start]
        while todo:
            node = self.graph.node(todo.pop())
            if node.id in stop or (sure and node.routes):
                continue
            for nxt in _successors(node):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    def _partition(self, target: str, preds: list[str]) -> list[list[str]]:
        """Groups of ``target``'s predecessors that surely run side by side."""
        if len(preds) < 2:
            return [preds]
        parent = {p: p for p in preds}

        def root(p: str) -> str:
            while parent[p] != p:
                p = parent[p]
            return p

        forks = [n for n in self.graph.nodes if not n.routes and len(n.targets) > 1]
        for fork in forks:
            stop = {target, fork.id}
            # A fork's own edge into the join arrives from the fork itself.
            reach = {
                (x, sure): {fork.id} if x == target else self._reach(x, stop, sure)
                for x in fork.targets
                for sure in (False, True)
            }
            for x, y in itertools.permutations(fork.targets, 2):
                x_any, y_any = reach[(x, False)], reach[(y, False)]
                x_sure, y_sure = reach[(x, True)], reach[(y, True)]
                for p, q in itertools.permutations(preds, 2):
                    if p not in x_any or q not in y_any:
                        continue
                    sure = p in x_sure and q in y_sure
                    if not sure or self.graph.node(p).routes or self.graph.node(q).routes:
                        raise UnsupportedFeatureError(
                            f"The autogen backend cannot run this graph: node '{target}' joins "
                            "a conditional branch with a parallel one, which AutoGen's GraphFlow "
                            "cannot wait for.",
                            node_id=target,
                            feature="fan_out",
                        )
                    parent[root(p)] = root(q)
        groups: dict[str, list[str]] = defaultdict(list)
        for p in preds:
            groups[root(p)].append(p)
        return list(groups.values())

    def rearm(self, team_state: dict[str, Any]) -> dict[str, Any]:
        """The GraphFlow state as ``load_state`` needs it to continue a loop (in place).

        AutoGen 0.7's GraphFlow does not save which activation groups enqueued the
        nodes in its ready queue, so after ``load_state`` it never re-arms them: a
        human step waiting in a loop (reject → revise → review) would not wait a
        second time, the flow would end. (microsoft/autogen#7043.) Re-arming them
        here is what selecting those nodes would have done.
        """
        manager = team_state.get("agent_states", {}).get("GraphManager")
        if not manager:
            return team_state
        original: dict[tuple[str, str], int] = defaultdict(int)
        for e in self.edges:
            original[(self.names[e.target], e.group)] += 1
        remaining = manager.get("remaining", {})
        for name in manager.get("ready", []):
            for group, left in remaining.get(name, {}).items():
                if left <= 0 and (name, group) in original:
                    remaining[name][group] = original[(name, group)]
        return team_state

    # -- per run ----------------------------------------------------------------

    def participants(self, scope: RunScope | None, shared: Shared) -> list[NodeAgent]:
        return [
            NodeAgent(self.names[n.id], n, scope, shared, self.fused.get(n.id))
            for n in self.members
        ]

    def team(self, scope: RunScope | None, shared: Shared) -> Any:
        """The run's team (``scope`` None: only to check the plan at compile time)."""
        members = self.participants(scope, shared)
        halted = FunctionalTermination(scope.is_halted if scope else lambda _: False)
        if self.straight:
            return RoundRobinGroupChat(
                members, termination_condition=halted, max_turns=len(members)
            )
        builder = DiGraphBuilder()
        for member in members:
            builder.add_node(member)
        names = self.names
        for e in self.edges:
            builder.add_edge(
                names[e.source],
                names[e.target],
                condition=e.condition,
                activation_group=e.group,
                activation_condition="all",
            )
        if self.entry is not None:
            builder.set_entry_point(names[self.entry])
        return GraphFlow(
            members,
            builder.build(),
            termination_condition=halted,
            max_turns=self.graph.limits.max_steps,
        )
