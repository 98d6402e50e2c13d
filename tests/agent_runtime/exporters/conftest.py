"""Fixtures of the export tests: the scripted model (real HTTP) every framework talks to.

``SCRIPT`` makes each agent's answer carry what it was given: an agent whose
last message holds ``TRAIL[...]`` answers ``TRAIL[... > <its name>]`` (with
``=<tool result>`` after a tool call). The rules match the *last* trail in the
message, so they hold however a framework wraps it (CrewAI passes the previous
task's output as "context" after its "Current Task: ..." text; AutoGen agents
share one conversation), and the final output shows which agents ran, in which
order, each on the previous one's result.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent_runtime.model_server import ScriptedModelServer

TRAIL = r"(?s).*TRAIL\[(?P<trail>[^\]]*)\]"
SCRIPT = {
    "rules": [
        {
            "name": "calculate",
            "when": {"last_role": "user", "task": {"regex": r"calculate (?P<expr>[0-9+*/() -]+)"}},
            "tool_calls": [{"name": "calc", "arguments": {"expression": "{expr}"}}],
        },
        {
            "name": "after a tool",
            "when": {"last_role": "tool", "task": {"regex": TRAIL}},
            "content": "TRAIL[{trail} > {agent}={tool_result}]",
        },
        {
            "name": "route",
            "when": {"system": "a router", "task": {"regex": r"(?i)refund"}},
            "content": "billing",
        },
        {
            "name": "pass it on",
            "when": {"last_message": {"regex": TRAIL}},
            "content": "TRAIL[{trail} > {agent}]",
        },
    ]
}


@pytest.fixture(scope="module")
def model_server() -> Iterator[ScriptedModelServer]:
    with ScriptedModelServer(script=SCRIPT) as server:
        yield server


@pytest.fixture
def server(model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch):
    """The model server, with exports pointed at it and CrewAI's telemetry off."""
    model_server.clear_requests()
    monkeypatch.setenv("ORCHESTRALL_DEFAULT_BASE_URL", model_server.base_url)
    monkeypatch.setenv("CREWAI_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("CREWAI_TRACING_ENABLED", "false")
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    return model_server
