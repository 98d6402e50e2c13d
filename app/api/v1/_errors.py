"""Errors of the HTTP API: one neutral ``ApiError``, stable codes, nothing internal.

The REST API answers ``{"error": {"code", "message", "field"?, "node_id"?, "problems"?}}``;
the OpenAI-compatible API renders the same ``ApiError`` in OpenAI's shape. Runtime
errors (``agent_runtime.errors``) are translated by type and code in ``api_error_from``,
request validation errors into one problem per fault (``validation_problems``). Store
and configuration failures get a generic message (their text may name hosts or files);
anything unexpected is logged with an error id and answered with that id only.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from agent_runtime.errors import (
    AccessError,
    CompileError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    OrchestrallError,
    RateLimitedError,
    RunError,
    SpecError,
    SpecValidationError,
    StoreError,
)

__all__ = [
    "ApiError",
    "api_error_from",
    "http_error_from",
    "internal_error",
    "rest_exception_handlers",
    "validation_problems",
]

logger = logging.getLogger("orchestrall.api")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


class ApiError(Exception):
    """An answer other than 2xx: status, stable ``code``, a message for people, and where."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        node_id: str | None = None,
        problems: list[dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.field, self.node_id, self.problems = field, node_id, problems
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """``{"error": {...}}`` with only the parts that are set."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        if self.node_id is not None:
            error["node_id"] = self.node_id
        if self.problems is not None:
            error["problems"] = self.problems
        return {"error": error}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def _unauthorized_headers() -> dict[str, str]:
    return {"WWW-Authenticate": 'Bearer realm="orchestrall"'}


def api_error_from(exc: OrchestrallError) -> ApiError:
    """The HTTP answer to a runtime error (matched on type and code, never on text)."""
    node_id = getattr(exc, "node_id", None)
    if isinstance(exc, RateLimitedError):
        return ApiError(429, exc.code, exc.message, headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, AccessError):
        if exc.code == "forbidden":
            return ApiError(403, "forbidden", exc.message)
        return ApiError(401, "unauthorized", exc.message, headers=_unauthorized_headers())
    if isinstance(exc, NotFoundError):
        return ApiError(404, exc.code, exc.message)
    if isinstance(exc, ConflictError):
        return ApiError(409, exc.code, exc.message)
    if isinstance(exc, StoreError) and exc.code == "rate_limiter_unavailable":
        logger.warning("API request refused: %s", exc)
        return ApiError(503, exc.code, "Request counting is unavailable right now; try again "
                        "shortly.", headers={"Retry-After": "5"})  # fmt: skip
    if isinstance(exc, StoreError):
        logger.warning("API request failed on the store: %s", exc)
        return ApiError(503, "store_unavailable", "The database is not available right now.")
    if isinstance(exc, SpecValidationError):
        problems = [p.model_dump(mode="json") for p in exc.problems]
        first = exc.problems[0] if exc.problems else None
        return ApiError(
            409,
            "graph_invalid",
            f"This graph cannot run: it has {len(exc.problems)} problem(s).",
            node_id=first.node_id if first else None,
            problems=problems,
        )
    if isinstance(exc, SpecError):
        return ApiError(422, exc.code, exc.message)
    if isinstance(exc, CompileError):
        return ApiError(409, exc.code, exc.message, node_id=node_id)
    if isinstance(exc, RunError):
        if exc.code == "bad_input":
            return ApiError(422, "bad_input", exc.message, field="input")
        return ApiError(409, exc.code, exc.message, node_id=node_id)
    if isinstance(exc, ConfigurationError) and exc.code.startswith("missing_"):
        return ApiError(409, exc.code, exc.message)  # a model's secret or URL is not set
    if isinstance(exc, ConfigurationError):
        logger.warning("API request failed on the configuration: %s", exc)
        return ApiError(503, "unavailable", "The server is not configured to do that right now.")
    return ApiError(400, exc.code, exc.message, node_id=node_id)


def http_error_from(exc: HTTPException) -> ApiError:
    """Starlette's own answers (unknown route, wrong method, body too large…).

    FastAPI's only 400 is a body it could not read (not UTF-8, say): 422 like any other
    malformed body.
    """
    if exc.status_code == 400:
        problem = {"field": "body", "code": "json_invalid", "message": "The body is not JSON."}
        return ApiError(
            422, "invalid_request", "The body could not be read as JSON.", field="body",
            problems=[problem],
        )  # fmt: skip
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    if exc.status_code == 404 and message == "Not Found":
        message = "There is no such endpoint."
    headers = dict(exc.headers or {})
    return ApiError(exc.status_code, code, message, headers=headers)


def _where(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    return ".".join(parts) if parts else "request"


def validation_problems(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One ``{"field", "code", "message"}`` per fault; the offending values are never echoed."""
    problems = []
    for error in errors:
        loc, kind = tuple(error.get("loc") or ()), str(error.get("type", "invalid"))
        message = str(error.get("msg", "is not valid"))
        if kind == "json_invalid":
            detail = (error.get("ctx") or {}).get("error", "")
            loc, message = ("body",), f"The body is not valid JSON: {detail}".rstrip(": ")
        elif kind == "missing" and loc == ("body",):
            message = "A JSON body is required."
        problems.append({"field": _where(loc), "code": kind, "message": message})
    return problems


def request_error_from(exc: RequestValidationError) -> ApiError:
    problems = validation_problems(exc.errors())
    first = problems[0] if problems else {"field": "request", "message": "is not valid"}
    message = (
        f"The request has {len(problems)} problem(s); first, {first['field']}: {first['message']}"
    )
    return ApiError(422, "invalid_request", message, field=first["field"], problems=problems)


def internal_error(exc: BaseException) -> ApiError:
    """Log ``exc`` with a fresh error id; the answer carries only the id."""
    error_id = uuid.uuid4().hex[:12]
    logger.error("API request failed (error id %s)", error_id, exc_info=exc)
    return ApiError(
        500,
        "internal_error",
        f"Something went wrong on the server (error id {error_id}); it has been logged.",
    )


async def _on_api_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _on_runtime_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, OrchestrallError)
    return api_error_from(exc).response()


async def _on_http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return http_error_from(exc).response()


async def _on_request_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return request_error_from(exc).response()


def rest_exception_handlers() -> dict[Any, Any]:
    """FastAPI's ``exception_handlers`` for the REST API (unexpected errors: ``ApiGuard``)."""
    return {
        ApiError: _on_api_error,
        OrchestrallError: _on_runtime_error,
        HTTPException: _on_http_error,
        RequestValidationError: _on_request_error,
    }
