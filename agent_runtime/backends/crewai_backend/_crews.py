"""A compiled graph's CrewAI objects (a *kit*), and an agent chain run as a sequential Crew.

Per agent node: an ``Agent`` (role = the agent's name, so its prompt starts
"You are <name>."; goal = its goal; backstory = its role line, instructions and
any retrieved memories), a metered LLM and its registry tools as CrewAI tools.
Per chain of agents: a ``Crew`` of one ``Task`` per agent, sequential. Each
Task's description is what that step receives, as on every backend: the text
the chain starts from, then the previous task's output (so CrewAI's task
``context`` would only repeat it and is left empty). A thread's earlier turns
follow the description the way CrewAI adds a conversation to a task.

Kits are built once per compiled graph and reused run after run; CrewAI's
agents, tasks and crews keep per-execution state, so a run takes a kit for
itself (``KitPool``). Between tasks, the Task callback ends one node and
starts the next (step count, events, memory, the next description).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any

from crewai import Agent, Crew, Process, Task
from crewai.utilities.i18n import I18N_DEFAULT

from agent_runtime.backends._errors import translate_error
from agent_runtime.backends._steps import agent_context, earlier_turns
from agent_runtime.compiler import IRGraph, IRNode
from agent_runtime.spec import AgentNode

from ._llm import ManagerMeter, Meter, MeteredLLM, build_llm
from ._plan import Plan, Unit
from ._run import NodeCall, Run
from ._tools import CrewTool, crew_tool

__all__ = ["EXPECTED_OUTPUT", "Kit", "KitPool", "backstory", "run_chain", "task_description"]

MANAGER_ROLE = "Manager"
MANAGER_BACKSTORY = "You plan the work and hand each part to the coworker best placed to do it."
EXPECTED_OUTPUT = "A complete answer."
"""A task's expected output when its agent has no goal (the goal is used when it has one)."""


class _QuietField:
    """A field CrewAI deprecated, read without a DeprecationWarning.

    CrewAI's own code reads its deprecated fields (``function_calling_llm``,
    ``multimodal``, ``reasoning``...) on every agent, kickoff and task; we never set
    them. Reading them quietly keeps warnings meaningful (errors in our tests)
    without hiding anything this backend does.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            raise AttributeError(self.name)
        return obj.__dict__[self.name]

    def __set__(self, obj: Any, value: Any) -> None:  # pydantic's __setattr__ sets fields
        raise AttributeError(self.name)


def _quiet(cls: type[Any]) -> type[Any]:
    for name, field in cls.model_fields.items():
        if field.deprecated:
            setattr(cls, name, _QuietField(name))
    return cls


@_quiet
class _Agent(Agent):
    """CrewAI's Agent, reading its deprecated fields quietly."""


@_quiet
class _Crew(Crew):
    """CrewAI's Crew, reading its deprecated fields quietly."""


def backstory(agent: AgentNode, context: Sequence[str] = ()) -> str:
    """The agent's backstory: what ``agent_system_prompt`` says after its name and goal."""
    parts = []
    if agent.role:
        parts.append(f"Role: {agent.role}")
    if agent.instructions:
        parts.append(agent.instructions)
    if context:
        parts.append("Relevant context:\n" + "\n".join(f"- {text}" for text in context))
    return "\n".join(parts)


def task_description(received: str, history: Sequence[tuple[str, str]]) -> str:
    """A task: what the step receives, then the thread so far as CrewAI writes a conversation."""
    if not history:
        return received
    turns = "\n".join(f"{role.capitalize()}: {text}" for role, text in history)
    instruction = I18N_DEFAULT.slice("conversation_history_instruction")
    return f"{received}\n\n{instruction}\n\n{turns}"


