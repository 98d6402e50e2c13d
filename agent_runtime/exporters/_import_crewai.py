"""Import a CrewAI crew (``config/agents.yaml`` + ``config/tasks.yaml``) as a graph spec.

The tasks, in file order, become a straight path (CrewAI's sequential process):
each task is an agent node made from its agent (``role`` → name, ``backstory``
→ role, ``goal`` → goal) and the task (``description`` → instructions).
``{placeholders}`` become the input node's fields. YAML is read with a safe
loader that refuses anchors; crew.py is never read, so ``llm`` names are
matched against known model strings and tool names against Orchestrall's
built-ins (others are left out, with a warning).
"""

from __future__ import annotations

import re
from typing import Any

from agent_runtime.errors import ImportFormatError
from agent_runtime.exporters._crew_names import (
    CONTINUE,
    EXPECTED_OUTPUT,
    PLACEHOLDER,
    builtin_for,
    input_block,
)
from agent_runtime.exporters._import_common import (
    ImportResult,
    ModelCatalog,
    fresh_id,
    load_yaml,
    straight_spec,
    text_field,
)

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def import_crewai(
    agents_yaml: str | bytes,
    tasks_yaml: str | bytes,
    *,
    name: str = "Imported crew",
    agents_source: str = "agents.yaml",
    tasks_source: str = "tasks.yaml",
) -> ImportResult:
    """A spec from a CrewAI agents.yaml and tasks.yaml; ImportFormatError says what is wrong."""
    agents = _mapping(load_yaml(agents_yaml, agents_source), agents_source, "agent")
    tasks = _mapping(load_yaml(tasks_yaml, tasks_source), tasks_source, "task")
    if not tasks:
        raise ImportFormatError(f"{tasks_source}: there are no tasks.")
    warnings: list[str] = []
    models, tools, taken = ModelCatalog(), {}, {"input", "output"}
    fields = _fields(agents, tasks)
    steps = []
    previous = None
    for task_key, task in tasks.items():
        where = f"{tasks_source}: task '{task_key}'"
        agent_key = text_field(task, "agent", where)
        if not agent_key:
            raise ImportFormatError(
                f"{where} names no agent; hierarchical crews (a manager assigning tasks) "
                "cannot be imported."
            )
        if agent_key not in agents:
            raise ImportFormatError(f"{where}: agent '{agent_key}' is not in {agents_source}.")
        context = task.get("context")
        if context not in (None, [], [previous] if previous else []):
            warnings.append(
                f"task '{task_key}': its context was not imported; each agent receives the "
                "previous step's output"
            )
        for flag in ("human_input", "async_execution"):
            if task.get(flag):
                warnings.append(f"task '{task_key}': {flag} was not imported")
        agent_where = f"{agents_source}: agent '{agent_key}'"
        step = _agent_step(agents[agent_key], agent_key, agent_where, models, tools, warnings)
        step["id"] = fresh_id(agent_key, taken, "agent")
        instructions = _instructions(task, where, fields, first=previous is None)
        backstory = step.pop("backstory", "")
        step["instructions"] = "\n\n".join(p for p in (backstory, instructions) if p)
        step["tools"] = list(
            dict.fromkeys(step["tools"] + _tools(task.get("tools"), where, tools, warnings))
        )
        steps.append(step)
        previous = task_key
    if fields != ["message"]:
        warnings.append(
            "placeholders " + ", ".join(f"{{{f}}}" for f in fields) + " became the input's "
            "fields; the first agent receives their values as its task"
        )
    spec = straight_spec(
        name, "", models=models.models, tools=list(tools.values()), steps=steps,
        fields=fields, source=tasks_source,
    )  # fmt: skip
    return ImportResult(spec, "crewai", tuple(warnings))


def _mapping(data: Any, source: str, what: str) -> dict[str, dict[str, Any]]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ImportFormatError(f"{source}: expected a mapping of {what} names to settings.")
    for key, value in data.items():
        if not isinstance(key, str) or not isinstance(value, dict):
            raise ImportFormatError(
                f"{source}: '{str(key)[:60]}' must be a {what} name with a mapping of settings."
            )
    return data


