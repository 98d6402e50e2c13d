"""The compiler pipeline: spec → migrate → validate → lower to IR → capability check.

Backends take the ``IRGraph`` from here; ``_values`` and ``_history`` hold the
semantics every backend shares (conditions, templates, thread history).
"""

from agent_runtime.compiler._capabilities import FEATURES, check_capabilities, unsupported
from agent_runtime.compiler._history import HISTORY_TOKEN_BUDGET, MAX_TURNS, trim_history
from agent_runtime.compiler._ir import END, IRGraph, IRNode
from agent_runtime.compiler._lower import lower
from agent_runtime.compiler._prompts import agent_system_prompt, router_system_prompt
from agent_runtime.compiler._values import as_text, choose_llm_route, matches, render, render_value

__all__ = [
    "END",
    "FEATURES",
    "HISTORY_TOKEN_BUDGET",
    "MAX_TURNS",
    "IRGraph",
    "IRNode",
    "agent_system_prompt",
    "as_text",
    "check_capabilities",
    "choose_llm_route",
    "lower",
    "matches",
    "render",
    "render_value",
    "router_system_prompt",
    "trim_history",
    "unsupported",
]
