"""``orchestrall exec``: run a spec file or saved graph from the terminal, streaming progress.

Exit codes: 0 the run succeeded; 1 it failed, was cancelled, or the input was
bad (one line says why); 3 it waits for a person (the line to resume is printed).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from agent_runtime.errors import NotFoundError, OrchestrallError
from agent_runtime.runtime import Runtime
from agent_runtime.secrets import stored_secrets
from agent_runtime.settings import Settings
from agent_runtime.spec import load_spec_file, spec_hash, validate
from agent_runtime.store import Store, open_store

EXIT_OK, EXIT_FAILED, EXIT_WAITING = 0, 1, 3
_YES = {"y", "yes", "approve", "approved", "ok", "okay"}


@contextlib.contextmanager
def demo_model(settings: Settings) -> Iterator[Settings]:
    """Serve the demo model in this process unless one is configured; settings point at it."""
    if settings.default_base_url:
        yield settings
        return
    from agent_runtime.model_server import ScriptedModelServer

    with ScriptedModelServer(script=settings.model_script) as server:
        yield settings.model_copy(update={"default_base_url": server.base_url})


def graph_for(target: str, store: Store) -> str:
    """The graph id for a spec file (saved once per distinct spec) or an existing graph id."""
    path = Path(target)
    if not path.exists():
        try:
            return store.get_graph(target).id
        except NotFoundError:
            raise NotFoundError(
                f"{target}: no such file, and no saved graph with that id."
            ) from None
    spec = load_spec_file(path)
    problems = validate(spec)
    if problems:
        raise OrchestrallError(
            f"{path} is not a valid spec: "
            + "; ".join(p.one_line() for p in problems[:3])
            + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""),
            code="spec_invalid",
        )
    digest = spec_hash(spec)
    name = spec.get("name") or path.stem
    for graph in store.list_graphs(search=name):
        if graph.name == name and spec_hash(store.get_spec(graph.id)) == digest:
            return graph.id
    return store.create_graph(name, spec=spec).id


def resume_answer(store: Store, run_id: str, answer: str) -> dict[str, Any]:
    """The resume payload for the human step a run waits at, from a typed answer."""
    events = store.list_run_events(run_id, limit=10_000)
    waiting = [e for e in events if e.type == "interrupt"]
    if waiting and waiting[-1].payload.get("mode") == "approval":
        approved = answer.strip().lower() in _YES
        return {"approved": approved, "comment": "" if approved else answer}
    return {"answer": answer}


class Printer:
    """Readable progress: node by node, tokens as they come."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.in_tokens = False

    def _line(self, text: str) -> None:
        if self.in_tokens:
            sys.stdout.write("\n")
            self.in_tokens = False
        print(text, flush=True)

    def show(self, event: Any) -> None:
        if self.as_json:
            print(json.dumps(event.model_dump(mode="json"), ensure_ascii=False), flush=True)
            return
        kind = event.type
        if kind == "run_started":
            self._line(f"run {event.run_id} on {event.backend} (thread {event.thread_id})")
        elif kind == "node_started":
            self._line(f"▶ {event.node_id} ({event.kind})")
        elif kind == "token":
            if not self.in_tokens:
                sys.stdout.write("  ")
            sys.stdout.write(event.delta)
            sys.stdout.flush()
            self.in_tokens = True
        elif kind == "tool_called":
            self._line(f"  → {event.tool}({json.dumps(event.arguments, ensure_ascii=False)})")
        elif kind == "tool_result":
            self._line(f"  ← {event.result[:200]}")
        elif kind == "node_finished":
            tokens = event.prompt_tokens + event.completion_tokens
            self._line(f"✓ {event.node_id} {event.latency_ms:.0f} ms, {tokens} tokens")
        elif kind == "interrupt":
            self._line(f"⏸ {event.node_id} waits for you: {event.prompt}")
            if event.proposal:
                self._line(f"  proposal: {event.proposal}")
            answer = "yes|no <reason>" if event.mode == "approval" else "<your answer>"
            self._line(
                f"  continue with: orchestrall exec --resume {event.run_id} --answer '{answer}'"
            )
        elif kind == "run_finished":
            totals = event.totals
            self._line(f"\nOutput:\n{event.output}")
            self._line(
                f"\n{totals.get('steps')} steps, {totals.get('tokens')} tokens, "
                f"{totals.get('latency_ms', 0):.0f} ms"
            )
        elif kind == "run_failed":
            where = f" at node '{event.node_id}'" if event.node_id else ""
            self._line(f"✗ failed{where}: {event.message} ({event.code})")
        elif kind == "run_cancelled":
            self._line("✗ cancelled")


async def _stream(runtime: Runtime, run_id: str, printer: Printer, resume: Mapping | None) -> str:
    status = "failed"
    try:
        async for event in runtime.execute(run_id, resume=resume):
            printer.show(event)
    finally:
        await runtime.aclose()
    status = runtime.store.get_run(run_id).status.value
    return status


def run_exec(
    settings: Settings,
    *,
    target: str | None,
    inputs: dict[str, Any],
    thread: str | None,
    backend: str,
    as_json: bool,
    resume: str | None,
    answer: str | None,
) -> int:
    """Run or resume; returns the process exit code. Raises OrchestrallError for bad input."""
    store = open_store(settings=settings)
    try:
        with demo_model(settings) as run_settings:
            secrets = stored_secrets(store, settings)
            runtime = Runtime(settings=run_settings, store=store, secrets=secrets)
            printer = Printer(as_json)
            if resume is not None:
                payload = resume_answer(store, resume, answer or "")
                status = asyncio.run(_stream(runtime, resume, printer, payload))
            else:
                graph_id = graph_for(target or "", store)
                run = runtime.start(graph_id, inputs, thread_id=thread, backend=backend)
                status = asyncio.run(_stream(runtime, run.id, printer, None))
    finally:
        store.close()
    return {"succeeded": EXIT_OK, "interrupted": EXIT_WAITING}.get(status, EXIT_FAILED)
