"""The AutoGen backend: IR → an AutoGen team per run, streamed as normalised run events.

``compile`` decides the team's shape once (``TeamPlan``) and creates the model
clients and tools every run reuses. ``stream`` runs one run (or one resume) on
the runtime's long-lived event loop: it emits the input node's events, starts
the team in a task, and yields the events the participants report as they
happen. Cancelling the stream (cancel, timeout) cancels the team's
``CancellationToken``, which abandons the model call in progress.

Threads: AutoGen teams keep no thread store of their own, so the thread's state
lives in ``BackendServices.thread_state`` (a JSON document per thread in the
store): ``history`` (the conversation, ``[role, text]`` pairs, which agents see
under the shared policy of ``compiler._history``) and, while a run waits for a
person, ``waiting``: the run's state and the team's own ``save_state()``, which
``load_state()`` restores to resume it, in a new process too. Like LangGraph's
``durability="exit"`` checkpoints, the thread is saved when a run ends or
waits, however it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from autogen_agentchat.messages import TextMessage
from autogen_core import CancellationToken

from agent_runtime.backends._errors import translate_error
from agent_runtime.backends._events import node_started
from agent_runtime.backends._steps import input_text
from agent_runtime.compiler import IRGraph
from agent_runtime.errors import RunStateError, UnsupportedFeatureError
from agent_runtime.events import InterruptEvent, NodeFinishedEvent, RunFinishedEvent
from agent_runtime.execution import BackendServices, RunControl, RunRequest

from ._agents import Shared
from ._plan import TeamPlan
from ._state import DONE, RunScope, RunState

NAME = "autogen"

CAPABILITIES = frozenset(
    {
        "node.input",
        "node.output",
        "node.agent",
        "node.tool",
        "node.router",
        "node.human",
        "node.memory",
        "router.rules",
        "router.llm",
        "human.approval",
        "human.input",
        "memory.retrieve",
        "memory.store",
        "agent.tools",
        "tool.http",
        "agent.memory",
        "agent.remember",
        "fan_out",
        "loop",
        "threads",
        "checkpoints",
    }
)

_STOP_WAIT = 5.0
"""Seconds a cancelled team gets to wind down (its model call is already abandoned)."""


class AutoGenExecutable:
    """A compiled graph: the team plan, plus the model clients and tools runs share."""

    backend = NAME

    def __init__(self, graph: IRGraph, services: BackendServices) -> None:
        self.graph = graph
        self.services = services
        self.plan = TeamPlan(graph)
        self.shared = Shared()
        for node in graph.nodes:  # create the clients and tools now, once
            if node.model is not None:
                self.shared.client(node.model)
            self.shared.tools(node)
        try:  # AutoGen checks the flow's graph now, not in the middle of a run
            self.plan.team(None, self.shared)
        except ValueError as exc:
            feature, node_id = next(
                ((f, n) for f, n in graph.features if f in ("loop", "fan_out")),
                ("fan_out", graph.entry),
            )
            raise UnsupportedFeatureError(
                f"The autogen backend cannot run this graph: AutoGen's GraphFlow refuses it "
                f"({exc}).",
                node_id=node_id,
                feature=feature,
            ) from exc

    async def aclose(self) -> None:
        """Close the shared model clients (their HTTP connections)."""
        await self.shared.aclose()

    # -- threads ----------------------------------------------------------------

    async def _load(self, thread_id: str) -> dict[str, Any]:
        store = self.services.thread_state
        return (await store.load(thread_id, NAME) or {}) if store is not None else {}

    async def _save(self, thread_id: str, state: dict[str, Any]) -> None:
        if self.services.thread_state is not None:
            await self.services.thread_state.save(thread_id, NAME, state)

    # -- runs -------------------------------------------------------------------

    async def stream(self, request: RunRequest, control: RunControl) -> AsyncIterator[Any]:
        """Events of one run (or resume) until it finishes or waits for a person."""
        thread = await self._load(request.thread_id)
        scope = RunScope(request, control, self.services, RunState())
        task: TextMessage | None = None
        if request.resume is not None:
            waiting = thread.get("waiting") or {}
            if waiting.get("run_id") != request.run_id:
                raise RunStateError(f"Run {request.run_id} has no saved state to resume from.")
            scope.state = RunState.from_json(waiting["state"])
            scope.resume_node = waiting["interrupts"][0]["node_id"]
            team = self.plan.team(scope, self.shared)
            await team.load_state(waiting["team"])
        else:
            scope.state = RunState(
                inputs=dict(request.input or {}), history=list(thread.get("history") or [])
            )
            text = self._begin(scope)
            if not self.plan.input_in_team:
                for event in self._input_events(scope, text):
                    yield event
            team = self.plan.team(scope, self.shared)
            task = TextMessage(content=text, source="user")
        team_token = CancellationToken()
        pump = asyncio.create_task(self._pump(team, task, scope, team_token))
        saved = False
        try:
            last = ""
            while (item := await scope.events.get()) is not DONE:
                if isinstance(item, BaseException):
                    raise item
                if isinstance(item, NodeFinishedEvent):
                    last = item.output
                yield item
            if scope.waiting:
                await self._save_waiting(request, scope, team)
                saved = True
                for interrupt in scope.waiting:
                    yield InterruptEvent(**interrupt)
                return
            await self._save(request.thread_id, {"history": scope.state.history})
            saved = True
            output = scope.state.output
            yield RunFinishedEvent(output=output if output is not None else last)
        finally:
            await self._stop(pump, scope, team_token)
            if not saved:  # failed or cancelled: the thread keeps the turn, as on LangGraph
                with contextlib.suppress(Exception):
                    await self._save(request.thread_id, {"history": scope.state.history})

    def _begin(self, scope: RunScope) -> str:
        """The run's input text; the thread gets the user's turn (the input node's work)."""
        node = self.graph.node(self.graph.entry)
        text = input_text(node, scope.state.inputs)
        scope.state.history.append(["user", text])
        scope.state.last = text
        return text

    def _input_events(self, scope: RunScope, text: str) -> list[Any]:
        """The input node's step when it is not a team participant (the run's start)."""
        node = self.graph.node(self.graph.entry)
        step = scope.control.begin_step(node.id)
        scope.state.passed_on(node.id, step, text)
        return [node_started(node, step, text), NodeFinishedEvent(node_id=node.id, output=text)]

    async def _pump(
        self, team: Any, task: TextMessage | None, scope: RunScope, token: CancellationToken
    ) -> None:
        """Run the team to its end; participants report events on ``scope.events``."""
        try:
            async for _ in team.run_stream(
                task=task, cancellation_token=token, output_task_messages=False
            ):
                pass
        except asyncio.CancelledError:  # the run was cancelled: the stream is gone
            pass
        except Exception as exc:  # AutoGen itself failed (participants never raise)
            if not scope.stopping:
                scope.fail(translate_error(exc, None))
        finally:
            scope.events.put_nowait(DONE)

    async def _stop(
        self, pump: asyncio.Task[None], scope: RunScope, team_token: CancellationToken
    ) -> None:
        """Stop the team if it still runs (a failure, a cancel, a timeout).

        The node in progress is abandoned (its model call cancelled) and answers that
        it stopped; the team then ends cleanly at that turn. Only a team that does not
        end in time is cancelled itself.
        """
        if pump.done():
            return
        scope.stopping = True
        scope.token.cancel()
        _, pending = await asyncio.wait({pump}, timeout=_STOP_WAIT)
        if pending:
            team_token.cancel()
            _, pending = await asyncio.wait({pump}, timeout=_STOP_WAIT)
        for task in pending:
            task.cancel()

    async def _save_waiting(self, request: RunRequest, scope: RunScope, team: Any) -> None:
        """Keep what a resume needs: the run's state and the team's own (AutoGen) state."""
        waiting = {
            "run_id": request.run_id,
            "interrupts": scope.waiting,
            "state": scope.state.to_json(),
            "team": self.plan.rearm(dict(await team.save_state())),
        }
        await self._save(request.thread_id, {"history": scope.state.history, "waiting": waiting})


class AutoGenBackend:
    """Runs specs on AutoGen AgentChat teams (see ``docs/backend-autogen.md``)."""

    name = NAME
    capabilities = CAPABILITIES
    limitations = (
        "A join reached both by a branch behind a router and by a parallel branch is "
        "refused (`fan_out`, naming the join): GraphFlow would wait for a branch that "
        "never comes.",
    )

    def compile(self, graph: IRGraph, services: BackendServices) -> AutoGenExecutable:
        """Plan the team for ``graph`` (the capability check has passed)."""
        return AutoGenExecutable(graph, services)
