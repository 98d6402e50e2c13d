"""``/api/v1/graphs``: list, get (spec, metadata, inputs), validate a spec."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.testclient import TestClient

from tests.agent_runtime.conformance._graphs import agent, input_node, linear
from tests.agent_runtime.executors._graphs import quick_graph
from tests.app.api.conftest import auth, save

FIXTURES = Path(__file__).parents[2] / "fixtures"


def test_graphs_are_listed_with_their_slug(api: TestClient, key: str) -> None:
    first = save({**quick_graph(), "name": "Support Triage (v2)"})
    second = save({**quick_graph(), "name": "Quick"})
    listed = api.get("/api/v1/graphs", headers=auth(key)).json()["graphs"]
    by_id = {g["id"]: g for g in listed}
    assert set(by_id) == {first, second}
    assert by_id[first]["slug"] == "support-triage-v2"
    assert by_id[first]["is_valid"] is True and by_id[first]["current_version"] == 1
    found = api.get("/api/v1/graphs", params={"q": "triage"}, headers=auth(key)).json()
    assert [g["id"] for g in found["graphs"]] == [first]


def test_a_graph_shows_its_spec_metadata_and_input_fields(api: TestClient, key: str) -> None:
    fields = [
        {"name": "topic", "type": "text", "description": "What about"},
        {"name": "words", "type": "number", "required": False},
    ]
    spec = linear("Writer", agent("w", "Writer"))
    spec["nodes"][0] = input_node(fields=fields)
    graph_id = save({**spec, "description": "Writes."})

    shown = api.get(f"/api/v1/graphs/{graph_id}", headers=auth(key)).json()
    assert shown["name"] == "Writer" and shown["description"] == "Writes."
    assert shown["version"] == shown["current_version"] == 1 and shown["is_valid"]
    assert shown["input_fields"] == [
        {"name": "topic", "type": "text", "description": "What about", "required": True},
        {"name": "words", "type": "number", "description": "", "required": False},
    ]
    assert [n["id"] for n in shown["spec"]["nodes"]] == ["input", "w", "output"]

    old = api.get(f"/api/v1/graphs/{graph_id}", params={"version": 7}, headers=auth(key))
    assert old.status_code == 404
    assert old.json()["error"] == {
        "code": "version_not_found",
        "message": "The graph has no such version.",
        "field": "version",
    }


def test_an_unknown_graph_is_404_and_a_bad_version_422(api: TestClient, key: str) -> None:
    missing = api.get("/api/v1/graphs/nope", headers=auth(key))
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "graph_not_found"
    graph_id = save(quick_graph())
    bad = api.get(f"/api/v1/graphs/{graph_id}", params={"version": "x"}, headers=auth(key))
    assert bad.status_code == 422
    assert bad.json()["error"]["problems"] == [
        {
            "field": "query.version",
            "code": "int_parsing",
            "message": "Input should be a valid integer, unable to parse string as an integer",
        }
    ]


def test_validate_returns_every_problem_with_200(api: TestClient, key: str) -> None:
    ok = api.post("/api/v1/graphs/validate", json=quick_graph(), headers=auth(key))
    assert ok.status_code == 200 and ok.json() == {"valid": True, "problems": []}

    broken = json.loads((FIXTURES / "every_problem.json").read_text())
    said = api.post("/api/v1/graphs/validate", json=broken, headers=auth(key))
    assert said.status_code == 200
    body = said.json()
    assert body["valid"] is False and len(body["problems"]) > 3
    assert {"code", "message", "hint", "path", "node_id", "edge_id"} == set(body["problems"][0])
    assert any(p["node_id"] for p in body["problems"])


def test_validate_needs_a_json_object(api: TestClient, key: str) -> None:
    for body in ([1, 2], "spec", None):
        said = api.post("/api/v1/graphs/validate", json=body, headers=auth(key))
        assert said.status_code == 422, body
        assert said.json()["error"]["code"] == "invalid_request"
    not_json = api.post(
        "/api/v1/graphs/validate",
        content=b"{oops",
        headers={**auth(key), "Content-Type": "application/json"},
    )
    assert not_json.status_code == 422
    assert not_json.json()["error"]["problems"][0]["code"] == "json_invalid"
