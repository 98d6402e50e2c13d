"""Which backends can run a spec: the runtime's own capability check, without running it.

    backend_support(spec)      # {"langgraph": None, "crewai": "The crewai backend cannot ...", ...}
    secret_names(spec)         # ["CRM_TOKEN", "OPENAI_API_KEY"]

A backend supports a spec when the spec lowers, passes ``check_capabilities``
and the backend compiles it (some refusals, such as CrewAI's parallel branches
next to routing, happen while compiling). Secrets are needed only as names here:
each is given a placeholder value, and nothing is ever called.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Mapping
from typing import Any

from agent_runtime.backends import BACKEND_NAMES, get_backend
from agent_runtime.compiler import check_capabilities, lower
from agent_runtime.errors import UnsupportedFeatureError
from agent_runtime.execution import BackendServices
from agent_runtime.memory import InMemoryMemory
from agent_runtime.settings import Settings
from agent_runtime.spec import GraphSpec, parse_spec

__all__ = ["backend_support", "secret_names"]


def secret_names(spec: Mapping[str, Any] | GraphSpec) -> list[str]:
    """The names of the secrets a spec refers to (models' keys, HTTP tools' headers), sorted."""
    graph = spec if isinstance(spec, GraphSpec) else parse_spec(dict(spec))
    names = {m.api_key_secret for m in graph.models if m.api_key_secret}
    for tool in graph.tools:
        if tool.kind == "http":
            names.update(tool.header_secrets.values())
    return sorted(names)


def backend_support(
    spec: Mapping[str, Any], *, backends: tuple[str, ...] = BACKEND_NAMES
) -> dict[str, str | None]:
    """For each backend, None if it can run ``spec`` (a valid spec), else why it cannot."""
    graph = parse_spec(dict(spec))
    settings = Settings(_env_file=None, default_base_url="http://127.0.0.1:9/v1")
    secrets = dict.fromkeys(secret_names(graph), "placeholder")
    ir = lower(graph, settings=settings, secrets=secrets)
    services = BackendServices(memory=InMemoryMemory())
    verdicts: dict[str, str | None] = {}
    for name in backends:
        engine = get_backend(name)
        try:
            check_capabilities(ir, name, engine.capabilities)
            executable = engine.compile(ir, services)
        except UnsupportedFeatureError as exc:
            verdicts[name] = str(exc)
            continue
        verdicts[name] = None
        _close(executable)
    return verdicts


def _close(executable: Any) -> None:
    """Close what compiling made (model clients; nothing was opened) on a loop of its own,
    in a thread, so this works whether or not the caller runs an event loop."""
    close = getattr(executable, "aclose", None)
    if close is None:
        return

    def run() -> None:
        with contextlib.suppress(Exception):  # tidying up only
            asyncio.run(close())

    thread = threading.Thread(target=run, name="backend-support-close", daemon=True)
    thread.start()
    thread.join(timeout=10)
