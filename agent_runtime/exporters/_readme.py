"""README and .env.example texts of Python exports (variable names only, never values)."""

from __future__ import annotations

from agent_runtime.exporters._plan import ModelPlan
from agent_runtime.spec import GraphSpec


def env_example(plans: list[ModelPlan]) -> str:
    """``.env.example``: every variable the export reads, with non-secret defaults only."""
    lines = ["# Environment variables this export reads. Never commit real keys."]
    seen: set[str] = set()
    for plan in plans:
        if plan.base_url_env and plan.base_url_env not in seen:
            seen.add(plan.base_url_env)
            lines += [
                f"# where model '{plan.spec.id}' answers",
                f"{plan.base_url_env}={plan.base_url}",
            ]
        if plan.key_env and plan.key_env not in seen:
            seen.add(plan.key_env)
            origin = (
                f"the Orchestrall secret {plan.spec.api_key_secret}"
                if plan.spec.api_key_secret
                else "your provider's API key"
            )
            lines += [f"# API key of model '{plan.spec.id}' ({origin})", f"{plan.key_env}="]
    return "\n".join(lines) + "\n"


def readme(
    spec: GraphSpec, framework: str, plans: list[ModelPlan], run: list[str], notes: list[str]
) -> str:
    """A short README: what this is, how to run it, which variables, what differs."""
    lines = [f"# {spec.name}", ""]
    if spec.description:
        lines += [spec.description, ""]
    lines += [
        f"A {framework} project exported from Orchestrall. It does not need Orchestrall.",
        "",
        "## Run it",
        "",
        "```sh",
        *run,
        "```",
        "",
        "## Models",
        "",
    ]
    lines += [f"- {plan.describe()}" for plan in plans]
    if any(p.spec.provider == "demo" for p in plans):
        lines += [
            "",
            "The demo model is Orchestrall's offline scripted model: start it with",
            "`orchestrall model-server` (port 8765), or point the variable at another",
            "OpenAI-compatible server.",
        ]
    if notes:
        lines += ["", "## Differences from Orchestrall", ""]
        lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"
