"""``ApiGuard``: what every API request passes before a handler sees it.

    FastAPI(..., middleware=[Middleware(ApiGuard, render=..., public={"/openapi.json"})])

1. The API key (deny by default): ``Authorization: Bearer <key>`` or ``X-API-Key``,
   verified against the database on every request, so a revoked or expired key is
   refused at once (401). Only ``public`` paths (the OpenAPI document and the docs
   page) are open. The caller's ``ApiKey`` goes into the request scope (``caller``).
2. The key's requests per minute (429 with ``Retry-After``).
3. The body size: 413 when ``Content-Length`` says more than ``max_body`` bytes, or
   when a streamed (chunked) body grows past it while the handler reads it.
4. A catch-all: anything unexpected is logged with an error id and answered with a
   generic 500 in the API's shape (never a traceback, path or value).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from typing import Annotated, Any

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent_runtime.access import ApiKey
from agent_runtime.errors import AccessError, OrchestrallError
from app.api.v1._access import api_keys, rate_limiter
from app.api.v1._errors import ApiError, api_error_from, http_error_from, internal_error

__all__ = [
    "KEY_SCOPE",
    "MAX_BODY_BYTES",
    "ApiGuard",
    "PayloadTooLarge",
    "bearer_scheme",
    "caller",
    "header_scheme",
]

logger = logging.getLogger("orchestrall.api")

MAX_BODY_BYTES = 1024 * 1024
KEY_SCOPE = "orchestrall.api_key"

Render = Callable[[ApiError], Response]

# Declared so the OpenAPI document (and its docs page's "Authorize") shows both ways
# to send a key; ``ApiGuard`` does the checking.
bearer_scheme = HTTPBearer(auto_error=False, description="`Authorization: Bearer <key>`")
header_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The key in an `X-API-Key` header."
)


class PayloadTooLarge(HTTPException):
    """The request body is over the limit (raised while the handler reads it)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes.")


def _route_path(scope: Scope) -> str:
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("", "/"):
        return path[len(root) :] or "/"
    return path


def presented_key(headers: Headers) -> str | None:
    """The key a request carries: ``Authorization: Bearer …``, else ``X-API-Key``."""
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return headers.get("x-api-key", "").strip() or None


def _verify_and_count(presented: str | None) -> ApiKey:
    key = api_keys().verify(presented)
    rate_limiter().hit(key)
    return key


class ApiGuard:
    """Pure ASGI middleware (see the module docstring); ``render`` writes an ``ApiError``
    in the API's own error shape."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        render: Render = ApiError.response,
        public: Collection[str] = (),
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.app, self.render = app, render
        self.public, self.max_body = frozenset(public), max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._guarded(scope, receive, tracked)
        except Exception as exc:
            error = self._error_for(exc)
            if started:  # a stream broke half-way: nothing more can be said
                return
            await self.render(error)(scope, receive, send)

    @staticmethod
    def _error_for(exc: Exception) -> ApiError:
        if isinstance(exc, ApiError):
            return exc
        if isinstance(exc, OrchestrallError):
            return api_error_from(exc)
        if isinstance(exc, HTTPException):
            return http_error_from(exc)
        return internal_error(exc)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        public = scope["method"] in ("GET", "HEAD") and _route_path(scope) in self.public
        if not public:
            presented = presented_key(headers)
            scope[KEY_SCOPE] = await asyncio.to_thread(_verify_and_count, presented)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            raise http_error_from(PayloadTooLarge(self.max_body))
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise PayloadTooLarge(self.max_body)
            return message

        await self.app(scope, limited, send)


def caller(
    request: Request,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)] = None,
    _header: Annotated[str | None, Security(header_scheme)] = None,
) -> ApiKey:
    """The request's verified API key (put there by ``ApiGuard``)."""
    key: Any = request.scope.get(KEY_SCOPE)
    if not isinstance(key, ApiKey):  # a route outside the guard: refuse, never serve
        raise AccessError("An API key is needed.", code="unauthorized")
    return key
