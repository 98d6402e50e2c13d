"""Compiling specs without running them, and checking what they compile to against snapshots.

Nothing here reaches a model: the endpoint is a closed port. ``UPDATE_SNAPSHOTS=1``
writes the snapshots instead of checking them.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

import pytest

from agent_runtime.backends import get_backend
from agent_runtime.compiler import IRGraph, lower
from agent_runtime.execution import BackendServices
from agent_runtime.memory import InMemoryMemory
from agent_runtime.settings import Settings
from agent_runtime.spec import parse_spec

__all__ = ["EXAMPLES", "UPDATE_ENV", "check_snapshot", "compile_offline", "lower_offline"]

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.json"))
UPDATE_ENV = "UPDATE_SNAPSHOTS"
SECRETS = {"SHOP_API_TOKEN": "not-a-real-token"}  # support_triage's HTTP tool names it


def lower_offline(spec: Any) -> IRGraph:
    """The IR of ``spec``, its models on an endpoint nothing listens on."""
    settings = Settings(_env_file=None, default_base_url="http://127.0.0.1:9/v1")
    return lower(parse_spec(spec), settings=settings, secrets=SECRETS)


def compile_offline(spec: Any, backend: str) -> Any:
    """``spec`` compiled on ``backend`` (in-memory memory, no store)."""
    services = BackendServices(memory=InMemoryMemory())
    return get_backend(backend).compile(lower_offline(spec), services)


def check_snapshot(name: str, actual: str, directory: Path) -> None:
    """Compare ``actual`` with ``directory/name``; write it instead when UPDATE_SNAPSHOTS=1."""
    path = directory / name
    if os.environ.get(UPDATE_ENV, "") not in ("", "0"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"No snapshot {path}; create it with {UPDATE_ENV}=1.", pytrace=False)
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"{name} (snapshot)",
                tofile=f"{name} (compiled now)",
            )
        )
        pytest.fail(
            f"The compiled graph differs from its snapshot {path}:\n{diff}\n"
            f"If the change is intended, regenerate with {UPDATE_ENV}=1 and review the diff.",
            pytrace=False,
        )
