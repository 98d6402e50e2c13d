"""CrewAI export: the project layout of ``crewai create crew`` for a straight path of agents.

Files: ``pyproject.toml``, ``README.md``, ``.env.example`` and ``src/<package>/``
with ``crew.py`` (a ``@CrewBase`` class: LLMs, tools, agents, tasks, a
sequential crew), ``main.py`` and ``config/agents.yaml`` + ``config/tasks.yaml``.

Mapping: each agent node is an agent (``role`` = name, ``backstory`` = role,
``goal`` = goal, ``max_iter`` = max_iterations + 1) with one task
(``description`` = instructions; the first task also receives the input, the
others get only the previous task's output as ``context``, as in Orchestrall).
"""

from __future__ import annotations

import json

import yaml

from agent_runtime.exporters._bundle import (
    ExportBundle,
    ExportOptions,
    class_name,
    docstring,
    identifier,
    lit,
    py_str,
    refuse,
    snake_name,
)
from agent_runtime.exporters._crew_names import (
    CONTINUE,
    EXPECTED_OUTPUT,
    PLACEHOLDER,
    crewai_tool_method,
    input_block,
)
from agent_runtime.exporters._plan import (
    NOT_EXPORTED,
    ModelPlan,
    check,
    model_plan,
    pipeline,
    used_models,
)
from agent_runtime.exporters._readme import env_example, readme
from agent_runtime.exporters._tool_source import tool_function
from agent_runtime.spec import AgentNode, GraphSpec

TARGET = "CrewAI"
CAPABILITIES = frozenset({"node.input", "node.output", "node.agent", "agent.tools"})
_RESERVED = {
    "crew", "agents", "tasks", "agents_config", "tasks_config", "agent", "task", "tool", "llm",
    "os", "LLM", "Agent", "Crew", "Process", "Task", "BaseAgent", "BaseTool", "CrewBase",
    "function_tool", "require_env",
}  # fmt: skip
"""Names the crew class's methods must not take (its decorators and imports)."""


def export_crewai(spec: GraphSpec, options: ExportOptions) -> ExportBundle:
    """The CrewAI project of ``spec`` (ExportError for anything but a straight path of agents)."""
    check(spec, TARGET, CAPABILITIES)
    agents: list[AgentNode] = pipeline(spec)
    fields = [f.name for f in next(n for n in spec.nodes if n.kind == "input").fields]
    _refuse_placeholders(agents)
    package = snake_name(spec.name, fallback="crew")
    if package in ("crewai", "src", "test", "tests"):
        package += "_crew"
    cls = class_name(spec.name, fallback="Exported") + (
        "" if spec.name.lower().endswith("crew") else "Crew"
    )
    names = set(_RESERVED)
    keys = {a.id: identifier(a.id, fallback="agent", taken=names) for a in agents}
    tasks = {a.id: identifier(f"{keys[a.id]}_task", taken=names) for a in agents}
    plans = [model_plan(m, options.demo_base_url) for m in used_models(spec)]
    llms = {p.spec.id: identifier(p.spec.id, fallback="llm", taken=names) for p in plans}
    tools = {t.id: crewai_tool_method(t.id, t.name) for t in spec.tools}
    for tool_id, method in list(tools.items()):
        tools[tool_id] = identifier(method, taken=names)
    notes = [NOT_EXPORTED] + [
        f"tool '{t.id}' is offered to the model as '{identifier(t.id)}' "
        "(CrewAI allows letters, digits and _ in tool names)"
        for t in spec.tools
        if identifier(t.id) != t.id
    ]
    agents_yaml = {
        keys[a.id]: {
            "role": a.name,
            "goal": a.goal,
            "backstory": a.role,
            "llm": llms[a.model or spec.default_model],
            **({"tools": [tools[t] for t in a.tools]} if a.tools else {}),
            "max_iter": a.max_iterations + 1,
        }
        for a in agents
    }
    tasks_yaml = {}
    for index, a in enumerate(agents):
        description = a.instructions or ("" if index == 0 else CONTINUE)
        if index == 0:
            description = "\n\n".join(p for p in (description, input_block(fields)) if p)
        entry = {
            "description": description,
            "expected_output": EXPECTED_OUTPUT,
            "agent": keys[a.id],
        }
        if index:
            entry["context"] = [tasks[agents[index - 1].id]]
        tasks_yaml[tasks[a.id]] = entry
    crew_py = _crew_py(spec, package, cls, plans, llms, tools, agents, keys, tasks)
    run = [
        "pip install -e .            # or: crewai install",
        f'python -m {package}.main "your message"   # or: crewai run',
    ]
    src = f"src/{package}"
    files = {
        f"{src}/crew.py": crew_py,
        f"{src}/config/agents.yaml": _yaml(agents_yaml),
        f"{src}/config/tasks.yaml": _yaml(tasks_yaml),
        f"{src}/main.py": _main_py(package, cls, fields[0]),
        f"{src}/__init__.py": "",
        "pyproject.toml": _pyproject(spec, package),
        ".env.example": env_example(plans),
        "README.md": readme(spec, "CrewAI", plans, run, notes),
    }
    return ExportBundle("crewai", files, tuple(notes))


def _refuse_placeholders(agents: list[AgentNode]) -> None:
    """CrewAI fills ``{name}`` from the inputs and fails on unknown names: refuse such text."""
    problems = []
    for agent in agents:
        for field in ("name", "role", "goal", "instructions"):
            found = PLACEHOLDER.search(getattr(agent, field))
            if found:
                problems.append(
                    (
                        agent.id,
                        f"has {found.group(0)} in its {field}, which CrewAI would read "
                        "as an input placeholder (rephrase it, e.g. without braces)",
                    )
                )
    if problems:
        raise refuse(TARGET, problems)


