"""Prompts every backend gives agents and LLM routers, so their behaviour matches."""

from __future__ import annotations

from collections.abc import Sequence

from agent_runtime.spec import AgentNode, RouterNode


def agent_system_prompt(agent: AgentNode, context: Sequence[str] = ()) -> str:
    """The agent's system prompt. It starts with ``You are <name>.`` (the demo model reads it)."""
    parts = [f"You are {agent.name}."]
    if agent.role:
        parts.append(f"Role: {agent.role}")
    if agent.goal:
        parts.append(f"Goal: {agent.goal}")
    if agent.instructions:
        parts.append(agent.instructions)
    if context:
        joined = "\n".join(f"- {text}" for text in context)
        parts.append(f"Relevant context:\n{joined}")
    return "\n".join(parts)


def router_system_prompt(router: RouterNode) -> str:
    """The system prompt of an LLM router: pick one route by name."""
    lines = [
        f"You are {router.label or router.id}, a router.",
        "Choose the one route that fits the message best. Answer with the route name only.",
    ]
    if router.instructions:
        lines.append(router.instructions)
    lines.append("Routes:")
    for route in router.routes:
        lines.append(f"- {route.name}: {route.description or route.name}")
    if router.default_route and router.default_route not in {r.name for r in router.routes}:
        lines.append(f"- {router.default_route}: anything else")
    return "\n".join(lines)
