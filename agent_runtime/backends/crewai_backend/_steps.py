"""The work of each unit of a run: agent chains (as crews) and the steps between them.

Steps do what they do on the LangGraph backend (``langgraph_backend/_nodes.py``),
with the same shared semantics (``agent_runtime.compiler``): templates, router
conditions, LLM routing, memory, human decisions. Each counts its step, reports
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
from agent_runtime.compiler import (
    IRNode,
    as_text,
    choose_llm_route,
    matches,
    render,
    render_value,
    router_system_prompt,
)
from agent_runtime.compiler._values import lookup
from agent_runtime.errors import RunStateError
from agent_runtime.events import ToolCalledEvent, ToolResultEvent

from ._crews import Kit, run_chain
from ._plan import Unit
from ._run import NodeCall, Run

__all__ = ["NEXT", "Work", "input_text"]

NEXT = "__next__"
"""The way out of a human input step (its only one), as a route name."""


def input_text(node: IRNode, inputs: dict[str, Any]) -> str:
    """The text the input node passes on: the message, or one ``name: value`` line per field."""
    names = [f.name for f in node.spec.fields]
    if names == ["message"]:
        return as_text(inputs.get("message"))
    return "\n".join(f"{n}: {as_text(inputs.get(n))}" for n in names if n in inputs)


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
        proposal = str(waiting.get("proposal", ""))
        if node.spec.mode == "input":
            text = as_text(answer.get("answer", ""))
            run.finish(call, text)
            return NEXT
        comment = as_text(answer.get("comment", ""))
        if answer.get("approved"):
            run.finish(call, "approved" + (f": {comment}" if comment else ""), proposal)
            route = "approved"
        else:
            reason = comment or "no reason given"
            feedback = f"Rejected by the reviewer: {reason}\n\nDraft:\n{proposal}"
            run.finish(call, f"rejected: {comment}", feedback)
            route = "rejected"
        run.state.routes[node.id] = route
        return route

    # -- step bodies: (output, text passed on, route) ---------------------------

    async def _output(self, node: IRNode, call: NodeCall, received: str) -> Any:
        self.run.state.history.append(["assistant", received])
        return received, received, None

    async def _tool(self, node: IRNode, call: NodeCall, received: str) -> Any:
        tool, sink = node.tools[0], self.run.sink
        arguments = render_value(dict(node.spec.arguments), **self.run.scope(received))
        sink.put(ToolCalledEvent(node_id=node.id, tool=tool.name, arguments=arguments))
        result = await tool.invoke(arguments)
        is_error = result.startswith("error:")
        sink.put(ToolResultEvent(node_id=node.id, tool=tool.name, result=result, is_error=is_error))
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
            scope = self.run.scope(received)
            route = next(
                (
                    r.name
                    for r in spec.routes
                    if matches(r.condition, lookup(r.condition.field, **scope))
                ),
                spec.default_route,
            )
        return route, received, route

    async def _memory(self, node: IRNode, call: NodeCall, received: str) -> Any:
        spec, memory = node.spec, node.memories[0]
        memories, scope = self.run.services.memory, self.run.request.memory_scope
        if spec.operation == "store":
            item = await memories.store(memory, received, scope=scope, metadata=dict(spec.metadata))
            return f"stored {item}", received, None
        query = render(spec.query, **self.run.scope(received))
        hits = await memories.retrieve(
            memory,
            query,
            scope=scope,
            top_k=spec.top_k,
            filters=dict(spec.filters),
            min_score=spec.min_score,
        )
        found = [h.text for h in hits]
        self.run.state.values.update(retrieved=found, retrieved_scores=[h.score for h in hits])
        return f"{len(found)} result(s)", received, None
