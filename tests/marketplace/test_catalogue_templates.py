"""The bundled catalogue: complete, valid, and every template runs end to end.

Each template's story is ``catalogue_scripts/<slug>.yaml``:

    rules:      the model script (the scripted model plays every agent and LLM router)
    documents:  {memory id: [{text, filename}]}, stored in a knowledge base before the runs
    site:       {path: JSON body}, served by a local stand-in for the template's HTTP APIs
    runs:       steps in order; each starts a run (``input``, optional ``thread``) or
                resumes the one before (``resume``), then says what must have happened:
                ``finished`` (node ids in order; a nested list is parallel nodes, in any
                order), ``output`` / ``output_has`` / ``output_json``, ``tools`` (called,
                in any order), ``requests`` (what the site got), ``retrieved`` ({node:
                best hit}), ``interrupt`` ({node, proposal}: the run waits for a person);
                ``site`` replaces the site's pages for that step.

The runs use the real ``Runtime``, a real SQLite store and the real Chroma memory, on
every backend the template claims (``derive(spec).backends``). Every model call goes to
the scripted server through the run's model option, so no API key is needed; HTTP tools
point at the local site in a copy of the spec, and the site refuses (401) any request
without the secret header the tool names.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus, urlsplit

import pytest
import yaml

from agent_runtime.backends import BACKEND_NAMES
from agent_runtime.memory import MemoryScope
from agent_runtime.model_server import ScriptedModelServer
from agent_runtime.runtime import Runtime
from agent_runtime.settings import Settings
from agent_runtime.spec import MemorySpec, validate
from agent_runtime.store import open_store
from marketplace import CATEGORIES, bundled_templates, derive
from tests.agent_runtime.conformance._harness import Harness, Result
from tests.agent_runtime.conformance._servers import serving

SCRIPTS = Path(__file__).with_name("catalogue_scripts")
RUN_MODEL = {"provider": "demo", "model": "orchestrall-demo"}
REQUIRED = {
    "customer-support-assistant",
    "research-crew",
    "knowledge-base-qa",
    "support-triage-router",
    "content-approval-pipeline",
    "code-review-assistant",
    "meeting-notes-summariser",
    "lead-qualification",
}
README_SECTIONS = ("## What it does", "## Nodes", "## Configure", "## Example input", "## Adapt it")

TEMPLATES = {t.meta.slug: t for t in bundled_templates()}
BACKENDS = {slug: derive(t.release.spec).backends for slug, t in TEMPLATES.items()}
CLAIMS = [(slug, backend) for slug, backends in BACKENDS.items() for backend in backends]


@functools.cache
def _story(slug: str) -> dict[str, Any]:
    return yaml.safe_load((SCRIPTS / f"{slug}.yaml").read_text(encoding="utf-8"))


# -- the catalogue ---------------------------------------------------------------------


def test_the_catalogue_has_the_promised_templates() -> None:
    assert len(TEMPLATES) >= 12
    assert REQUIRED - set(TEMPLATES) == set()
    assert {t.meta.category for t in TEMPLATES.values()} <= set(CATEGORIES)
    everywhere = [slug for slug, backends in BACKENDS.items() if backends == BACKEND_NAMES]
    assert len(everywhere) >= 9, BACKENDS
    assert sorted(p.stem for p in SCRIPTS.glob("*.yaml")) == sorted(TEMPLATES)


def _reaches(edges: list[dict[str, Any]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo += [e["target"] for e in edges if e["source"] == node]
    return False


@pytest.mark.parametrize("slug", sorted(TEMPLATES))
def test_each_template_is_complete_and_laid_out_left_to_right(slug: str) -> None:
    meta, release = TEMPLATES[slug].meta, TEMPLATES[slug].release
    spec = release.spec
    assert validate(spec) == []
    assert spec["name"] == meta.title
    assert (meta.author, release.version, release.changelog) == (
        "Orchestrall",
        "1.0.0",
        "First release.",
    )
    assert 150 <= len(release.readme.split()) <= 400
    assert release.readme.startswith(f"# {meta.title}\n")
    assert [s for s in README_SECTIONS if s not in release.readme] == []
    for secret in derive(spec).secrets:
        assert f"`{secret}`" in release.readme  # the readme says which secrets to set
    x = {node: at["x"] for node, at in spec["layout"]["positions"].items()}
    kinds = {n["id"]: n["kind"] for n in spec["nodes"]}
    assert set(x) == set(kinds)
    (start,) = [node for node, kind in kinds.items() if kind == "input"]
    assert all(x[start] < x[node] for node in x if node != start)
    ends = [node for node, kind in kinds.items() if kind == "output"]
    assert all(x[end] > x[node] for end in ends for node in x if node not in ends)
    for edge in spec["edges"]:  # forward edges go right; only loops come back
        source, target = edge["source"], edge["target"]
        assert x[target] > x[source] or _reaches(spec["edges"], target, source), edge


# -- end to end ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_servers() -> Iterator[Callable[[str], ScriptedModelServer]]:
    """The scripted model of a template (its story's rules), started on first use."""
    with contextlib.ExitStack() as stack:
        servers: dict[str, ScriptedModelServer] = {}

        def server(slug: str) -> ScriptedModelServer:
            if slug not in servers:
                script = {"rules": _story(slug)["rules"]}
                servers[slug] = stack.enter_context(ScriptedModelServer(script=script))
            return servers[slug]

        yield server


class _Site:
    """The template's HTTP APIs, played by JSON pages; it records what it was asked."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.headers, self.pages, self.seen = dict(headers), {}, []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = f"?{unquote_plus(url.query)}" if url.query else ""
                site.seen.append(f"GET {url.path}{query}")
                if any(self.headers.get(k) != v for k, v in site.headers.items()):
                    self._send(401, {"message": "Bad credentials"})
                elif url.path in site.pages:
                    self._send(200, site.pages[url.path])
                else:
                    self._send(404, {"message": "Not Found"})

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def _http_tools(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [tool for tool in spec["tools"] if tool["kind"] == "http"]


def _test_secrets(spec: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Test values of the secrets the spec's HTTP tools send, and the headers they fill."""
    named = [
        (h, n) for tool in _http_tools(spec) for h, n in tool.get("header_secrets", {}).items()
    ]
    secrets = {name: f"Bearer test-{name.lower()}" for _, name in named}
    return secrets, {header: secrets[name] for header, name in named}


def _pointed_at(spec: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    """A copy of the spec whose HTTP tools call ``base_url`` (same paths) instead."""
    spec = copy.deepcopy(dict(spec))
    for tool in _http_tools(spec):
        url = urlsplit(tool["url"])
        tool["url"] = base_url + tool["url"].removeprefix(f"{url.scheme}://{url.netloc}")
        tool["allowed_hosts"] = [urlsplit(base_url).hostname]
    return spec


class _SecretsHarness(Harness):
    """A harness whose runtime has (test) values for the secrets of the template's tools."""

    def __init__(self, *, secrets: Mapping[str, str], **kwargs: Any) -> None:
        self.secrets = dict(secrets)
        super().__init__(**kwargs)

    def _new_runtime(self) -> Runtime:
        return Runtime(
            settings=self.settings,
            store=self.store,
            checkpoint_url=self.checkpoint_url,
            secrets=self.secrets,
        )


async def _fill(harness: Harness, graph_id: str, spec: Mapping[str, Any], documents: dict) -> None:
    """Put the story's documents into the template's knowledge bases."""
    memories = {m["id"]: MemorySpec(**m) for m in spec["memories"]}
    for memory_id, docs in documents.items():
        for doc in docs:
            await harness.runtime.services.memory.store(
                memories[memory_id],
                doc["text"],
                scope=MemoryScope(graph_id),
                metadata={"filename": doc["filename"]},
            )


def _follows(finished: list[str], path: list[Any]) -> bool:
    """Whether the finished nodes follow ``path`` (a nested list: parallel, in any order)."""
    groups = [sorted(item) if isinstance(item, list) else [item] for item in path]
    at, got = 0, []
    for group in groups:
        got.append(sorted(finished[at : at + len(group)]))
        at += len(group)
    return got == groups and at == len(finished)


def _check(result: Result, step: Mapping[str, Any], requests: list[str]) -> None:
    waits = "interrupt" in step
    assert result.status == ("interrupted" if waits else "succeeded"), result.run.error
    finished = [e.node_id for e in result.of("node_finished")]
    assert _follows(finished, step["finished"]), finished
    if waits:
        interrupt = step["interrupt"]
        assert result.last.type == "interrupt"
        assert (result.last.node_id, result.last.proposal) == (
            interrupt["node"],
            interrupt["proposal"],
        )
        assert result.run.output is None
    if "output" in step:
        assert result.run.output == step["output"]
    for text in step.get("output_has", []):
        assert text in result.run.output
    if "output_json" in step:
        assert json.loads(result.run.output) == step["output_json"]
    if "tools" in step:
        assert sorted(e.tool for e in result.of("tool_called")) == sorted(step["tools"])
    assert [e.result for e in result.of("tool_result") if e.is_error] == []
    if "requests" in step:
        assert requests == step["requests"]
    for node, best in step.get("retrieved", {}).items():
        (retrieved,) = [e for e in result.of("memory_retrieved") if e.node_id == node]
        assert retrieved.hits[0].text == best


@pytest.mark.parametrize(("slug", "backend"), CLAIMS, ids=[f"{s}-{b}" for s, b in CLAIMS])
async def test_template_runs_end_to_end(
    slug: str,
    backend: str,
    model_servers: Callable[[str], ScriptedModelServer],
    tmp_path: Path,
) -> None:
    story, template = _story(slug), TEMPLATES[slug]
    server = model_servers(slug)
    server.clear_requests()
    secrets, headers = _test_secrets(template.release.spec)
    site = _Site(headers)
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'orchestrall.db'}",
        default_base_url=server.base_url,
    )
    store = open_store(settings=settings)
    harness = _SecretsHarness(
        secrets=secrets, backend=backend, server=server, settings=settings, store=store
    )
    try:
        with serving(site.handler()) as base_url:
            graph_id = harness.save(_pointed_at(template.release.spec, base_url))
            await _fill(harness, graph_id, template.release.spec, story.get("documents", {}))
            result: Result | None = None
            for step in story["runs"]:
                site.pages, asked = dict(step.get("site", story.get("site", {}))), len(site.seen)
                if "resume" in step:
                    assert result is not None
                    result = await harness.execute(result.run.id, resume=step["resume"])
                else:
                    run = harness.runtime.start(
                        graph_id,
                        step["input"],
                        thread_id=step.get("thread"),
                        backend=backend,
                        model=RUN_MODEL,
                    )
                    result = await harness.execute(run.id)
                _check(result, step, site.seen[asked:])
    finally:
        await harness.aclose()
        store.close()
    # Every model call was one the story scripted (no default answers slipped through).
    assert [r.agent for r in server.requests if r.rule is None] == []
    assert {r.model for r in server.requests} == {"orchestrall-demo"}
