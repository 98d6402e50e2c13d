"""The CrewAI backend: IR → crews for agent chains, a CrewAI Flow around them when needed.

``compile`` plans the graph (``_plan``), builds its first kit of CrewAI objects
(``_crews``) and, unless the graph is a straight line, its Flow class
(``_flow``): the building is paid once per compiled graph, not per run.

``stream`` runs the work in a task of its own and yields the events it reports
(from the event loop and from CrewAI's worker threads, in order). When the run
is cancelled or times out, the runtime cancels the consumer: the work is
cancelled with it, and a model call still running in one of CrewAI's worker
threads finishes on its own (bounded by the endpoint's timeout) without
effect, since the run is closed; that run's kit is dropped, not reused.

Threads and waiting runs live in ``services.thread_state`` (a JSON row per
thread in the store): the thread's recent turns (``compiler/_history.py``) and,
while a human step waits, the run's state to resume from.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import AsyncIterator
from typing import Any

from agent_runtime.backends._errors import translate_error
from agent_runtime.backends._events import interrupt_fields
from agent_runtime.compiler import FEATURES, MAX_TURNS, IRGraph
from agent_runtime.errors import CompileError, OrchestrallError, RunStateError
from agent_runtime.events import InterruptEvent, RunFinishedEvent
from agent_runtime.execution import BackendServices, RunControl, RunRequest, ThreadState

from ._crews import Kit, KitPool
from ._flow import GraphFlow, flow_class, run_flow
from ._plan import Plan, Unit, make_plan
from ._run import DONE, Run, RunState
from ._steps import Work

__all__ = ["CrewAIBackend", "CrewAIExecutable"]

NAME = "crewai"
logger = logging.getLogger("agent_runtime.backends.crewai")


def recent_turns(history: list[list[str]], keep: int = MAX_TURNS) -> list[list[str]]:
    """The last ``keep`` whole turns of a thread: more are never shown to an agent."""
    starts = [i for i, (role, _) in enumerate(history) if role == "user"]
    return history[starts[-keep] :] if len(starts) > keep else history


class _ProcessThreads:
    """Without a thread store (``services.thread_state`` None: no threads), a waiting run
    is still kept, in this process, so its human step can be answered."""

    def __init__(self) -> None:
        self._states: dict[tuple[str, str], dict[str, Any]] = {}

    async def load(self, thread_id: str, backend: str) -> dict[str, Any] | None:
        return copy.deepcopy(self._states.get((thread_id, backend)))

    async def save(self, thread_id: str, backend: str, state: dict[str, Any]) -> None:
        self._states[(thread_id, backend)] = copy.deepcopy(state)


def _straight_order(plan: Plan) -> tuple[Unit, ...]:
    unit = plan.unit_of[plan.graph.entry]
    order = [unit]
    while unit.tail.targets:
        unit = plan.unit_of[unit.tail.targets[0]]
        order.append(unit)
    return tuple(order)


class CrewAIExecutable:
    """A graph compiled for CrewAI; ``stream`` runs (or resumes) it on a thread."""

    backend = NAME

    def __init__(self, graph: IRGraph, services: BackendServices) -> None:
        self.graph, self.services = graph, services
        self.plan = make_plan(graph)
        self.keeps_threads = services.thread_state is not None
        self.threads: ThreadState = services.thread_state or _ProcessThreads()
        self.kits = KitPool(lambda: Kit(graph, self.plan))
        try:
            self.kits.release(self.kits.acquire())  # the crews are built now, once
        except (TypeError, ValueError) as exc:  # pydantic validation of CrewAI objects
            raise CompileError(f"CrewAI could not build the graph '{graph.name}': {exc}") from exc
        self.order = _straight_order(self.plan) if self.plan.straight else ()
        self._flows: dict[str | None, type[GraphFlow]] = {}
        if not self.plan.straight:
            self._flows[None] = flow_class(self.plan)

    def _flow(self, entry: str | None) -> type[GraphFlow]:
        if entry not in self._flows:
            self._flows[entry] = flow_class(self.plan, entry)
        return self._flows[entry]

    async def aclose(self) -> None:
        """Close the model clients of the kits not in use (the runtime is closing)."""
        for kit in self.kits.take_all():
            await kit.aclose()

    async def stream(self, request: RunRequest, control: RunControl) -> AsyncIterator[Any]:
        """Events of one run (or resume) until it finishes or waits for a person."""
        run = Run(self.graph, request, control, self.services)
        kit = self.kits.acquire()
        kit.bind(run)
        worker = asyncio.create_task(self._drive(Work(run, kit)))
        done = False
        try:
            while True:
                item = await run.sink.next()
                if item is DONE:
                    done = True
                    break
                if isinstance(item, BaseException):
                    raise item
                yield item
                run.sink.taken()
        finally:
            run.close()
            if not worker.done():
                worker.cancel()
                await asyncio.wait({worker}, timeout=5)
            if done:
                self.kits.release(kit)
            else:  # cut short: the kit is not reused (see ``KitPool.release``)
                await self._keep_thread(run)

    async def _drive(self, work: Work) -> None:
        run = work.run
        try:
            saved = await self.threads.load(run.request.thread_id, NAME) or {}
            if run.request.resume is None:
                run.state.history = [list(turn) for turn in saved.get("history") or []]
                run.started_fresh = True
                await self._execute(work, None)
            else:
                waiting = saved.get("waiting") or {}
                if waiting.get("run_id") != run.request.run_id:
                    raise RunStateError(
                        f"Run {run.request.run_id} has no waiting step to resume on this backend."
                    )
                run.state = RunState.from_json(waiting["state"])
                await self._execute(work, str((run.state.waiting or {}).get("node")))
            await self._settle(run)
            run.sink.put(DONE)
        except OrchestrallError as exc:
            run.sink.put(exc)
        except Exception as exc:
            run.sink.put(translate_error(exc, None))

    async def _execute(self, work: Work, entry: str | None) -> None:
        """Run the graph from its input, or from the human step ``entry`` taking its answer."""
        if not self.plan.straight:
            await run_flow(self._flow(entry), work)
            return
        start = 0
        if entry is not None:
            node = self.graph.node(entry)
            work.resume(node)
            start = self.order.index(self.plan.unit_of[node.id]) + 1
        for unit in self.order[start:]:
            await work.unit(unit)
            if work.run.state.waiting is not None:
                return

    async def _keep_thread(self, run: Run) -> None:
        """A run that failed or was cut short still leaves its turn in the thread (as
        LangGraph's checkpoint, written when a run exits, does)."""
        if not (self.keeps_threads and run.started_fresh and run.state.history):
            return
        state = {"history": recent_turns(run.state.history), "waiting": None}
        try:
            await self.threads.save(run.request.thread_id, NAME, state)
        except Exception:  # the run's own failure is what its caller must hear about
            logger.exception(
                "could not keep thread %s of run %s", run.request.thread_id, run.request.run_id
            )

    async def _settle(self, run: Run) -> None:
        """Keep the thread (and a waiting run's state); report the interrupt or the end."""
        state = run.state
        state.history = recent_turns(state.history) if self.keeps_threads else []
        waiting = None
        if state.waiting is not None:
            waiting = {"run_id": run.request.run_id, "state": state.to_json()}
        await self.threads.save(
            run.request.thread_id, NAME, {"history": state.history, "waiting": waiting}
        )
        if state.waiting is None:
            output = run.output if run.output is not None else run.last_finished
            run.sink.put(RunFinishedEvent(output=output))
            return
        node = self.graph.node(state.waiting["node"])
        proposal = str(state.waiting.get("proposal", ""))
        run.sink.put(InterruptEvent(**interrupt_fields(node, proposal)))


class CrewAIBackend:
    """Runs graphs on CrewAI: crews for agent chains, a CrewAI Flow for routing and loops."""

    name = NAME
    capabilities = frozenset(FEATURES)
    limitations = (
        "Parallel branches in a graph that also routes, loops or waits for a person are "
        "refused (`fan_out`, naming the join): a CrewAI Flow cannot wait at a join for "
        "only the branches that will still come.",
    )

    def compile(self, graph: IRGraph, services: BackendServices) -> CrewAIExecutable:
        """Plan and build ``graph``; ``UnsupportedFeatureError`` for what a Flow cannot do."""
        return CrewAIExecutable(graph, services)
