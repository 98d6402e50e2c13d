"""Import an AutoGen team (component JSON, as AutoGen Studio saves it) as a graph spec.

Accepted: a ``RoundRobinGroupChat`` team (its participants become a straight
path, in order) or a single ``AssistantAgent``; ``UserProxyAgent`` participants
become human input steps. Models must be OpenAI or Azure OpenAI clients (any
OpenAI-compatible server). The JSON is read as data only: component providers
are compared with a fixed list, never imported, and a ``FunctionTool``'s
``source_code`` is never read or run — a tool is kept only when its name (or
label) is one of Orchestrall's built-ins, which then does the work.
"""

from __future__ import annotations

import re
from typing import Any

from agent_runtime.errors import ImportFormatError
from agent_runtime.exporters._bundle import identifier
from agent_runtime.exporters._crew_names import NODE_ID_KEY, builtin_for
from agent_runtime.exporters._import_common import (
    ImportResult,
    ModelCatalog,
    fresh_id,
    load_json,
    straight_spec,
    text_field,
)

_TEAMS = {"RoundRobinGroupChat"}
_OTHER_TEAMS = {"SelectorGroupChat", "Swarm", "MagenticOneGroupChat", "GraphFlow"}
_AGENTS = {"AssistantAgent", "UserProxyAgent"}
_MODELS = {"OpenAIChatCompletionClient", "AzureOpenAIChatCompletionClient"}
_WORKBENCHES = {"StaticWorkbench", "StaticStreamWorkbench"}
_PLACEHOLDER_KEYS = {"", "demo", "not-needed", "**********"}
_PACKAGES = ("autogen_agentchat.", "autogen_ext.", "autogen_core.")
_TEAM_BOILERPLATE = ("A team that runs a group chat", "Exported from Orchestrall")


def import_autogen(data: str | bytes, *, source: str = "team.json") -> ImportResult:
    """A spec from an AutoGen team or agent component; ImportFormatError says what is wrong."""
    doc = load_json(data, source)
    component = _component(doc, source)
    kind = _class(component, source)
    warnings: list[str] = []
    if kind in _TEAMS:
        config = component["config"]
        participants = config.get("participants")
        if not isinstance(participants, list) or not participants:
            raise ImportFormatError(f"{source}: the team has no participants.")
        _turn_warning(config, len(participants), warnings)
        name = _team_name(component, source)
        description = text_field(component, "description", source)
        if description.startswith(_TEAM_BOILERPLATE):
            description = ""
    elif kind in _AGENTS:
        participants, description = [component], ""
        name = text_field(component["config"], "name", source) or "Imported agent"
    elif kind in _OTHER_TEAMS:
        raise ImportFormatError(
            f"{source}: a {kind} team cannot be imported: only RoundRobinGroupChat teams "
            "(agents taking turns in order) and single AssistantAgents map to a graph."
        )
    else:
        raise ImportFormatError(
            f"{source}: a {kind} component is not a team or an agent; export a team "
            "(RoundRobinGroupChat) from AutoGen Studio."
        )
    models, tools, taken = ModelCatalog(), {}, {"input", "output"}
    steps = []
    for index, item in enumerate(participants):
        where = f"{source}: participant {index + 1}"
        steps.append(_step(_component(item, where), where, models, tools, taken, warnings))
    spec = straight_spec(
        name,
        description,
        models=models.models,
        tools=list(tools.values()),
        steps=steps,
        source=source,
    )
    return ImportResult(spec, "autogen", tuple(warnings))


