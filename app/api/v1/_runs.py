"""Runs: start one (wait for it, or stream its events), read it, page or stream its events,
answer its human step, cancel it.

A run started or resumed here holds one of the key's concurrent-run slots until it
ends or waits for a person (429 ``too_many_runs`` when all are taken).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from starlette.responses import JSONResponse, Response

from agent_runtime.access import ApiKey
from agent_runtime.errors import NotFoundError
from agent_runtime.events import event_from_record
from agent_runtime.store import RunRecord
from app.api.v1._access import rate_limiter
from app.api.v1._errors import ApiError
from app.api.v1._graphs import Caller, GraphId, graph_for, run_for
from app.api.v1._schemas import AnswerIn, EventPage, InterruptOut, RunEventOut, RunIn, RunOut
from app.api.v1._stream import Position, event_json, sse_response
from app.services import api_runs
from app.services.graphs import get_store

__all__ = ["router", "run_out"]

EVENT_ID = r"^[0-9]{1,12}(:[0-9]{1,12})?$"
RunId = Annotated[str, Path(min_length=1, max_length=100, description="A run id.")]
router = APIRouter(tags=["runs"])

# One SSE message (OpenAPI 3.2's ``itemSchema``); ``data`` is a RunEventOut as JSON.
SSE_MESSAGE: dict[str, Any] = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {"type": "string", "contentMediaType": "application/json"},
        "event": {"type": "string"},
        "id": {"type": "string"},
        "retry": {"type": "integer", "minimum": 0},
    },
}
_EVENT_STREAM = {"text/event-stream": {"itemSchema": SSE_MESSAGE}}
_SSE_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The run (JSON), or its events as Server-Sent Events when streaming.",
        "content": _EVENT_STREAM,
    },
    202: {"model": RunOut, "description": "Accepted; the run is still going (see its id)."},
}
_CANCEL_WAIT_S = 5.0


def run_out(run: RunRecord) -> RunOut:
    """A run as the API shows it, with the question it waits on, if any."""
    out = RunOut.model_validate(run, from_attributes=True)
    interrupt = api_runs.last_interrupt(run)
    if interrupt is not None:
        out.interrupt = InterruptOut.model_validate(event_json(interrupt))
    return out


def _location(request: Request, run_id: str) -> str:
    return f"{request.scope.get('root_path', '')}/runs/{run_id}"


def _answer(request: Request, out: RunOut, status: int) -> JSONResponse:
    headers = {"Location": _location(request, out.id)} if status == 202 else {}
    return JSONResponse(out.model_dump(mode="json"), status_code=status, headers=headers)


def _wants_stream(request: Request, stream: bool) -> bool:
    return stream or "text/event-stream" in request.headers.get("accept", "")


def _checked_input(graph_id: str, version: int, given: dict[str, Any]) -> None:
    try:
        spec = get_store().get_spec(graph_id, version)
    except NotFoundError:
        raise ApiError(
            404, "version_not_found", "The graph has no such version.", field="version"
        ) from None
    problems = api_runs.input_problems(api_runs.input_fields_of(spec), given)
    if problems:
        listed = [
            {"field": f"input.{name}", "code": "bad_input", "message": message}
            for name, message in problems
        ]
        raise ApiError(
            422,
            "bad_input",
            f"The run input has {len(listed)} problem(s); first: {listed[0]['message']}",
            field=listed[0]["field"],
            problems=listed,
        )


async def _holding_slot(key: ApiKey, after_seq: int, begin: Any) -> RunRecord:
    """Take a run slot, ``await begin()`` (a started or resumed run), hold the slot for it."""
    limiter = rate_limiter()
    token = await asyncio.to_thread(limiter.acquire_run, key)
    try:
        run: RunRecord = await begin()
    except BaseException:
        limiter.release_run(key, token)
        raise
    api_runs.slots.hold(limiter, key, token, run.id, after_seq)
    return run


async def _settle(
    request: Request, run_id: str, after_seq: int, wait: bool, timeout: float
) -> JSONResponse:
    """The run once it ended or waits for a person (200), or as it is after ``timeout``
    seconds, or at once when not ``wait`` (202)."""
    paused = wait and await api_runs.wait_until_paused(run_id, after_seq, timeout)
    out = await asyncio.to_thread(lambda: run_out(get_store().get_run(run_id)))
    return _answer(request, out, 200 if paused else 202)


@router.post(
    "/graphs/{graph_id}/runs",
    summary="Start a run (wait for it, or stream its events)",
    response_model=RunOut,
    responses=_SSE_DOC,
)
async def start_run(
    graph_id: GraphId,
    body: RunIn,
    request: Request,
    key: Caller,
    stream: Annotated[
        bool, Query(description="Stream events (or Accept: text/event-stream).")
    ] = False,
) -> Response:
    graph = await asyncio.to_thread(graph_for, key, graph_id)
    given = {"message": body.input} if isinstance(body.input, str) else body.input
    version = body.version or graph.current_version
    await asyncio.to_thread(_checked_input, graph_id, version, given)

    async def begin() -> RunRecord:
        return await api_runs.start(
            graph_id, given, thread_id=body.thread_id, backend=body.backend, version=version
        )

    run = await _holding_slot(key, 0, begin)
    if _wants_stream(request, stream):
        headers = {"X-Orchestrall-Run-Id": run.id, "Location": _location(request, run.id)}
        return sse_response(run.id, Position(0), headers)
    return await _settle(request, run.id, 0, body.wait, body.timeout_seconds)


@router.get("/runs/{run_id}", summary="A run: status, output or error, totals")
def get_run(run_id: RunId, key: Caller) -> RunOut:
    return run_out(run_for(key, run_id))


@router.get("/runs/{run_id}/events", summary="A page of a run's stored events")
def list_events(
    run_id: RunId,
    key: Caller,
    after: Annotated[int, Query(ge=0, le=10**12, description="Events after this seq.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EventPage:
    run = run_for(key, run_id)
    rows = get_store().list_run_events(run_id, after_seq=after, limit=limit + 1)
    events = [
        RunEventOut.model_validate(
            event_json(event_from_record(r.run_id, r.seq, r.type, r.node_id, r.payload))
        )
        for r in rows[:limit]
    ]
    return EventPage(
        run_id=run_id,
        status=run.status.value,
        events=events,
        next_after=events[-1].seq if events else after,
        has_more=len(rows) > limit,
    )


@router.get(
    "/runs/{run_id}/events/stream",
    summary="Stream a run's events (SSE), resuming after an event id",
    response_class=Response,
    responses={200: {"description": "Server-Sent Events", "content": _EVENT_STREAM}},
)
async def stream_events(
    run_id: RunId,
    key: Caller,
    after: Annotated[
        str | None,
        Query(pattern=EVENT_ID, description="Resume after this event id ('12' or '12:340')."),
    ] = None,
    last_event_id: Annotated[
        str | None, Header(pattern=EVENT_ID, description="Wins over `after` (browsers send it).")
    ] = None,
) -> Response:
    await asyncio.to_thread(run_for, key, run_id)
    given = last_event_id if last_event_id is not None else after
    try:
        start = Position.parse(given) if given else Position()
    except ValueError as exc:
        field = "header.last-event-id" if last_event_id is not None else "query.after"
        raise ApiError(422, "bad_event_id", f"{field}: {exc}.", field=field) from None
    return sse_response(run_id, start)


@router.post(
    "/runs/{run_id}/answer",
    summary="Answer a run waiting at a human step",
    response_model=RunOut,
    responses={202: {"model": RunOut, "description": "Accepted; the run is still going."}},
)
async def answer_run(run_id: RunId, body: AnswerIn, request: Request, key: Caller) -> Response:
    run = await asyncio.to_thread(run_for, key, run_id)
    interrupt = await asyncio.to_thread(api_runs.last_interrupt, run)
    if interrupt is None:
        raise ApiError(409, "run_not_waiting", f"The run is {run.status.value}, not waiting.")
    if interrupt.mode == "approval" and body.approved is None:
        raise ApiError(
            422, "answer_kind", "This step asks for approval: send 'approved'.", field="approved"
        )
    if interrupt.mode == "input" and body.answer is None:
        raise ApiError(
            422, "answer_kind", "This step asks a question: send 'answer'.", field="answer"
        )
    resume: dict[str, Any] = (
        {"approved": body.approved, "comment": body.comment or ""}
        if body.approved is not None
        else {"answer": body.answer}
    )

    async def begin() -> RunRecord:
        api_runs.answer(run_id, resume)
        return run

    await _holding_slot(key, run.last_seq, begin)
    return await _settle(request, run_id, run.last_seq, body.wait, body.timeout_seconds)


@router.post(
    "/runs/{run_id}/cancel",
    summary="Cancel a run",
    response_model=RunOut,
    responses={202: {"model": RunOut, "description": "Asked; the run is still stopping."}},
)
async def cancel_run(run_id: RunId, request: Request, key: Caller) -> Response:
    run = await asyncio.to_thread(run_for, key, run_id)
    if run.status.is_terminal:
        raise ApiError(409, "run_ended", f"The run already ended ({run.status.value}).")
    await asyncio.to_thread(api_runs.cancel, run_id)
    return await _settle(request, run_id, run.last_seq, True, _CANCEL_WAIT_S)
