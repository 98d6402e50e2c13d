"""Running specs through the real Runtime for the conformance suite.

A ``Harness`` owns one store, one ``Runtime`` and the scripted model server, and
records every event a run yields. Tests assert only on normalised behaviour
(event types, node ids, outputs, statuses, error codes), never on a backend's
internals, so every backend must pass the same tests. ``Harnesses`` makes them
for one test (the ``make_harness`` fixtures) and closes them after it.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from agent_runtime.compiler import FEATURES
from agent_runtime.errors import UnsupportedFeatureError
from agent_runtime.model_server import RecordedRequest, ScriptedModelServer
from agent_runtime.runtime import Runtime
from agent_runtime.settings import Settings
from agent_runtime.store import RunRecord, Store, open_store

__all__ = ["Harness", "Harnesses", "MakeHarness", "Result"]


@dataclass
class Result:
    """One execution (a run, or a resume) of a run: its events and the run row afterwards."""

    run: RunRecord
    events: list[Any] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.run.status.value

    @property
    def types(self) -> list[str]:
        """Event types in order, without token deltas."""
        return [e.type for e in self.events if e.type != "token"]

    @property
    def started(self) -> list[str]:
        """Node ids in the order they started."""
        return [e.node_id for e in self.events if e.type == "node_started"]

    def of(self, type_: str) -> list[Any]:
        return [e for e in self.events if e.type == type_]

    def finished(self, node_id: str) -> str:
        """The output of the node's last ``node_finished`` event."""
        outputs = [e.output for e in self.of("node_finished") if e.node_id == node_id]
        assert outputs, f"node {node_id!r} did not finish; started: {self.started}"
        return outputs[-1]

    @property
    def last(self) -> Any:
        return self.events[-1]


class Harness:
    """A store, a runtime on one backend, and the model server they talk to."""

    def __init__(
        self,
        *,
        backend: str,
        server: ScriptedModelServer,
        settings: Settings,
        store: Store,
        checkpoint_url: str | None = None,
    ) -> None:
        self.backend, self.server, self.settings, self.store = backend, server, settings, store
        self.checkpoint_url = checkpoint_url
        self.runtime = self._new_runtime()

    def _new_runtime(self) -> Runtime:
        return Runtime(settings=self.settings, store=self.store, checkpoint_url=self.checkpoint_url)

    async def restart(self) -> None:
        """Close the runtime and make a new one, as an app restart does (memory is lost)."""
        await self.runtime.aclose()
        self.runtime = self._new_runtime()

    async def aclose(self) -> None:
        await self.runtime.aclose()

    def save(self, spec: Mapping[str, Any]) -> str:
        """Store the spec as a new graph; returns its id."""
        return self.store.create_graph(str(spec["name"]), spec=dict(spec)).id

    def start(
        self,
        graph: str | Mapping[str, Any],
        input: Any,
        *,
        thread_id: str | None = None,
        model: Mapping[str, Any] | None = None,
    ) -> RunRecord:
        graph_id = graph if isinstance(graph, str) else self.save(graph)
        try:
            return self.runtime.start(
                graph_id, input, thread_id=thread_id, backend=self.backend, model=model
            )
        except UnsupportedFeatureError as exc:
            # The backend does not declare a feature this test needs: the capability
            # check refused the graph before anything ran, naming the node, as it must.
            assert exc.node_id and exc.feature in FEATURES, exc
            pytest.skip(f"{self.backend} refuses {exc.feature} (node {exc.node_id}): {exc}")

    async def execute(self, run_id: str, resume: Mapping[str, Any] | None = None) -> Result:
        result = Result(run=self.store.get_run(run_id))
        async for event in self.runtime.execute(run_id, resume=resume):
            result.events.append(event)
        result.run = self.store.get_run(run_id)
        return result

    async def run(
        self,
        graph: str | Mapping[str, Any],
        input: Any,
        *,
        thread_id: str | None = None,
        model: Mapping[str, Any] | None = None,
    ) -> Result:
        """Start and execute a run to its end (or its first interrupt)."""
        run = self.start(graph, input, thread_id=thread_id, model=model)
        return await self.execute(run.id)

    def sent_to(self, agent: str) -> list[RecordedRequest]:
        """The chat requests the model server got from this agent (or router label)."""
        return [r for r in self.server.requests if r.agent == agent]

    def stored_events(self, run_id: str) -> list[Any]:
        return self.store.list_run_events(run_id)


MakeHarness = Callable[..., Awaitable["Harness"]]


class Harnesses:
    """The harnesses of one test: each on a new SQLite store under ``tmp_path`` by default.

    ``await make(backend, base_url=..., database_url=..., store=...)``: ``backend``
    defaults to the one given here, the model server to ``server``; ``aclose``
    closes every harness made, and the stores it opened.
    """

    def __init__(self, server: ScriptedModelServer, tmp_path: Path, backend: str) -> None:
        self.server, self.tmp_path, self.backend = server, tmp_path, backend
        server.clear_requests()  # the test sees only its own requests
        self._made: list[tuple[Harness, Store | None]] = []
        self._count = itertools.count()

    async def make(
        self,
        backend: str | None = None,
        *,
        base_url: str | None = None,
        database_url: str | None = None,
        store: Store | None = None,
    ) -> Harness:
        data_dir = self.tmp_path / f"data{next(self._count)}"
        data_dir.mkdir()
        settings = Settings(
            _env_file=None,
            data_dir=data_dir,
            database_url=database_url or f"sqlite:///{data_dir / 'orchestrall.db'}",
            default_base_url=base_url or self.server.base_url,
        )
        own_store = None if store is not None else open_store(settings=settings)
        harness = Harness(
            backend=backend or self.backend,
            server=self.server,
            settings=settings,
            store=store or own_store,
        )
        self._made.append((harness, own_store))
        return harness

    async def aclose(self) -> None:
        for harness, own_store in reversed(self._made):
            await harness.aclose()
            if own_store is not None:
                own_store.close()
