"""A graph with routers, loops, human steps or parallel branches as a CrewAI Flow.

Each unit of the plan (a step, or a chain of agents run as one crew) is a Flow
method: the input is ``@start()``; a unit after a plain edge ``@listen``\\ s to the
unit before; routers and human steps are ``@router``\\ s whose labels the units
they lead to listen to (one label per route; a route to the end has no
listener, so the flow stops there). A unit with several ways in listens to
``or_(...)`` of them, or ``and_(...)`` after parallel branches (see ``_plan``).
Loops need nothing more: a router's label starts the loop's first unit again.

A human step stops the flow by returning a label nobody listens to. To resume,
the same graph is built as a Flow whose ``@start()`` is that step taking the
person's answer (``flow_class(plan, entry=node_id)``), and runs on from there.
Flow classes are built once per compiled graph and entry; a run instantiates one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from crewai.flow.flow import Flow, and_, listen, or_, router, start
from pydantic import PrivateAttr

from agent_runtime.compiler import END, IRNode

from ._plan import Plan, Unit
from ._steps import NEXT, Work

__all__ = ["WAIT", "GraphFlow", "flow_class", "run_flow"]

WAIT = "__waiting_for_a_person__"
"""The label a human step returns while the run waits: nothing listens to it."""


class GraphFlow(Flow):  # type: ignore[type-arg]
    """Base of the generated flows: the run's work rides on the instance.

    No CrewAI memory: a Flow would otherwise open a vector store of its own for
    every instance; memory steps use the runtime's memory service.
    """

    _skip_auto_memory: ClassVar[bool] = True
    _work: Any = PrivateAttr(default=None)


def _named(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    function.__name__ = function.__qualname__ = name
    return function


class _Wiring:
    """Method names and route labels of a plan's units."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.names = {unit.id: f"unit_{i}" for i, unit in enumerate(plan.units)}

    def exits(self, node: IRNode) -> dict[str, str]:
        """Route name → label, for a unit that chooses its way out (routers, human steps)."""
        method = self.names[self.plan.unit_of[node.id].id]
        if node.routes:
            return {route: f"{method}__{i}" for i, route in enumerate(node.routes)}
        if node.kind == "human":
            return {NEXT: f"{method}__next"}
        return {}

    def triggers(self, node: IRNode) -> list[str]:
        """What starts a unit: each predecessor's method, or the labels of routes to it."""
        found: list[str] = []
        for pred_id in node.predecessors:
            pred = self.plan.graph.node(pred_id)
            exits = self.exits(pred)
            if not exits:
                found.append(self.names[self.plan.unit_of[pred_id].id])
            elif pred.routes:
                found += [exits[r] for r, target in pred.routes.items() if target == node.id]
            else:
                found.append(exits[NEXT])
        return list(dict.fromkeys(found))

    def condition(self, node: IRNode) -> Any:
        found = self.triggers(node)
        if len(found) == 1:
            return found[0]
        return (and_ if self.plan.joins_wait_for_all else or_)(*found)


def _label(exits: dict[str, str], route: str | None, work: Work) -> str:
    if work.run.state.waiting is not None or route is None:
        return WAIT
    return exits.get(route, END)


def _unit_method(wiring: _Wiring, unit: Unit, name: str) -> Any:
    exits = wiring.exits(unit.tail)

    async def run_unit(self: GraphFlow) -> str | None:
        route = await self._work.unit(unit)
        return _label(exits, route, self._work) if exits else None

    method = _named(run_unit, name)
    if unit.head.kind == "input":
        return start()(method)
    condition = wiring.condition(unit.head)
    if exits:
        return router(condition, emit=[*exits.values(), WAIT])(method)
    return listen(condition)(method)


def _resume_method(wiring: _Wiring, node: IRNode, name: str) -> Any:
    exits = wiring.exits(node)

    async def resume(self: GraphFlow) -> str:
        return _label(exits, self._work.resume(node), self._work)

    return start()(router(emit=list(exits.values()))(_named(resume, name)))


def flow_class(plan: Plan, entry: str | None = None) -> type[GraphFlow]:
    """The Flow of ``plan``, starting at the input, or resuming at human step ``entry``."""
    wiring = _Wiring(plan)
    namespace: dict[str, Any] = {}
    for unit in plan.units:
        name = wiring.names[unit.id]
        if unit.head.kind == "input" and entry is not None:
            continue  # a resumed run does not start again
        namespace[name] = _unit_method(wiring, unit, name)
    if entry is not None:
        name = f"resume_{wiring.names[plan.unit_of[entry].id]}"
        namespace[name] = _resume_method(wiring, plan.graph.node(entry), name)
    return type("GraphFlow_" + ("start" if entry is None else entry), (GraphFlow,), namespace)


async def run_flow(cls: type[GraphFlow], work: Work) -> None:
    """One run of a graph's Flow (until it ends or a human step waits)."""
    flow = cls(
        suppress_flow_events=True,
        tracing=False,
        max_method_calls=work.run.graph.limits.max_steps + 1,
    )
    flow._work = work
    await flow.kickoff_async()