def _component(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ImportFormatError(f"{where}: not an AutoGen component (expected a JSON object).")
    if not isinstance(value.get("provider"), str) or not isinstance(value.get("config"), dict):
        raise ImportFormatError(
            f"{where}: not an AutoGen component: it needs a 'provider' name and a 'config' object."
        )
    return value


def _class(component: dict[str, Any], where: str) -> str:
    """The component's class name, when its provider is AutoGen's own (never imported)."""
    provider = component["provider"]
    module, _, name = provider.rpartition(".")
    if module and not provider.startswith(_PACKAGES):
        raise ImportFormatError(f"{where}: unknown component provider '{provider[:200]}'.")
    return name or provider


def _team_name(component: dict[str, Any], source: str) -> str:
    for value in (component.get("label"), component["config"].get("name")):
        if isinstance(value, str) and value.strip() and value.strip() not in _TEAMS:
            return value.strip()
    return re.sub(r"(\.team)?\.json$", "", source.rsplit("/", 1)[-1]) or "Imported team"


def _turn_warning(config: dict[str, Any], agents: int, warnings: list[str]) -> None:
    max_turns = config.get("max_turns")
    if max_turns == agents:
        return
    if isinstance(max_turns, int) and max_turns < agents:
        warnings.append(
            f"the team stops after {max_turns} turns, before every agent speaks; "
            "the imported graph runs every agent once, in order"
        )
    else:
        warnings.append(
            "the team repeats its turns until its termination condition; "
            "the imported graph runs each agent once, in order"
        )


def _step(component, where, models, tools, taken, warnings) -> dict[str, Any]:
    kind = _class(component, where)
    config = component["config"]
    if kind == "UserProxyAgent":
        name = text_field(config, "name", where) or "user"
        prompt = text_field(config, "description", where) or "Your answer:"
        node_id = fresh_id(name, taken, "person")
        return {"id": node_id, "kind": "human", "mode": "input", "label": name, "prompt": prompt}
    if kind != "AssistantAgent":
        raise ImportFormatError(
            f"{where}: a {kind} agent cannot be imported; only AssistantAgent "
            "(and UserProxyAgent as a human step) map to Orchestrall nodes."
        )
    config_name = text_field(config, "name", where, required=True)
    where = f"{where} ('{config_name[:60]}')"
    name, role, goal, instructions = _read_prompt(config, config_name, where)
    metadata = config.get("metadata") if isinstance(config.get("metadata"), dict) else {}
    wanted = metadata.get(NODE_ID_KEY)
    node_id = fresh_id(wanted if isinstance(wanted, str) else name.lower(), taken, "agent")
    if config.get("handoffs"):
        warnings.append(f"agent '{config_name}': handoffs were not imported")
    if config.get("memory"):
        warnings.append(f"agent '{config_name}': its memory was not imported")
    iterations = config.get("max_tool_iterations", 5)
    step = {
        "id": node_id,
        "kind": "agent",
        "name": name[:100],
        "role": role[:500],
        "goal": goal[:2000],
        "instructions": instructions,
        "model": _model(config.get("model_client"), f"{where}: model_client", models, warnings),
        "tools": [_tool(t, where, tools, warnings) for t in _tool_components(config, where)],
        "max_iterations": min(max(iterations, 1), 50) if isinstance(iterations, int) else 5,
    }
    step["tools"] = [t for t in dict.fromkeys(step["tools"]) if t]
    if len(instructions) > 20000:
        raise ImportFormatError(f"{where}: the system message is longer than 20,000 characters.")
    return step


def _read_prompt(config: dict[str, Any], config_name: str, where: str) -> tuple[str, ...]:
    """(name, role, goal, instructions) from the system message.

    A message in Orchestrall's own shape (``You are <name>.`` then optional
    ``Role:`` and ``Goal:`` lines) whose name matches the agent's is split back
    into those fields; any other message becomes the instructions.
    """
    text = text_field(config, "system_message", where)
    lines = text.split("\n")
    first = re.fullmatch(r"You are (.+)\.", lines[0].strip()) if lines else None
    if first is None or identifier(first.group(1), fallback="agent") != config_name:
        return config_name, "", "", text
    rest, role, goal = lines[1:], "", ""
    if rest and rest[0].startswith("Role: "):
        role = rest.pop(0)[len("Role: ") :]
    if rest and rest[0].startswith("Goal: "):
        goal = rest.pop(0)[len("Goal: ") :]
    return first.group(1), role, goal, "\n".join(rest).strip()


def _model(value: Any, where: str, models: ModelCatalog, warnings: list[str]) -> str:
    component = _component(value, where)
    kind = _class(component, where)
    if kind not in _MODELS:
        raise ImportFormatError(
            f"{where}: {kind} is not supported; Orchestrall calls OpenAI-compatible endpoints "
            "(OpenAIChatCompletionClient or AzureOpenAIChatCompletionClient)."
        )
    config = component["config"]
    key = config.get("api_key")
    if isinstance(key, str) and key.strip() not in _PLACEHOLDER_KEYS:
        warnings.append(
            f"{where}: the API key in the file was not imported; store it as a secret "
            "in Orchestrall's settings"
        )
    tuning = {
        "temperature": _number(config.get("temperature"), 0, 2),
        "max_tokens": _number(config.get("max_tokens"), 1, 1_000_000, integer=True),
    }
    if kind == "AzureOpenAIChatCompletionClient":
        return models.add(
            provider="azure_openai",
            model=text_field(config, "azure_deployment", where)
            or text_field(config, "model", where, required=True),
            base_url=_url(text_field(config, "azure_endpoint", where, required=True), where),
            api_version=text_field(config, "api_version", where, required=True),
            api_key_secret="AZURE_OPENAI_API_KEY",
            **tuning,
        )
    model = text_field(config, "model", where, required=True)
    base_url = text_field(config, "base_url", where)
    if model == "orchestrall-demo":
        return models.add(provider="demo", model=model)
    if base_url and base_url.rstrip("/") != "https://api.openai.com/v1":
        secret = "OPENAI_API_KEY" if isinstance(key, str) and key not in _PLACEHOLDER_KEYS else None
        return models.add(
            provider="openai_compatible", model=model, base_url=_url(base_url, where),
            api_key_secret=secret, **tuning,
        )  # fmt: skip
    return models.add(provider="openai", model=model, api_key_secret="OPENAI_API_KEY", **tuning)


def _url(text: str, where: str) -> str:
    if not re.fullmatch(r"https?://\S+", text) or len(text) > 500:
        raise ImportFormatError(f"{where}: '{text[:100]}' is not an http(s) URL.")
    return text


def _number(value: Any, low: float, high: float, *, integer: bool = False) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        return None
    return int(value) if integer else float(value)


def _tool_components(config: dict[str, Any], where: str) -> list[Any]:
    found = list(config.get("tools") or [])
    for bench in config.get("workbench") or []:
        bench = _component(bench, f"{where}: workbench")
        if _class(bench, where) in _WORKBENCHES:
            found.extend(bench["config"].get("tools") or [])
    return found


def _tool(value: Any, where: str, tools: dict[str, dict], warnings: list[str]) -> str | None:
    """The spec id of a built-in matching the tool's name or label; None (and a warning) else."""
    component = _component(value, f"{where}: tool")
    config = component["config"]
    name = config.get("name") if isinstance(config.get("name"), str) else ""
    label = component.get("label") if isinstance(component.get("label"), str) else ""
    match = builtin_for(name) if name else None
    if match is None and label and builtin_for(label):
        builtin = builtin_for(label)[0]
        match = (builtin, name if re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,63}", name) else builtin)
    shown = (name or label or "unnamed")[:60]
    if match is None:
        warnings.append(
            f"{where}: tool '{shown}' was not imported: only Orchestrall's built-in tools "
            "(calculator, current_time, word_count) can be; the code in the file was not read"
        )
        return None
    builtin, tool_id = match
    if builtin == "http_request":
        warnings.append(
            f"{where}: tool '{shown}' (http_request) was not imported: choose the hosts it may "
            "call in Orchestrall and add it there"
        )
        return None
    existing = tools.get(tool_id)
    if existing is None:
        tools[tool_id] = {"kind": "builtin", "id": tool_id, "name": builtin}
    elif existing["name"] != builtin:
        raise ImportFormatError(f"{where}: two different tools are called '{tool_id}'.")
    return tool_id
