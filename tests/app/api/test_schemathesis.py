"""Schemathesis against the served OpenAPI document: no request, valid or not, gets a 5xx,
and every answer's status and body are the documented ones.

Every operation gets positive and negative (schema-breaking) cases, with random ids
and with the ids of a real graph and run, so bodies also reach the runtime. Bounded:
a few dozen cases per operation.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from starlette.testclient import TestClient

from app.api import build_api
from tests.agent_runtime.executors._graphs import SCRIPT, quick_graph
from tests.app.api.conftest import auth, save

__all__ = ["SCRIPT"]

EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def _strategies(operation: Any, real: dict[str, str]) -> st.SearchStrategy[Any]:
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    options = [operation.as_strategy(mode) for mode in modes]
    names = {p.name for p in operation.path_parameters}
    fixed = {name: value for name, value in real.items() if name in names}
    if fixed:
        options += [operation.as_strategy(mode, path_parameters=fixed) for mode in modes]
    return st.one_of(options)


def test_no_generated_request_gets_a_server_error(api: TestClient, key: str) -> None:
    graph_id = save(quick_graph())
    started = api.post(f"/api/v1/graphs/{graph_id}/runs", json={"input": "hi"}, headers=auth(key))
    real = {"graph_id": graph_id, "run_id": started.json()["id"]}
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", build_api())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9

    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=_strategies(operation, real))
        def call(case: Any) -> None:
            case.call_and_validate(headers=auth(key), checks=CHECKS)

        call()
