"""Names and fixed texts the CrewAI and AutoGen exports write and their importers read back.

Kept in one place so export → import round-trips: what the exporter writes for
"no instructions" or "the run's input", the importer recognises and removes.
"""

from __future__ import annotations

import re

from agent_runtime.exporters._bundle import identifier
from agent_runtime.tools import BUILTIN_TOOLS

EXPECTED_OUTPUT = "Your complete answer, as text."
"""Every exported CrewAI task's ``expected_output`` (Orchestrall agents have none)."""
CONTINUE = "Work on the result of the previous step, given to you as context."
"""The description of an exported task whose agent has no instructions."""
INPUT_HEADING = "Input:"
"""The first task's description ends with this heading and the input placeholders."""
NODE_ID_KEY = "orchestrall_node_id"
"""AutoGen agent ``metadata`` key holding the spec node id."""

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_\-]*)\}")
"""What CrewAI interpolates from the kickoff inputs (``crewai.utilities.string_utils``)."""


def input_block(fields: list[str]) -> str:
    """The part of the first task's description that receives the run's input."""
    if fields == ["message"]:
        return f"{INPUT_HEADING}\n{{message}}"
    return INPUT_HEADING + "".join(f"\n{name}: {{{name}}}" for name in fields)


def crewai_tool_method(tool_id: str, builtin: str) -> str:
    """The crew.py method (and agents.yaml entry) of a built-in tool.

    A tool whose id is the built-in's name (``current-time``) is called after it
    (``current_time``); another (``clock``) gets the built-in as a prefix
    (``current_time_clock``), so the importer knows which built-in it is.
    """
    name = identifier(tool_id, fallback="tool")
    return name if name == builtin else f"{builtin}_{name}"


def builtin_for(name: str) -> tuple[str, str] | None:
    """(built-in name, tool id) for an imported tool name, or None when it is not one of ours.

    ``calculator`` → (calculator, calculator); ``current_time`` or ``current-time``
    → (current_time, current-time); ``calculator_calc`` → (calculator, calc).
    """
    normal = name.strip().replace("-", "_")
    if normal in BUILTIN_TOOLS:
        return normal, normal.replace("_", "-")
    for builtin in sorted(BUILTIN_TOOLS, key=len, reverse=True):
        rest = normal.removeprefix(f"{builtin}_")
        if rest != normal and rest:
            return builtin, rest
    return None