class Kit:
    """CrewAI objects for one graph, used by one run at a time."""

    def __init__(self, graph: IRGraph, plan: Plan) -> None:
        self.graph = graph
        self.llms: dict[str, MeteredLLM] = {}
        self.tools: dict[str, list[CrewTool]] = {}
        self.agents: dict[str, Agent] = {}
        self.tasks: dict[str, Task] = {}
        self.crews: dict[str, Crew] = {}
        self.meters: dict[str, Meter] = {}
        self.manager_meter: ManagerMeter | None = None
        for node in graph.nodes:
            if node.model is not None:
                self.llms[node.id] = build_llm(node.model)
        self.manager_llm = build_llm(graph.manager) if graph.manager is not None else None
        for unit in plan.units:
            if unit.is_chain:
                self.crews[unit.id] = self._crew(unit)

    def _crew(self, unit: Unit) -> Crew:
        for node in unit.nodes:
            spec: AgentNode = node.spec
            self.tools[node.id] = [crew_tool(t) for t in node.tools]
            self.agents[node.id] = _Agent(
                role=spec.name,
                goal=spec.goal,
                backstory=backstory(spec),
                llm=self.llms[node.id],
                tools=self.tools[node.id],
                max_iter=spec.max_iterations,
                max_retry_limit=0,
                allow_delegation=False,
                respect_context_window=False,
                verbose=False,
            )
            self.tasks[node.id] = Task(
                name=node.id,
                description=node.label,  # what the step receives, set for each run
                expected_output=spec.goal or EXPECTED_OUTPUT,
                agent=self.agents[node.id],
                context=[],
                callback=_task_done,
            )
        hierarchy: dict[str, Any] = {"process": Process.sequential}
        if self.manager_llm is not None:  # the spec asks for a manager who delegates
            hierarchy = {"process": Process.hierarchical, "manager_agent": self._manager()}
        return _Crew(
            name=f"{self.graph.name}: {unit.id}",
            agents=[self.agents[n.id] for n in unit.nodes],
            tasks=[self.tasks[n.id] for n in unit.nodes],
            cache=False,
            memory=False,
            verbose=False,
            tracing=False,
            **hierarchy,
        )

    def _manager(self) -> Agent:
        """The team's manager: CrewAI gives it the tools to delegate to the agents."""
        return _Agent(
            role=MANAGER_ROLE,
            goal="Get each task done well by delegating it to the right coworker.",
            backstory=self.graph.manager_instructions or MANAGER_BACKSTORY,
            llm=self.manager_llm,
            allow_delegation=True,
            max_retry_limit=0,
            respect_context_window=False,
            verbose=False,
        )

    def bind(self, run: Run) -> None:
        """Count this kit's model and tool calls for ``run`` (streaming agents if it asks)."""
        if self.manager_llm is not None and self.graph.manager is not None:
            first = next(n for n in self.graph.nodes if n.kind == "agent")
            self.manager_meter = ManagerMeter(run, first, self.graph.manager)
            self.manager_llm.bind(self.manager_meter, stream=False)
        for node_id, llm in self.llms.items():
            node = self.graph.node(node_id)
            meter = Meter(run, node)
            self.meters[node_id] = meter
            llm.bind(meter, stream=run.request.stream_tokens and node.kind == "agent")
            for tool in self.tools.get(node_id, ()):
                tool.bind(meter)

    async def aclose(self) -> None:
        for llm in self.llms.values():
            await llm.aclose()
        if self.manager_llm is not None:
            await self.manager_llm.aclose()

    def unbind(self) -> None:
        if self.manager_llm is not None:
            self.manager_llm.bind(None, stream=False)
            self.manager_meter = None
        for node_id, llm in self.llms.items():
            llm.bind(None, stream=False)
            for tool in self.tools.get(node_id, ()):
                tool.bind(None)
        self.meters.clear()


class KitPool:
    """Kits of one compiled graph: a run takes a free one (or a new one) and gives it back."""

    def __init__(self, build: Callable[[], Kit]) -> None:
        self._build = build
        self._free: list[Kit] = []

    def acquire(self) -> Kit:
        return self._free.pop() if self._free else self._build()

    def release(self, kit: Kit) -> None:
        """Return a kit after a clean run.

        The kit of a run cut short is not returned: a model call it started may still
        be waiting in a worker thread (CrewAI's agents call models synchronously); it
        ends when the reply comes or the endpoint's timeout passes, with no effect,
        since its run is closed. (Closing the client under it would not wake the
        thread, only make it wait longer.)
        """
        kit.unbind()
        self._free.append(kit)

    def take_all(self) -> list[Kit]:
        """The free kits, no longer the pool's (to close them)."""
        kits, self._free = self._free, []
        return kits


class ChainRun:
    """One run of a chain's crew: opens each node before its task, closes it after."""

    def __init__(self, run: Run, kit: Kit, unit: Unit) -> None:
        self.run, self.kit, self.unit = run, kit, unit
        self.index = -1
        self.call: NodeCall | None = None

    @property
    def node(self) -> IRNode:
        return self.unit.nodes[max(self.index, 0)]

    async def open(self, index: int, received: str) -> None:
        run, node = self.run, self.unit.nodes[index]
        self.index = index
        await run.sink.caught_up()
        self.call = run.begin(node, received)
        self.kit.meters[node.id].usage = self.call.usage
        if self.kit.manager_meter is not None:  # the manager's calls count at this step
            self.kit.manager_meter.node, self.kit.manager_meter.usage = node, self.call.usage
        memory, scope = run.services.memory, run.request.memory_scope
        context = await agent_context(node, run.state.values, memory, scope, received, run.sink.put)
        self.kit.agents[node.id].backstory = backstory(node.spec, context)
        turns = earlier_turns(run.state.history)
        self.kit.tasks[node.id].description = task_description(received, turns)

    async def task_done(self, output: str) -> None:
        assert self.call is not None
        self.run.finish(self.call, output)
        if self.index + 1 < len(self.unit.nodes):
            await self.open(self.index + 1, output)


_CHAIN: ContextVar[ChainRun | None] = ContextVar("orchestrall_crewai_chain", default=None)


async def _task_done(output: Any) -> None:
    """Every task's callback (module level, as CrewAI wants): the chain run here moves on."""
    chain = _CHAIN.get()
    if chain is not None:
        await chain.task_done(str(output.raw))


async def run_chain(run: Run, kit: Kit, unit: Unit) -> None:
    """Run a chain of agents as its sequential crew, reporting each agent as a node."""
    chain = ChainRun(run, kit, unit)
    token = _CHAIN.set(chain)
    try:
        await chain.open(0, run.received(unit.head))
        await kit.crews[unit.id].akickoff()
    except Exception as exc:  # CrewAI's ValueError for an empty answer: model_bad_response
        error = translate_error(exc, chain.node)
        if error is exc:
            raise
        raise error from exc
    finally:
        _CHAIN.reset(token)
