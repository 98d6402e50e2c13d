"""Failures on every backend: dead or garbage model endpoints, bad input, invalid specs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from agent_runtime.errors import RunError, SpecValidationError, UnknownBackendError
from tests.agent_runtime.conformance._graphs import (
    agent,
    graph,
    input_node,
    linear,
    output_node,
    route,
    router,
)
from tests.agent_runtime.conformance._graphs import edge as link
from tests.agent_runtime.conformance._harness import Harness, MakeHarness
from tests.agent_runtime.conformance._servers import dead_base_url, serving


class _Garbage(BaseHTTPRequestHandler):
    """Answers every request with 200 and a body that is not a chat completion."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<html>surprise, not JSON</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


@pytest.fixture
def garbage_url() -> Iterator[str]:
    """The base URL of a tiny server answering 200 with HTML."""
    with serving(_Garbage) as url:
        yield f"{url}/v1"


def _router_graph() -> dict[str, Any]:
    nodes = [
        input_node(),
        router("pick", [route("yes", description="Yes")], "no", strategy="llm", label="Picker"),
        agent("yes_agent", "Yes"),
        agent("no_agent", "No"),
        output_node(),
    ]
    edges = [
        link("input", "pick"),
        link("pick", "yes_agent", "yes"),
        link("pick", "no_agent", "no"),
    ]
    edges += [link("yes_agent", "output"), link("no_agent", "output")]
    return graph("LLM router", nodes, edges)


GRAPHS = {
    "agent": (lambda: linear("One agent", agent("helper", "Helper")), "helper"),
    "llm_router": (_router_graph, "pick"),
}


async def _check_model_failure(harness: Harness, healthy: Harness, kind: str, code: str) -> None:
    make_spec, node_id = GRAPHS[kind]
    graph_id = healthy.save(make_spec())
    started = time.monotonic()

    result = await harness.run(graph_id, {"message": "hello"})

    assert time.monotonic() - started < 5
    assert result.status == "failed"
    failed = result.last
    assert (failed.type, failed.code, failed.node_id) == ("run_failed", code, node_id)
    assert result.run.error is not None
    assert (result.run.error["code"], result.run.error["node_id"]) == (code, node_id)
    assert "limit" not in result.run.error
    assert "127.0.0.1" in failed.message  # it says which endpoint
    assert result.started[-1] == node_id
    # The store and other runs are unaffected.
    other = await healthy.run(graph_id, {"message": "hello"})
    assert other.status == "succeeded"
    assert healthy.store.get_run(result.run.id).status.value == "failed"
    assert {r.id for r in healthy.store.list_runs(graph_id=graph_id)} == {
        result.run.id,
        other.run.id,
    }


@pytest.mark.parametrize("kind", sorted(GRAPHS))
async def test_a_dead_model_endpoint_fails_the_run_naming_the_node(
    harness: Harness, make_harness: MakeHarness, kind: str
) -> None:
    dead = await make_harness(base_url=dead_base_url(), store=harness.store)
    await _check_model_failure(dead, harness, kind, "model_unavailable")


@pytest.mark.parametrize("kind", sorted(GRAPHS))
async def test_a_garbage_model_endpoint_fails_the_run_naming_the_node(
    harness: Harness, make_harness: MakeHarness, garbage_url: str, kind: str
) -> None:
    garbage = await make_harness(base_url=garbage_url, store=harness.store)
    await _check_model_failure(garbage, harness, kind, "model_bad_response")


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({}, "'message' is required"),
        ({"message": ""}, "'message' is required"),
        ({"message": "hi"}, "'count' is required"),
        ({"message": "hi", "count": "three"}, "'count' must be number"),
        ({"message": "hi", "count": True}, "'count' must be number"),
        ({"message": "hi", "count": 3, "extra": 1}, "unknown field(s) 'extra'"),
        (["not", "an", "object"], "object of named fields"),
    ],
)
async def test_bad_input_is_refused_before_a_run_exists(
    harness: Harness, given: Any, words: str
) -> None:
    fields = [{"name": "message"}, {"name": "count", "type": "number"}]
    spec = graph("Typed", [input_node(fields=fields), output_node()], [link("input", "output")])
    graph_id = harness.save(spec)

    with pytest.raises(RunError) as info:
        harness.start(graph_id, given)

    assert info.value.code == "bad_input"
    assert words in info.value.message
    assert harness.store.list_runs(graph_id=graph_id) == []


async def test_an_invalid_spec_is_refused_at_start(harness: Harness) -> None:
    spec = linear("Broken", agent("helper", "Helper", model="missing"))
    spec["edges"].append(link("helper", "nowhere"))
    graph_id = harness.save(spec)  # the store keeps it as a draft
    assert harness.store.get_graph(graph_id).is_valid is False

    with pytest.raises(SpecValidationError) as info:
        harness.start(graph_id, {"message": "hi"})

    codes = {p.code for p in info.value.problems}
    assert {"unknown_model", "dangling_edge"} <= codes  # every problem at once
    assert info.value.code == "spec_invalid"
    assert harness.store.list_runs(graph_id=graph_id) == []
    assert harness.sent_to("Helper") == []


async def test_an_unknown_backend_is_refused_at_start(harness: Harness) -> None:
    graph_id = harness.save(linear("Fine"))
    with pytest.raises(UnknownBackendError):
        harness.runtime.start(graph_id, {"message": "hi"}, backend="no-such-backend")
    assert harness.store.list_runs(graph_id=graph_id) == []
