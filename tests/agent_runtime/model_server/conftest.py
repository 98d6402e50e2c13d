"""Fixtures: real demo-model servers on free ports, and real OpenAI clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from agent_runtime.model_server import ScriptedModelServer

DEMO_SCRIPT = Path(__file__).resolve().parents[3] / "examples" / "model_scripts" / "demo.yaml"


@pytest.fixture(scope="session")
def demo_script_path() -> Path:
    return DEMO_SCRIPT


@pytest.fixture(scope="module")
def demo_server() -> Iterator[ScriptedModelServer]:
    """One server per module running ``examples/model_scripts/demo.yaml``."""
    with ScriptedModelServer(script=DEMO_SCRIPT) as server:
        yield server


@pytest.fixture
def make_server() -> Iterator[Callable[[Any], ScriptedModelServer]]:
    """Start a server for a given script; every one is stopped after the test."""
    started: list[ScriptedModelServer] = []

    def start(script: Any) -> ScriptedModelServer:
        server = ScriptedModelServer(script=script).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def client(demo_server: ScriptedModelServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=demo_server.base_url, api_key="demo", max_retries=0) as c:
        yield c
