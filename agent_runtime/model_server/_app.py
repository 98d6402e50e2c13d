"""The Starlette app: ``/v1/models`` and ``/v1/chat/completions`` (plain and SSE)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ._engine import Conversation, choose_reply
from ._log import RecordedRequest, RequestLog
from ._request import ApiError, parse_chat_request
from ._response import completion_body, completion_chunks
from ._script import Script, ScriptSource, load_script

__all__ = ["create_app"]

logger = logging.getLogger("agent_runtime.model_server")
_OWNER = "orchestrall (offline demo model)"
_DISCONNECT_POLL = 0.05


def _model_card(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 0, "owned_by": _OWNER}


def _error(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status)


def _sse(chunks: Iterator[dict[str, Any]]) -> Iterator[str]:
    for chunk in chunks:
        yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"


def _script(request: Request) -> Script:
    return request.app.state.script


def _requests(request: Request) -> RequestLog:
    return request.app.state.requests


async def _wait_unless_gone(request: Request, seconds: float) -> bool:
    """Sleep ``seconds``; False as soon as the client disconnects (a timeout, a cancel)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        await asyncio.sleep(min(_DISCONNECT_POLL, left))
        if await request.is_disconnected():
            return False
    return True


async def list_models(request: Request) -> Response:
    return JSONResponse(
        {"object": "list", "data": [_model_card(m) for m in _script(request).models]}
    )


async def get_model(request: Request) -> Response:
    model_id = request.path_params["model_id"]
    if model_id not in _script(request).models:
        return _error(
            ApiError(
                404,
                f"The model '{model_id}' does not exist.",
                param="model",
                code="model_not_found",
            )
        )
    return JSONResponse(_model_card(model_id))


async def chat_completions(request: Request) -> Response:
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _error(
            ApiError(400, f"The request body is not valid JSON: {exc}.", code="invalid_json")
        )
    script = _script(request)
    try:
        req = parse_chat_request(body, script.models)
    except ApiError as exc:
        return _error(exc)
    conv = Conversation.build(req.model, req.messages, req.offered_tools, req.tools_disabled)
    reply = choose_reply(script, conv)
    logger.debug("demo model reply from rule %s", reply.rule)
    _requests(request).append(
        RecordedRequest(
            model=req.model,
            messages=req.messages,
            tools=list(req.tools),
            stream=req.stream,
            rule=reply.rule,
        )
    )
    if reply.delay and not await _wait_unless_gone(request, reply.delay):
        return Response(status_code=499)  # the client hung up while we waited
    created = int(time.time())
    if req.stream:
        return StreamingResponse(
            _sse(completion_chunks(req, reply, created)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )
    return JSONResponse(completion_body(req, reply, created))


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok", "models": _script(request).models})


async def _http_error(request: Request, exc: HTTPException) -> Response:
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code)
    message = (
        f"Unknown path {request.url.path}; this server offers /v1/models and /v1/chat/completions."
        if exc.status_code == 404
        else f"{request.method} is not allowed on {request.url.path}."
    )
    return _error(ApiError(exc.status_code, message, code=code))


async def _server_error(request: Request, exc: Exception) -> Response:
    logger.exception("demo model server failed on %s", request.url.path)
    return _error(
        ApiError(
            500,
            "The offline demo model server hit an internal error.",
            type="server_error",
            code="internal_error",
        )
    )


def create_app(script: ScriptSource = None, *, requests: RequestLog | None = None) -> Starlette:
    """Build the ASGI app answering from ``script`` (a path, data, a Script or None).

    Answered chat requests are recorded in ``requests`` (a new 200-entry
    :class:`RequestLog` when not given; ``app.state.requests``). Raises
    :class:`~agent_runtime.errors.ScriptError` for a malformed script.
    """
    app = Starlette(
        routes=[
            Route("/v1/models", list_models, methods=["GET"]),
            Route("/v1/models/{model_id:path}", get_model, methods=["GET"]),
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.state.script = load_script(script)
    app.state.requests = requests if requests is not None else RequestLog()
    return app
