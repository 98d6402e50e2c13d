"""Graph nodes as AutoGen chat agents: the participants of a run's team.

Every node the team runs is a ``NodeAgent`` (an AutoGen ``BaseChatAgent``). Its
turn does what a node does on every backend: count a step against the limits
(``RunControl.begin_step``), report ``node_started`` with the text the node
received, do the node's work (``_work``, ``_agents``), report ``node_finished``
(output, latency, tokens, cost), and answer the team with the text it passes
on. A router's or approval's answer carries its route in the message metadata,
which the ``GraphFlow`` edge conditions read (see ``_plan``).

A failure is translated at once (``translate_error``), recorded in the run's
scope and stops the team: nothing is raised through AutoGen's runtime, which
would keep only the message. A human step without an answer records an
interrupt and stops the team there, asking to speak again (its ``WAITING``
answer); on resume the same step answers through a ``UserProxyAgent``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from autogen_agentchat.agents import BaseChatAgent
from autogen_agentchat.base import Response
from autogen_agentchat.messages import BaseChatMessage, TextMessage
from autogen_core import CancellationToken

from agent_runtime.backends._errors import translate_error
from agent_runtime.backends._events import node_finished, node_started
from agent_runtime.compiler import IRNode
from agent_runtime.events import NodeFinishedEvent

from ._agents import Shared
from ._client import Meter
from ._state import RunScope
from ._work import WORK

ROUTE, WAITING, FAILED = "route", "waiting", "failed"
"""Metadata keys of a node's answer to its team."""


class NodeAgent(BaseChatAgent):
    """One graph node as a team participant (``then_output``: an output node it finishes).

    ``scope`` is the run's; ``None`` only when a team is built to check the plan.
    """

    def __init__(
        self,
        name: str,
        node: IRNode,
        scope: RunScope | None,
        shared: Shared,
        then_output: IRNode | None = None,
    ) -> None:
        super().__init__(name=name, description=f"{node.kind} node {node.id}")
        self.node, self.scope, self.shared, self.then_output = node, scope, shared, then_output
        self._work = WORK[node.kind]

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (TextMessage,)

    async def on_messages(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> Response:
        return Response(chat_message=await self.take_turn())

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        """Nothing to reset: a node's per-run state lives in the run's scope."""

    async def take_turn(self) -> TextMessage:
        """Run the node once; the answer tells the team what it passes on (or that it stops)."""
        node, scope = self.node, self.scope
        assert scope is not None, "a team built without a run cannot run"
        control, state = scope.control, scope.state
        if scope.stopping:  # a node failed or the run was cancelled: no new step
            return self._answer("", {FAILED: "1"})
        try:
            resuming = scope.resume_node == node.id and not scope.resume_seen
            if resuming:  # the human step answers: it was counted and announced before
                scope.resume_seen = True
                scope.answering = node.id
                step = control.steps
            else:
                step = control.begin_step(node.id)
            received = state.received(node)
            if not resuming:
                scope.emit(node_started(node, step, received))
            started = time.perf_counter()
            meter = Meter(node.id, node.model, control)
            outcome = await self._work(self.name, node, scope, self.shared, received, meter)
            if outcome is None:  # waits for a person: speak again on resume
                return self._answer(received, {WAITING: "1"})
            scope.emit(node_finished(node.id, outcome.output, started, meter.usage))
            if outcome.route is not None:
                state.routes[node.id] = outcome.route
            state.passed_on(node.id, step, outcome.flow)
            if self.then_output is not None:
                self._finish_at(scope, self.then_output, outcome.flow)
        except asyncio.CancelledError:
            if not scope.token.is_cancelled():
                raise
            scope.stopping = True  # the run was stopped: its step is abandoned, the team ends
            return self._answer("", {FAILED: "1"})
        except Exception as exc:
            scope.fail(translate_error(exc, node))
            return self._answer("", {FAILED: "1"})
        return self._answer(outcome.flow, {ROUTE: outcome.route} if outcome.route else {})

    @staticmethod
    def _finish_at(scope: RunScope, output: IRNode, text: str) -> None:
        """An output node's work, done by its only predecessor (a team turn saved).

        Same events, step count and state as when the output node runs on its own.
        """
        step = scope.control.begin_step(output.id)
        scope.emit(node_started(output, step, text))
        scope.emit(NodeFinishedEvent(node_id=output.id, output=text))
        scope.state.output = text
        scope.state.history.append(["assistant", text])
        scope.state.passed_on(output.id, step, text)

    def _answer(self, text: str, metadata: dict[str, str]) -> TextMessage:
        return TextMessage(content=text, source=self.name, metadata=metadata)
