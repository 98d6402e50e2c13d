"""The work of each unit of a run: agent chains (as crews) and the steps between them.

Steps do what they do on every backend: the tool, memory and rules-router steps
and human decisions are the shared ones (``backends/_steps.py``), templates and
conditions the compiler's (``agent_runtime.compiler``). Each counts its step, reports
``node_started`` and ``node_finished``, and fails with an Orchestrall error
naming the node. An LLM router calls its CrewAI LLM directly, as a Flow's
``@router`` would: one model call with the router prompt.

A human step does not block: it records that the run waits (``RunState.waiting``)
and the unit returns; the run is resumed later, maybe by another process, from
the stored state (``resume``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from agent_runtime.backends._errors import translate_error
from agent_runtime.backends._steps import (
    human_outcome,
    input_text,
    memory_step,
    person_said,
    rule_route,
    tool_step,
)
from agent_runtime.compiler import IRNode, as_text, choose_llm_route, router_system_prompt
from agent_runtime.errors import RunStateError

from ._crews import Kit, run_chain
from ._plan import Unit
from ._run import NodeCall, Run

__all__ = ["NEXT", "Work"]

NEXT = "__next__"
"""The way out of a human input step (its only one), as a route name."""


class Work:
    """A run's units, run on its kit. ``unit`` returns the route taken, if any."""

    def __init__(self, run: Run, kit: Kit) -> None:
        self.run, self.kit = run, kit

    async def unit(self, unit: Unit) -> str | None:
        if unit.is_chain:
            await run_chain(self.run, self.kit, unit)
            return None
        node = unit.head
        if node.kind == "input":
            self.start(node)
            return None
        await self.run.sink.caught_up()
        received = self.run.received(node)
        call = self.run.begin(node, received)
        if node.kind == "human":
            self.run.state.waiting = {"node": node.id, "step": call.step, "proposal": received}
            return None
        try:
            output, passed_on, route = await getattr(self, f"_{node.kind}")(node, call, received)
        except Exception as exc:
            error = translate_error(exc, node)
            if error is exc:
                raise
            raise error from exc
        self.run.finish(call, output, passed_on)
        if route is not None:
            self.run.state.routes[node.id] = route
        return route

    def start(self, node: IRNode) -> None:
        """The input node: this run's state, from the thread's history and the input."""
        run = self.run
        inputs = dict(run.request.input or {})
        text = input_text(node, inputs)
        run.state.input = inputs
        run.state.history.append(["user", text])
        run.finish(run.begin(node, text), text)

    def resume(self, node: IRNode) -> str | None:
        """The waiting human step takes the person's answer (counted and announced before)."""
        run = self.run
        waiting = run.state.waiting
        if waiting is None or waiting.get("node") != node.id:
            raise RunStateError(f"Run {run.request.run_id} is not waiting at '{node.id}'.")
        run.state.waiting = None
        call = NodeCall(node, int(waiting["step"]))
        answer = dict(run.request.resume or {})
        said = person_said(node.spec.mode, answer)
        proposal = str(waiting.get("proposal", ""))
        outcome = human_outcome(node.spec.mode, said, bool(answer.get("approved")), proposal)
        run.finish(call, outcome.output, outcome.flow)
        if outcome.route is None:  # an input step's only way out
            return NEXT
        run.state.routes[node.id] = outcome.route
        return outcome.route

    # -- step bodies: (output, text passed on, route) ---------------------------

    async def _output(self, node: IRNode, call: NodeCall, received: str) -> Any:
        self.run.state.history.append(["assistant", received])
        return received, received, None

    async def _tool(self, node: IRNode, call: NodeCall, received: str) -> Any:
        result = await tool_step(node, self.run.scope(received), self.run.sink.put)
        return result, result, None

    async def _router(self, node: IRNode, call: NodeCall, received: str) -> Any:
        spec = node.spec
        if spec.strategy == "llm":
            llm = self.kit.llms[node.id]
            self.kit.meters[node.id].usage = call.usage
            messages = [
                {"role": "system", "content": router_system_prompt(spec)},
                {"role": "user", "content": received},
            ]
            # Sync, in a worker thread, as CrewAI's agents call their models (the client's
            # connections then outlive no event loop).
            answer = await asyncio.to_thread(llm.call, messages)
            names = [r.name for r in spec.routes]
            route = choose_llm_route(as_text(answer), names, spec.default_route)
        else:
            route = rule_route(node, self.run.scope(received))
        return route, received, route

    async def _memory(self, node: IRNode, call: NodeCall, received: str) -> Any:
        run = self.run
        memory, scope = run.services.memory, run.request.memory_scope
        names = run.scope(received)
        output, values = await memory_step(node, memory, scope, received, names, run.sink.put)
        if values is not None:
            run.state.values.update(values)
        return output, received, None