def _fields(agents: dict[str, dict], tasks: dict[str, dict]) -> list[str]:
    """Input fields: the placeholders the texts use, in order of first use."""
    found: list[str] = []
    texts = [v for t in tasks.values() for v in (t.get("description"), t.get("expected_output"))]
    texts += [
        v for a in agents.values() for v in (a.get("role"), a.get("goal"), a.get("backstory"))
    ]
    for text in texts:
        if isinstance(text, str):
            found += [m for m in PLACEHOLDER.findall(text) if _FIELD.match(m)]
    return list(dict.fromkeys(found)) or ["message"]


def _agent_step(agent, key, where, models, tools, warnings) -> dict[str, Any]:
    role_text = text_field(agent, "role", where, required=True)
    backstory = text_field(agent, "backstory", where)
    max_iter = agent.get("max_iter")
    iterations = max_iter - 1 if isinstance(max_iter, int) and not isinstance(max_iter, bool) else 5
    step: dict[str, Any] = {
        "kind": "agent",
        "name": role_text[:100] or key,
        "role": backstory if len(backstory) <= 500 else "",
        "goal": text_field(agent, "goal", where)[:2000],
        "model": _model(agent.get("llm"), where, models, warnings),
        "tools": _tools(agent.get("tools"), where, tools, warnings),
        "max_iterations": min(max(iterations, 1), 50),
    }
    if len(backstory) > 500:
        step["backstory"] = backstory  # kept with the instructions (roles are short)
    for flag in ("allow_delegation", "allow_code_execution", "knowledge_sources", "memory"):
        if agent.get(flag):
            warnings.append(f"agent '{key}': {flag} was not imported")
    return step


def _instructions(task: dict[str, Any], where: str, fields: list[str], *, first: bool) -> str:
    description = text_field(task, "description", where, required=True)
    block = input_block(fields)
    if first and description.endswith(block):
        description = description.removesuffix(block).strip()  # what the exporter added
    if description == CONTINUE:
        description = ""
    expected = text_field(task, "expected_output", where)
    if expected and expected != EXPECTED_OUTPUT:
        description = "\n\n".join(p for p in (description, f"Expected output: {expected}") if p)
    if len(description) > 20000:
        raise ImportFormatError(f"{where}: the description is longer than 20,000 characters.")
    return description


_DEMO_NAMES = {"demo", "orchestrall-demo", "openai/orchestrall-demo"}


def _model(value: Any, where: str, models: ModelCatalog, warnings: list[str]) -> str:
    """A model from an ``llm`` string: the demo model, ``openai/<model>`` or a bare model name."""
    if value is None:
        return models.add(provider="demo", model="orchestrall-demo")
    if not isinstance(value, str) or not value.strip():
        raise ImportFormatError(f"{where}: 'llm' must be a model name.")
    text = value.strip()
    if text.lower() in _DEMO_NAMES:
        return models.add(provider="demo", model="orchestrall-demo")
    provider, _, model = text.rpartition("/")
    if provider in ("", "openai") and re.fullmatch(r"(gpt-|o\d|chatgpt-)[\w.:-]+", model):
        return models.add(provider="openai", model=model, api_key_secret="OPENAI_API_KEY")
    warnings.append(
        f"{where}: llm '{text[:60]}' is defined in crew.py or is not an OpenAI model; the "
        "agent uses the demo model (choose its model in the builder)"
    )
    return models.add(provider="demo", model="orchestrall-demo")


def _tools(value: Any, where: str, tools: dict[str, dict], warnings: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ImportFormatError(f"{where}: 'tools' must be a list of tool names.")
    ids = []
    for name in value:
        match = builtin_for(name)
        if match is None or match[0] == "http_request":
            why = (
                "choose the hosts it may call in Orchestrall and add it there"
                if match
                else "only Orchestrall's built-in tools (calculator, current_time, word_count) "
                "can be; crew.py is not read"
            )
            warnings.append(f"{where}: tool '{name[:60]}' was not imported: {why}")
            continue
        builtin, tool_id = match
        tools.setdefault(tool_id, {"kind": "builtin", "id": tool_id, "name": builtin})
        if tools[tool_id]["name"] != builtin:
            raise ImportFormatError(f"{where}: two different tools are called '{tool_id}'.")
        ids.append(tool_id)
    return ids