class _LiteralDumper(yaml.SafeDumper):
    """Multi-line strings as ``|`` blocks, so prompts stay readable."""


def _str_representer(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_LiteralDumper.add_representer(str, _str_representer)


def _yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True, width=100)


def _llm_method(plan: ModelPlan, name: str) -> str:
    model = plan.spec
    prefix = "azure" if model.provider == "azure_openai" else "openai"
    args = [f"model={lit(prefix + '/' + model.model)}"]
    if plan.base_url_env:
        args.append(f"base_url=os.environ.get({lit(plan.base_url_env)}, {lit(plan.base_url)})")
    else:
        args.append(f"base_url={lit(plan.base_url)}")
    key = f"require_env({lit(plan.key_env)})" if plan.key_env else lit(plan.fixed_key)
    args.append(f"api_key={key}")
    if model.api_version:
        args.append(f"api_version={lit(model.api_version)}")
    if model.temperature is not None:
        args.append(f"temperature={lit(model.temperature)}")
    if model.max_tokens is not None:
        args.append(f"max_tokens={lit(model.max_tokens)}")
    body = "".join(f"            {a},\n" for a in args)
    summary, *details = plan.doc_lines()
    doc = docstring(summary + ".", [d + "." for d in details], indent="        ")
    return (
        f"    @llm\n    def {name}(self) -> LLM:\n        {doc}\n"
        f"        return LLM(\n{body}        )\n"
    )


def _crew_py(spec, package, cls, plans, llms, tools, agents, keys, tasks) -> str:
    uses_env = any(p.env_names for p in plans)
    lines = [
        py_str(
            f"{spec.name} — a CrewAI crew exported from Orchestrall.\n\n"
            "Agents and tasks are in config/agents.yaml and config/tasks.yaml; run it with\n"
            f'`crewai run` or `python -m {package}.main "your message"`.\n'
        ),
        "",
        *(["import os", ""] if uses_env else []),
        "from crewai import LLM, Agent, Crew, Process, Task",
        "from crewai.agents.agent_builder.base_agent import BaseAgent",
        "from crewai.project import CrewBase, agent, crew, llm, task" + (", tool" if tools else ""),
    ]
    if tools:
        lines += [
            "from crewai.tools import BaseTool",
            "from crewai.tools import tool as function_tool",
        ]
    if any(p.key_env for p in plans):
        lines += [
            "",
            "",
            "def require_env(name: str) -> str:",
            '    """The value of an environment variable a model needs, or a clear error."""',
            "    value = os.environ.get(name)",
            "    if not value:",
            "        raise RuntimeError(",
            '            f"Set the environment variable {name}: a model of this crew needs it."',
            "        )",
            "    return value",
        ]
    for tool in spec.tools:
        lines += ["", ""]
        func = f"{tools[tool.id]}_function"
        decorator = f"@function_tool({lit(identifier(tool.id))})"
        lines.append(tool_function(tool, func, decorator=decorator).rstrip("\n"))
    order = " → ".join(a.name for a in agents)
    lines += [
        "",
        "",
        "@CrewBase",
        f"class {cls}:",
        f"    {py_str(f'{spec.name}: {order}, in order.')}",
        "",
        "    agents: list[BaseAgent]",
        "    tasks: list[Task]",
        '    agents_config = "config/agents.yaml"',
        '    tasks_config = "config/tasks.yaml"',
    ]
    for plan in plans:
        lines += ["", _llm_method(plan, llms[plan.spec.id]).rstrip("\n")]
    for tool in spec.tools:
        lines += [
            "",
            "    @tool",
            f"    def {tools[tool.id]}(self) -> BaseTool:",
            f"        return {tools[tool.id]}_function",
        ]
    for a in agents:
        lines += [
            "",
            "    @agent",
            f"    def {keys[a.id]}(self) -> Agent:",
            f"        return Agent(config=self.agents_config[{lit(keys[a.id])}])",
        ]
    for a in agents:
        lines += [
            "",
            "    @task",
            f"    def {tasks[a.id]}(self) -> Task:",
            f"        return Task(config=self.tasks_config[{lit(tasks[a.id])}])",
        ]
    lines += [
        "",
        "    @crew",
        "    def crew(self) -> Crew:",
        '        """The agents work one after the other, each on the previous one\'s result."""',
        "        return Crew(agents=self.agents, tasks=self.tasks, process=Process.sequential)",
    ]
    return "\n".join(lines) + "\n"


def _main_py(package: str, cls: str, field: str) -> str:
    return f'''"""Run the crew: python -m {package}.main "your message" (or `crewai run`)."""

from __future__ import annotations

import json
import sys

from {package}.crew import {cls}


def run() -> None:
    """Kick the crew off with the message (or a JSON object of input fields); print its result."""
    text = " ".join(sys.argv[1:]) or input("Message: ")
    inputs = json.loads(text) if text.lstrip().startswith("{{") else {{{lit(field)}: text}}
    print({cls}().crew().kickoff(inputs=inputs).raw)


if __name__ == "__main__":
    run()
'''


def _pyproject(spec: GraphSpec, package: str) -> str:
    return f"""[project]
name = "{package}"
version = "0.1.0"
description = {json.dumps(f"{spec.name} (exported from Orchestrall)")}
requires-python = ">=3.10,<3.14"
dependencies = ["crewai>=1.0"]

[project.scripts]
{package} = "{package}.main:run"
run_crew = "{package}.main:run"

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.crewai]
type = "crew"
"""
