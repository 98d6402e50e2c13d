"""AutoGen export: the team as AutoGen's declarative component JSON (``Team.load_component``).

One file, ``<name>.team.json``: a ``RoundRobinGroupChat`` whose participants are
the path's agents in order, each an ``AssistantAgent`` with the same system
prompt as in Orchestrall, its model client and its built-in tools as
``FunctionTool`` components (AutoGen keeps a tool's Python source in the JSON;
ours are the safe built-ins, see ``_tool_source``). ``max_turns`` is the number
of agents, so each speaks once, and the last one's message is the result.

The JSON is written to match what ``dump_component()`` of AutoGen 0.7 produces,
without importing AutoGen. AutoGen reads no environment-variable names from
JSON: a model that needs a key leaves ``api_key`` out, so the OpenAI client
reads ``OPENAI_API_KEY`` (Azure: ``AZURE_OPENAI_API_KEY``); the component's
description names the Orchestrall secret it came from.
"""

from __future__ import annotations

import json
from typing import Any

from agent_runtime.compiler import agent_system_prompt
from agent_runtime.exporters._bundle import ExportBundle, ExportOptions, identifier, snake_name
from agent_runtime.exporters._crew_names import NODE_ID_KEY
from agent_runtime.exporters._plan import (
    NOT_EXPORTED,
    SDK_KEY_ENV,
    ModelPlan,
    agent_model,
    check,
    model_plan,
    pipeline,
)
from agent_runtime.exporters._tool_source import tool_description, tool_function
from agent_runtime.spec import AgentNode, BuiltinToolSpec, GraphSpec

TARGET = "AutoGen"
CAPABILITIES = frozenset({"node.input", "node.output", "node.agent", "agent.tools"})

OPENAI_CLIENT = "autogen_ext.models.openai.OpenAIChatCompletionClient"
AZURE_CLIENT = "autogen_ext.models.openai.AzureOpenAIChatCompletionClient"
ROUND_ROBIN = "autogen_agentchat.teams.RoundRobinGroupChat"
ASSISTANT = "autogen_agentchat.agents.AssistantAgent"
FUNCTION_TOOL = "autogen_core.tools.FunctionTool"
WORKBENCH = "autogen_core.tools.StaticStreamWorkbench"
UNBOUNDED_CONTEXT = "autogen_core.model_context.UnboundedChatCompletionContext"


def export_autogen(spec: GraphSpec, options: ExportOptions) -> ExportBundle:
    """``<name>.team.json`` for ``spec`` (ExportError for anything but a straight path)."""
    check(spec, TARGET, CAPABILITIES)
    agents: list[AgentNode] = pipeline(spec)
    tools = {t.id: t for t in spec.tools}
    names: set[str] = set()
    participants = [
        _agent(a, identifier(a.name, fallback="agent", taken=names), spec, tools, options)
        for a in agents
    ]
    team = _component(
        ROUND_ROBIN,
        "team",
        label=spec.name,
        description=spec.description or "Exported from Orchestrall: the agents speak in order.",
        config={
            "name": identifier(spec.name, fallback="team"),
            "description": spec.description or spec.name,
            "participants": participants,
            "max_turns": len(participants),
            "emit_team_events": False,
        },
    )
    notes = []
    for plan in {p.spec.id: p for p in _plans(agents, spec, options)}.values():
        if plan.key_env and plan.key_env != SDK_KEY_ENV.get(plan.spec.provider):
            notes.append(
                f"model '{plan.spec.id}' reads its key from "
                f"{SDK_KEY_ENV.get(plan.spec.provider, 'OPENAI_API_KEY')} in AutoGen "
                f"(set it to the value of {plan.key_env})"
            )
    notes.append("the agents share one conversation: each sees the messages before its turn")
    notes.append(NOT_EXPORTED)
    text = json.dumps(team, indent=2, ensure_ascii=False) + "\n"
    return ExportBundle("autogen", {f"{snake_name(spec.name)}.team.json": text}, tuple(notes))


def _plans(agents: list[AgentNode], spec: GraphSpec, options: ExportOptions) -> list[ModelPlan]:
    return [model_plan(agent_model(spec, a), options.demo_base_url) for a in agents]


def _component(
    provider: str, kind: str, *, config: dict[str, Any], label: str, description: str,
    version: int = 1,
) -> dict[str, Any]:  # fmt: skip
    return {
        "provider": provider,
        "component_type": kind,
        "version": version,
        "component_version": version,
        "description": description,
        "label": label,
        "config": config,
    }


def _agent(
    agent: AgentNode,
    name: str,
    spec: GraphSpec,
    tools: dict[str, BuiltinToolSpec],
    options: ExportOptions,
) -> dict[str, Any]:
    plan = model_plan(agent_model(spec, agent), options.demo_base_url)
    workbench = _component(
        WORKBENCH,
        "workbench",
        label="StaticStreamWorkbench",
        description="A workbench with a static set of tools.",
        config={"tools": [_tool(tools[t]) for t in agent.tools], "tool_overrides": {}},
    )
    context = _component(
        UNBOUNDED_CONTEXT,
        "chat_completion_context",
        label="UnboundedChatCompletionContext",
        description="Keeps every message of the conversation.",
        config={},
    )
    config = {
        "name": name,
        "model_client": _model_client(plan),
        "workbench": [workbench],
        "model_context": context,
        "description": agent.role or agent.goal or agent.name,
        "system_message": agent_system_prompt(agent),
        "model_client_stream": False,
        "reflect_on_tool_use": bool(agent.tools),
        "tool_call_summary_format": "{result}",
        "max_tool_iterations": agent.max_iterations,
        "metadata": {NODE_ID_KEY: agent.id},
    }
    return _component(
        ASSISTANT, "agent", label=agent.name, description=agent.goal or agent.name,
        config=config, version=2,
    )  # fmt: skip


def _model_client(plan: ModelPlan) -> dict[str, Any]:
    model = plan.spec
    config: dict[str, Any] = {"model": model.model}
    if model.provider == "azure_openai":
        config.update(
            azure_endpoint=model.base_url,
            azure_deployment=model.model,
            api_version=model.api_version,
        )
    elif model.provider != "openai" or model.base_url:
        config["base_url"] = plan.base_url  # AutoGen cannot read it from a variable
    if plan.fixed_key:
        config["api_key"] = plan.fixed_key  # "demo" / "not-needed": not secrets
    if model.temperature is not None:
        config["temperature"] = model.temperature
    if model.max_tokens is not None:
        config["max_tokens"] = model.max_tokens
    config["model_info"] = {
        "vision": False,
        "function_calling": True,
        "json_output": False,
        "family": "unknown",
        "structured_output": False,
    }
    key_note = ""
    if plan.key_env:
        sdk = SDK_KEY_ENV.get(model.provider, "OPENAI_API_KEY")
        key_note = f" The API key is read from ${sdk}" + (
            f" (Orchestrall secret {plan.key_env})." if plan.key_env != sdk else "."
        )
    return _component(
        AZURE_CLIENT if model.provider == "azure_openai" else OPENAI_CLIENT,
        "model",
        label=model.id,
        description=plan.describe() + "." + key_note,
        config=config,
    )


def _tool(tool: BuiltinToolSpec) -> dict[str, Any]:
    return _component(
        FUNCTION_TOOL,
        "tool",
        label=tool.name,  # the built-in it is: importers read this, never the code
        description=tool_description(tool),
        config={
            "source_code": tool_function(tool, identifier(tool.id, fallback="tool")),
            "name": tool.id,
            "description": tool_description(tool),
            "global_imports": [],
            "has_cancellation_support": False,
        },
    )
