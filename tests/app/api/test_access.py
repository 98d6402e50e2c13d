"""Who may call the API and how much: keys, scope, rate limits, body size, no leaks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from agent_runtime.access import ApiKeys
from agent_runtime.store._tables import ApiKeyRow, utcnow
from app.api.v1 import _graphs
from app.services import graphs
from tests.agent_runtime.executors._graphs import SCRIPT, quick_graph, slow_graph
from tests.app.api.conftest import auth, save

__all__ = ["SCRIPT"]

# One request for every route (bodies valid enough to get past validation).
ROUTES = [
    ("GET", "/api/v1/graphs", None),
    ("GET", "/api/v1/graphs/{graph}", None),
    ("POST", "/api/v1/graphs/validate", {"schema_version": 1}),
    ("POST", "/api/v1/graphs/{graph}/runs", {"input": "hi"}),
    ("GET", "/api/v1/runs/{run}", None),
    ("GET", "/api/v1/runs/{run}/events", None),
    ("GET", "/api/v1/runs/{run}/events/stream", None),
    ("POST", "/api/v1/runs/{run}/answer", {"approved": True}),
    ("POST", "/api/v1/runs/{run}/cancel", None),
    ("GET", "/v1/models", None),
    ("GET", "/v1/models/{graph}", None),
    ("POST", "/v1/chat/completions", {"model": "quick", "messages": []}),
    ("GET", "/api/v1/no-such-route", None),
]


def _send(api: TestClient, method: str, path: str, body: object, **headers: str):
    return api.request(method, path, json=body, headers=headers)


def test_every_route_refuses_a_request_without_a_key(api: TestClient, key: str) -> None:
    ids = {"graph": save(quick_graph()), "run": "r" * 32}
    for method, template, body in ROUTES:
        answer = _send(api, method, template.format(**ids), body)
        assert answer.status_code == 401, (method, template, answer.text)
        assert answer.json()["error"]["code"] == "unauthorized"
        assert answer.headers["www-authenticate"].startswith("Bearer")


def test_every_documented_route_is_in_the_deny_list(api: TestClient) -> None:
    documented = {
        (method.upper(), f"/api/v1{path}")
        for path, item in api.get("/api/v1/openapi.json").json()["paths"].items()
        for method in item
    }
    covered = {
        (m, t.replace("{graph}", "{graph_id}").replace("{run}", "{run_id}")) for m, t, _ in ROUTES
    }
    assert documented <= covered


def test_wrong_unknown_and_malformed_keys_are_refused(api: TestClient, key: str) -> None:
    wrong = key[:-4] + ("aaaa" if not key.endswith("aaaa") else "bbbb")
    for headers in (
        auth(wrong),
        auth("not-a-key"),
        {"Authorization": f"Basic {key}"},
        {"X-API-Key": wrong},
    ):
        answer = api.get("/api/v1/graphs", headers=headers)
        assert answer.status_code == 401
        assert key not in answer.text and wrong not in answer.text


def test_a_key_works_as_bearer_or_x_api_key(api: TestClient, key: str) -> None:
    assert api.get("/api/v1/graphs", headers=auth(key)).status_code == 200
    assert api.get("/api/v1/graphs", headers={"X-API-Key": key}).status_code == 200
    assert api.get("/v1/models", headers={"authorization": f"bearer {key}"}).status_code == 200


def test_a_revoked_key_is_refused_at_once(api: TestClient, make_key: Callable[..., str]) -> None:
    secret = make_key()
    keys = ApiKeys(graphs.get_store())
    assert api.get("/api/v1/graphs", headers=auth(secret)).status_code == 200
    keys.revoke(keys.verify(secret).id)
    answer = api.get("/api/v1/graphs", headers=auth(secret))
    assert answer.status_code == 401
    assert answer.json()["error"] == {"code": "unauthorized", "message": "This API key is revoked."}
    assert api.get("/v1/models", headers=auth(secret)).json()["error"]["code"] == "unauthorized"


def test_an_expired_key_is_refused_at_once(api: TestClient, make_key: Callable[..., str]) -> None:
    secret = make_key(expires_at=utcnow() + timedelta(hours=1))
    assert api.get("/api/v1/graphs", headers=auth(secret)).status_code == 200
    with graphs.get_store().database.write() as s:  # the hour has passed
        s.execute(sa.update(ApiKeyRow).values(expires_at=utcnow() - timedelta(seconds=1)))
    answer = api.get("/api/v1/graphs", headers=auth(secret))
    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "This API key is expired."


def test_the_docs_and_the_openapi_document_are_open(api: TestClient) -> None:
    document = api.get("/api/v1/openapi.json")
    assert document.status_code == 200
    schemes = document.json()["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    page = api.get("/api/v1/docs")
    assert page.status_code == 200 and "/api/v1/openapi.json" in page.text


def test_a_scoped_key_sees_and_uses_only_its_graphs(
    api: TestClient, make_key: Callable[..., str]
) -> None:
    mine, other = save(quick_graph()), save({**quick_graph(), "name": "Other"})
    secret = make_key(graph_ids=[mine, "deleted-graph"])
    headers = auth(secret)

    listed = api.get("/api/v1/graphs", headers=headers).json()["graphs"]
    assert [g["id"] for g in listed] == [mine]
    assert [m["id"] for m in api.get("/v1/models", headers=headers).json()["data"]] == [mine]

    for method, path, body in [
        ("GET", f"/api/v1/graphs/{other}", None),
        ("GET", "/api/v1/graphs/never-existed", None),  # same answer: ids cannot be probed
        ("POST", f"/api/v1/graphs/{other}/runs", {"input": "hi"}),
    ]:
        answer = _send(api, method, path, body, **headers)
        assert answer.status_code == 403, path
        assert answer.json()["error"]["code"] == "forbidden"
    in_scope_but_gone = api.get("/api/v1/graphs/deleted-graph", headers=headers)
    assert in_scope_but_gone.status_code == 404
    assert in_scope_but_gone.json()["error"]["code"] == "graph_not_found"

    run_id = api.post(f"/api/v1/graphs/{mine}/runs", json={"input": "hi"}, headers=headers)
    everything = make_key()
    theirs = api.post(
        f"/api/v1/graphs/{other}/runs", json={"input": "hi"}, headers=auth(everything)
    ).json()["id"]
    assert api.get(f"/api/v1/runs/{run_id.json()['id']}", headers=headers).status_code == 200
    for path in (f"/api/v1/runs/{theirs}", f"/api/v1/runs/{theirs}/events"):
        assert api.get(path, headers=headers).status_code == 403
    assert api.post(f"/api/v1/runs/{theirs}/cancel", headers=headers).status_code == 403
    chat = {"model": other, "messages": [{"role": "user", "content": "hi"}]}
    refused = api.post("/v1/chat/completions", json=chat, headers=headers)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "model_not_found"


def test_requests_over_the_per_minute_limit_get_429_and_retry_after(
    api: TestClient, make_key: Callable[..., str]
) -> None:
    secret = make_key(per_minute=3)
    for _ in range(3):
        assert api.get("/api/v1/graphs", headers=auth(secret)).status_code == 200
    answer = api.get("/api/v1/graphs", headers=auth(secret))
    assert answer.status_code == 429
    assert answer.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(answer.headers["retry-after"]) <= 60
    openai_style = api.get("/v1/models", headers=auth(secret))  # same key, same counter
    assert openai_style.status_code == 429
    assert openai_style.json()["error"]["type"] == "rate_limit_error"
    assert "retry-after" in openai_style.headers
    other = make_key(per_minute=3)  # counters are per key
    assert api.get("/api/v1/graphs", headers=auth(other)).status_code == 200


def test_concurrent_runs_over_the_key_limit_get_429_until_one_ends(
    api: TestClient, make_key: Callable[..., str]
) -> None:
    graph_id = save(slow_graph())
    headers = auth(make_key(concurrent_runs=1))
    first = api.post(
        f"/api/v1/graphs/{graph_id}/runs", json={"input": "a", "wait": False}, headers=headers
    )
    assert first.status_code == 202 and first.json()["status"] in ("queued", "running")

    second = api.post(f"/api/v1/graphs/{graph_id}/runs", json={"input": "b"}, headers=headers)
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "too_many_runs"
    assert int(second.headers["retry-after"]) >= 1

    cancelled = api.post(f"/api/v1/runs/{first.json()['id']}/cancel", headers=headers)
    assert cancelled.json()["status"] == "cancelled"
    _eventually(lambda: _starts(api, graph_id, headers))


def _starts(api: TestClient, graph_id: str, headers: dict[str, str]) -> bool:
    answer = api.post(
        f"/api/v1/graphs/{graph_id}/runs", json={"input": "c", "wait": False}, headers=headers
    )
    if answer.status_code == 202:
        api.post(f"/api/v1/runs/{answer.json()['id']}/cancel", headers=headers)
        return True
    assert answer.status_code == 429
    return False


def _eventually(check: Callable[[], bool], timeout: float = 5) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.05)


def test_bodies_over_1_mb_get_413_by_length_or_as_streamed(api: TestClient, key: str) -> None:
    big = b'{"schema_version": 1, "name": "' + b"x" * (1024 * 1024) + b'"}'
    headers = {**auth(key), "Content-Type": "application/json"}
    said = api.post("/api/v1/graphs/validate", content=big, headers=headers)
    assert said.status_code == 413
    assert said.json()["error"]["code"] == "payload_too_large"

    def chunks():  # no Content-Length: the body is counted as it arrives
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    streamed = api.post("/api/v1/graphs/validate", content=chunks(), headers=headers)
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "payload_too_large"
    chat = api.post("/v1/chat/completions", content=big, headers=headers)
    assert chat.status_code == 413 and chat.json()["error"]["type"] == "invalid_request_error"


def test_an_unexpected_failure_is_a_generic_500_with_an_error_id(
    api: TestClient, key: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret value sk-123 at /srv/orchestrall/data/orchestrall.db")

    monkeypatch.setattr(_graphs, "get_store", broken)
    answer = api.get("/api/v1/graphs", headers=auth(key))
    assert answer.status_code == 500
    error = answer.json()["error"]
    assert error["code"] == "internal_error"
    assert "sk-123" not in answer.text and "/srv" not in answer.text
    assert "Traceback" not in answer.text
    error_id = error["message"].split("error id ")[1].split(")")[0]
    assert any(error_id in r.getMessage() for r in caplog.records)


def test_unknown_routes_and_methods_answer_in_the_error_shape(api: TestClient, key: str) -> None:
    missing = api.get("/api/v1/nothing-here", headers=auth(key))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong = api.delete("/api/v1/graphs", headers=auth(key))
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"
