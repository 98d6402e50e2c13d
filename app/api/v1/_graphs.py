"""``/graphs``: list the graphs a key may use, read one (spec and inputs), validate a spec.

A key scoped to some graphs gets 403 for any other graph id, whether or not it
exists (so ids cannot be probed); an id in its scope that does not exist is 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query

from agent_runtime.access import ApiKey
from agent_runtime.errors import NotFoundError
from agent_runtime.spec import validate
from agent_runtime.store import GraphSummary, RunRecord
from app.api.v1._errors import ApiError
from app.api.v1._guard import caller
from app.api.v1._schemas import (
    GraphDetail,
    GraphList,
    GraphOut,
    InputFieldOut,
    ProblemOut,
    ValidationOut,
)
from app.services.api_runs import graph_slug, input_fields_of
from app.services.graphs import get_store

__all__ = ["Caller", "GraphId", "graph_for", "graph_out", "router", "run_for"]

Caller = Annotated[ApiKey, Depends(caller)]
GraphId = Annotated[str, Path(min_length=1, max_length=100, description="A graph id.")]

router = APIRouter(tags=["graphs"])


def graph_for(key: ApiKey, graph_id: str) -> GraphSummary:
    """The graph, if ``key`` may use it: 403 outside its scope, 404 if unknown."""
    if not key.allows(graph_id):
        raise ApiError(403, "forbidden", "This API key may not use that graph.")
    try:
        return get_store().get_graph(graph_id)
    except NotFoundError:
        raise ApiError(404, "graph_not_found", "There is no graph with that id.") from None


def run_for(key: ApiKey, run_id: str) -> RunRecord:
    """The run, if ``key`` may use its graph: 404 if unknown, 403 outside the key's scope."""
    try:
        run = get_store().get_run(run_id)
    except NotFoundError:
        raise ApiError(404, "run_not_found", "There is no run with that id.") from None
    if not key.allows(run.graph_id):
        raise ApiError(403, "forbidden", "This API key may not use that run's graph.")
    return run


def graph_out(graph: GraphSummary) -> GraphOut:
    return GraphOut(**graph.model_dump(), slug=graph_slug(graph.name))


@router.get("/graphs", summary="List the graphs this key may use")
def list_graphs(
    key: Caller,
    q: Annotated[str | None, Query(max_length=200, description="Search in names.")] = None,
) -> GraphList:
    found = get_store().list_graphs(search=q or None)
    return GraphList(graphs=[graph_out(g) for g in found if key.allows(g.id)])


@router.get("/graphs/{graph_id}", summary="A graph: metadata, input fields and spec")
def get_graph(
    graph_id: GraphId,
    key: Caller,
    version: Annotated[
        int | None, Query(ge=1, le=1_000_000, description="Default: the current version.")
    ] = None,
) -> GraphDetail:
    graph = graph_for(key, graph_id)
    shown = version or graph.current_version
    try:
        spec: dict[str, Any] = get_store().get_spec(graph_id, shown)
    except NotFoundError:
        raise ApiError(
            404, "version_not_found", "The graph has no such version.", field="version"
        ) from None
    fields = [
        InputFieldOut(
            name=f.name, type=f.type, description=f.description or "", required=f.required
        )
        for f in input_fields_of(spec)
    ]
    return GraphDetail(
        **graph_out(graph).model_dump(), version=shown, input_fields=fields, spec=spec
    )


@router.post("/graphs/validate", summary="Validate a graph spec (every problem at once)")
def validate_spec(
    _: Caller,
    spec: Annotated[dict[str, Any], Body(description="A graph spec (JSON object).")],
) -> ValidationOut:
    problems = [ProblemOut.model_validate(p.model_dump()) for p in validate(spec)]
    return ValidationOut(valid=not problems, problems=problems)
