"""OpenAI-compatible endpoints, mounted at ``/v1``: any OpenAI SDK can call a graph.

    client = openai.OpenAI(base_url="http://localhost:8000/v1", api_key="orch_…")
    client.chat.completions.create(model="support-triage", messages=[...], stream=True)

``POST /chat/completions`` runs the graph ``model`` names (see ``_chat`` for the input
and the thread) and answers a ``chat.completion`` with usage from the run's totals,
or with ``stream: true`` ``chat.completion.chunk`` events of the answer's tokens and
``data: [DONE]``. ``GET /models`` lists the graphs the key may use. Same keys, limits
and guard as the REST API; errors in OpenAI's shape
``{"error": {"message", "type", "code", "param"}}``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Path
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from agent_runtime.access import ApiKey
from agent_runtime.errors import OrchestrallError
from agent_runtime.store import RunRecord
from app.api.v1._access import rate_limiter
from app.api.v1._chat import ChatTurn, answer_nodes, interrupt_text, plan_turn, resolve_model
from app.api.v1._errors import ApiError, api_error_from, http_error_from, request_error_from
from app.api.v1._guard import ApiGuard, caller
from app.api.v1._openai_schemas import ChatRequest
from app.services import api_runs
from app.services.graphs import get_store

__all__ = ["OPENAI_PREFIX", "openai_app"]

OPENAI_PREFIX = "/v1"
MAX_WAIT_S = 300.0
_PIECE = 24  # characters per chunk when an answer was not streamed token by token
_TYPES = {
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}

Caller = Annotated[ApiKey, Depends(caller)]
router = APIRouter()


def openai_error(error: ApiError) -> JSONResponse:
    """An ``ApiError`` in OpenAI's shape (422 becomes OpenAI's 400)."""
    status = 400 if error.status == 422 else error.status
    kind = _TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    body = {"message": error.message, "type": kind, "code": error.code, "param": error.field}
    return JSONResponse({"error": body}, status_code=status, headers=error.headers)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _model_card(graph: Any) -> dict[str, Any]:
    return {
        "id": graph.id,
        "object": "model",
        "created": int(graph.created_at.timestamp()),
        "owned_by": "orchestrall",
        "name": graph.name,
        "slug": api_runs.graph_slug(graph.name),
    }


@router.get("/models")
def list_models(key: Caller) -> dict[str, Any]:
    graphs = [g for g in get_store().list_graphs() if key.allows(g.id)]
    return {"object": "list", "data": [_model_card(g) for g in graphs]}


@router.get("/models/{model}")
def get_model(model: Annotated[str, Path(max_length=200)], key: Caller) -> dict[str, Any]:
    return _model_card(resolve_model(key, model))


async def _begin(key: ApiKey, turn: ChatTurn) -> tuple[RunRecord, int]:
    """Start the turn's run (or resume the waiting one) holding a run slot; the run and
    the seq its events of this turn come after."""
    limiter = rate_limiter()
    token = await asyncio.to_thread(limiter.acquire_run, key)
    try:
        if turn.waiting is not None and turn.resume is not None:
            run, after = turn.waiting, turn.waiting.last_seq
            api_runs.answer(run.id, turn.resume)
        else:
            run = await api_runs.start(
                turn.graph.id, turn.given or {}, thread_id=turn.thread_id, backend="langgraph"
            )
            after = 0
    except BaseException:
        limiter.release_run(key, token)
        raise
    api_runs.slots.hold(limiter, key, token, run.id, after)
    return run, after


def _reply(run: RunRecord) -> tuple[str, str]:
    """The assistant's text for a run that ended or waits, and OpenAI's finish reason."""
    if run.status.value == "succeeded":
        return _text(run.output if run.output is not None else ""), "stop"
    interrupt = api_runs.last_interrupt(run)
    if interrupt is not None:
        return interrupt_text(interrupt), "stop"
    error = run.error or {}
    code = str(error.get("code") or run.status.value)
    message = str(error.get("message") or f"The run ended {run.status.value}.")
    raise ApiError(502 if run.status.value == "failed" else 409, code, message)


def _usage(run: RunRecord) -> dict[str, int]:
    prompt, completion = run.totals.prompt_tokens, run.totals.completion_tokens
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _extension(run: RunRecord) -> dict[str, Any]:
    return {"run_id": run.id, "thread_id": run.thread_id, "status": run.status.value}


def _chunk(
    run_id: str,
    model: str,
    created: int,
    delta: dict[str, Any] | None,
    finish: str | None = None,
    **extra: Any,
) -> bytes:
    """One ``chat.completion.chunk`` SSE message (``delta`` None: no choices, e.g. usage)."""
    choices = (
        []
        if delta is None
        else [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]
    )
    body = {
        "id": f"chatcmpl-{run_id}",
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": choices,
        **extra,
    }
    return b"data: " + json.dumps(body, ensure_ascii=False).encode() + b"\n\n"


async def _answer_tokens(run: RunRecord, after: int) -> AsyncIterator[str]:
    """Token text of the nodes feeding the output node, until the run ends or waits;
    ``TimeoutError`` after ``MAX_WAIT_S`` (the wait never spans a ``yield``)."""
    nodes = await asyncio.to_thread(answer_nodes, run.graph_id, run.graph_version)
    deadline = asyncio.get_running_loop().time() + MAX_WAIT_S
    events = aiter(api_runs.follow(run.id, after))
    try:
        while True:
            async with asyncio.timeout_at(deadline):
                event = await anext(events, None)
            if event is None:
                return
            if event.type == "token" and event.node_id in nodes and event.delta:
                yield event.delta
    finally:
        await events.aclose()  # type: ignore[attr-defined]


async def _stream(run: RunRecord, after: int, request: ChatRequest) -> AsyncIterator[bytes]:
    created, model = int(time.time()), request.model
    yield _chunk(run.id, model, created, {"role": "assistant", "content": ""})
    streamed: list[str] = []
    try:
        async for delta in _answer_tokens(run, after):
            streamed.append(delta)
            yield _chunk(run.id, model, created, {"content": delta})
        ended = await asyncio.to_thread(get_store().get_run, run.id)
        text, finish = await asyncio.to_thread(_reply, ended)
    except (ApiError, OrchestrallError, TimeoutError) as exc:
        yield b"data: " + openai_error(_stream_error(exc, run.id)).body + b"\n\n"
        return
    sent = "".join(streamed)
    rest = text[len(sent) :] if text.startswith(sent) else ""
    for start in range(0, len(rest), _PIECE):
        yield _chunk(run.id, model, created, {"content": rest[start : start + _PIECE]})
    yield _chunk(run.id, model, created, {}, finish, orchestrall=_extension(ended))
    if request.stream_options is not None and request.stream_options.include_usage:
        yield _chunk(run.id, model, created, None, usage=_usage(ended))
    yield b"data: [DONE]\n\n"


def _stream_error(exc: Exception, run_id: str) -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, OrchestrallError):
        return api_error_from(exc)
    return ApiError(
        504,
        "timeout",
        f"The run took longer than {MAX_WAIT_S:g} s; it goes on: GET /api/v1/runs/{run_id}.",
    )


@router.post("/chat/completions", response_model=None)
async def chat_completions(
    body: ChatRequest,
    key: Caller,
    x_orchestrall_thread: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    turn = await asyncio.to_thread(plan_turn, key, body, x_orchestrall_thread)
    run, after = await _begin(key, turn)
    headers = {"X-Orchestrall-Thread": run.thread_id, "X-Orchestrall-Run-Id": run.id}
    if body.stream:
        return StreamingResponse(
            _stream(run, after, body),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", **headers},
        )
    if not await api_runs.wait_until_paused(run.id, after, MAX_WAIT_S):
        raise _stream_error(TimeoutError(), run.id)
    ended = await asyncio.to_thread(get_store().get_run, run.id)
    text, finish = await asyncio.to_thread(_reply, ended)
    completion = {
        "id": f"chatcmpl-{run.id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish,
                "logprobs": None,
            }
        ],
        "usage": _usage(ended),
        "system_fingerprint": None,
        "orchestrall": _extension(ended),
    }
    return JSONResponse(completion, headers=headers)


async def _on_error(_: Request, exc: Exception) -> Response:
    if isinstance(exc, ApiError):
        return openai_error(exc)
    if isinstance(exc, OrchestrallError):
        return openai_error(api_error_from(exc))
    if isinstance(exc, RequestValidationError):
        return openai_error(request_error_from(exc))
    assert isinstance(exc, HTTPException)
    return openai_error(http_error_from(exc))


def openai_app() -> FastAPI:
    """A new OpenAI-compatible app (no OpenAPI document of its own: OpenAI's is the spec)."""
    app = FastAPI(
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        exception_handlers={
            kind: _on_error
            for kind in (ApiError, OrchestrallError, RequestValidationError, HTTPException)
        },
        middleware=[Middleware(ApiGuard, render=openai_error)],
        dependencies=[Depends(caller)],
    )
    app.include_router(router)
    return app
