"""The REST API as one FastAPI app, mounted at ``/api/v1`` (``app.api.api_mounts``).

Its OpenAPI document is ``/api/v1/openapi.json`` and its docs page ``/api/v1/docs``
(both open; every other route needs a key, see ``ApiGuard``).
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI
from starlette.middleware import Middleware

from app.api.v1 import _graphs, _runs
from app.api.v1._errors import rest_exception_handlers
from app.api.v1._guard import ApiGuard, caller
from app.api.v1._schemas import ErrorBody

__all__ = ["REST_PREFIX", "rest_app"]

REST_PREFIX = "/api/v1"
OPENAPI_PATH, DOCS_PATH = "/openapi.json", "/docs"

_DESCRIPTION = """Run Orchestrall graphs over HTTP. Every route needs an API key
(`Authorization: Bearer <key>` or `X-API-Key: <key>`; create one on the Settings page).
Errors are `{"error": {"code", "message", "field"?, "node_id"?, "problems"?}}`.
See docs/api.md for streaming (Server-Sent Events), reconnecting and limits."""


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorBody} for status in statuses}


def rest_app() -> FastAPI:
    """A new REST API app (routes under ``/graphs`` and ``/runs``)."""
    app = FastAPI(
        title="Orchestrall API",
        version="1",
        description=_DESCRIPTION,
        openapi_url=OPENAPI_PATH,
        docs_url=DOCS_PATH,
        redoc_url=None,
        exception_handlers=rest_exception_handlers(),
        middleware=[
            Middleware(ApiGuard, public=(OPENAPI_PATH, DOCS_PATH, DOCS_PATH + "/oauth2-redirect"))
        ],
        dependencies=[Depends(caller)],  # deny by default, also at the routing level
        responses=_errors(401, 403, 404, 409, 413, 422, 429, 500),
    )
    app.include_router(_graphs.router)
    app.include_router(_runs.router)
    return app
