"""Loading exports the way each framework does, and running our own backend for comparison.

``load_langgraph`` follows ``langgraph.json`` to the graph object (as ``langgraph
dev`` does); ``load_crewai`` imports the project's ``crew.py`` from its ``src/``
folder; ``load_autogen`` is ``Team.load_component``. Each cleans up the modules it
imported, so tests can load several exports with the same package name.
``our_run`` runs a spec on our backend first, to compare the export with.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import itertools
import json
import sys
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_runtime.backends import BACKEND_NAMES
from agent_runtime.exporters import export_graph
from agent_runtime.model_server import RecordedRequest, ScriptedModelServer
from agent_runtime.runtime import Runtime
from agent_runtime.settings import Settings
from agent_runtime.store import open_store

_counter = itertools.count()


def backends_and(name: str) -> list[str]:
    """LangGraph, and the backend called ``name`` when it is registered."""
    return ["langgraph", *([name] if name in BACKEND_NAMES else [])]


def export_to(tmp_path: Path, spec: Mapping[str, Any], target: str) -> Path:
    """The export of ``spec`` as ``target``, written to ``tmp_path/export``."""
    out = tmp_path / "export"
    export_graph(spec, target).write(out)
    return out


@contextlib.contextmanager
def load_langgraph(directory: Path, attribute: str = "graph") -> Iterator[Any]:
    """The object langgraph.json names (``./graph.py:graph``), imported from the export dir."""
    config = json.loads((directory / "langgraph.json").read_text())
    [(_, target)] = config["graphs"].items()
    file_name, _, symbol = target.partition(":")
    name = f"exported_graph_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, directory / file_name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield module if attribute == "module" else getattr(module, symbol)
    finally:
        sys.modules.pop(name, None)


@contextlib.contextmanager
def load_crewai(directory: Path) -> Iterator[Any]:
    """The ``@CrewBase`` class of the project's ``src/<package>/crew.py``."""
    [crew_file] = (directory / "src").glob("*/crew.py")
    package = crew_file.parent.name
    sys.path.insert(0, str(directory / "src"))
    try:
        module = importlib.import_module(f"{package}.crew")
        [cls] = [
            v
            for v in vars(module).values()
            if isinstance(v, type) and v.__module__ == module.__name__ and hasattr(v, "crew")
        ]
        yield cls
    finally:
        sys.path.remove(str(directory / "src"))
        for loaded in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
            del sys.modules[loaded]


def load_autogen(text: str) -> Any:
    """``Team.load_component`` of the exported JSON (AutoGen warns that tools carry code)."""
    from autogen_agentchat.base import Team

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "\\n⚠️  SECURITY WARNING", UserWarning)
        return Team.load_component(json.loads(text))


def run_autogen(team: Any, task: str) -> str:
    """The last message of ``team.run(task)``; the agents' model clients are closed after."""

    async def go() -> str:
        try:
            result = await team.run(task=task)
        finally:
            for agent in team._participants:  # AutoGen leaves closing clients to the caller
                if getattr(agent, "_model_client", None) is not None:
                    await agent._model_client.close()
        return result.messages[-1].to_model_text()

    return asyncio.run(go())


async def run_ours(
    spec: Mapping[str, Any],
    inputs: Mapping[str, Any],
    *,
    server: ScriptedModelServer,
    data_dir: Path,
    backend: str = "langgraph",
) -> str:
    """The output of Orchestrall's own run of ``spec`` (real Runtime, SQLite store)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        _env_file=None,
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'orchestrall.db'}",
        default_base_url=server.base_url,
    )
    with open_store(settings=settings) as store:
        graph_id = store.create_graph(str(spec["name"]), spec=dict(spec)).id
        runtime = Runtime(settings=settings, store=store)
        try:
            run = runtime.start(graph_id, dict(inputs), backend=backend)
            async for _ in runtime.execute(run.id):
                pass
        finally:
            await runtime.aclose()
        record = store.get_run(run.id)
    assert record.status.value == "succeeded", record.error
    return record.output


def speakers(server: ScriptedModelServer) -> list[str]:
    """The agents the model server heard from, in order, repeats (tool rounds) merged."""
    return _speakers(server.requests)


def _speakers(requests: list[RecordedRequest]) -> list[str]:
    return [name for name, _ in itertools.groupby(r.agent for r in requests)]


@dataclass
class OurRun:
    """Our run of a spec: its output, and the requests the model server got for it."""

    output: str
    requests: list[RecordedRequest]

    @property
    def speakers(self) -> list[str]:
        """The agents that spoke, in order (see ``speakers``)."""
        return _speakers(self.requests)


def our_run(
    spec: Mapping[str, Any],
    message: str,
    *,
    server: ScriptedModelServer,
    data_dir: Path,
    backend: str = "langgraph",
) -> OurRun:
    """``run_ours`` on ``message``; the server's request log is cleared after it for the export."""
    output = asyncio.run(
        run_ours(spec, {"message": message}, server=server, data_dir=data_dir, backend=backend)
    )
    ours = OurRun(output, list(server.requests))
    server.clear_requests()
    return ours
