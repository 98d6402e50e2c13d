"""This instance's public template catalogue, read-only JSON for other instances.

    GET /api/marketplace/v1/templates                cards, total, page, pages, per_page
        ?q= &category= &backend= &tag= &sort= &page= &per_page=   (each optional, at most once)
    GET /api/marketplace/v1/templates/{slug}         card, readme, latest spec, versions; no reviews
    GET /api/marketplace/v1/templates/{slug}/bundle  the bundle file (what ``import_bundle`` reads)

Served only while ``serve_catalogue`` is on (404 ``catalogue_disabled`` otherwise),
and only templates of origin ``bundled`` or ``published``. Errors are JSON
``{"code", "message"}``: 422 for bad query parameters, 404 for an unknown (or
non-public) slug, never a traceback. Handlers are thin: the marketplace decides
what is public and how it is written (``marketplace.public_*``, ``*_to_wire``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agent_runtime.errors import NotFoundError, OrchestrallError, StoreError
from marketplace import (
    CATEGORIES,
    SORTS,
    Marketplace,
    detail_to_wire,
    page_to_wire,
    public_bundle,
    public_detail,
    public_search,
)

__all__ = ["catalogue_app"]

logger = logging.getLogger("orchestrall.api")

Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Sort = Literal[SORTS]  # type: ignore[valid-type]


class ApiError(Exception):
    """An answer other than 200: its HTTP status, code and message (sent as JSON)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class _SearchQuery(BaseModel):
    """The query parameters of ``GET /templates``: each at most once, no others."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    q: str = Field(default="", max_length=200)
    category: Category | None = None
    backend: str | None = Field(default=None, pattern=r"^[a-z0-9_-]{1,40}$")
    tag: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")
    sort: Sort = "relevance"
    page: int = Field(default=1, ge=1, le=10_000)
    per_page: int = Field(default=24, ge=1, le=100)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def _search_query(request: Request) -> _SearchQuery:
    params = request.query_params
    repeated = sorted(key for key in params if len(params.getlist(key)) > 1)
    if repeated:
        raise ApiError(422, "bad_query", f"The query parameter {repeated[0]!r} is given twice.")
    try:
        return _SearchQuery.model_validate(dict(params))
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"])
        why = "is not a known parameter" if first["type"] == "extra_forbidden" else first["msg"]
        raise ApiError(422, "bad_query", f"Query parameter {name!r}: {why}.") from None


class _Catalogue:
    """The endpoints, over a marketplace given by ``market()`` while ``enabled()``."""

    def __init__(self, market: Callable[[], Marketplace], enabled: Callable[[], bool]) -> None:
        self._market = market
        self._enabled = enabled

    def _open(self) -> Marketplace:
        if not self._enabled():
            raise ApiError(
                404,
                "catalogue_disabled",
                "This Orchestrall does not share its templates (ORCHESTRALL_SERVE_CATALOGUE is "
                "off).",
            )
        return self._market()

    # Sync endpoints: Starlette runs them in its thread pool (the marketplace blocks).

    def search(self, request: Request) -> Response:
        market = self._open()
        query = _search_query(request)
        page = public_search(
            market, query.q, category=query.category, backend=query.backend, tag=query.tag,
            sort=query.sort, page=query.page, per_page=query.per_page,
        )  # fmt: skip
        return JSONResponse(page_to_wire(page))

    def detail(self, request: Request) -> Response:
        market = self._open()
        return JSONResponse(detail_to_wire(public_detail(market, request.path_params["slug"])))

    def bundle(self, request: Request) -> Response:
        market = self._open()
        slug = request.path_params["slug"]
        data = public_bundle(market, slug)
        disposition = f'attachment; filename="{slug}.orchestrall.json"'
        return Response(data, media_type="application/json",
                        headers={"Content-Disposition": disposition})  # fmt: skip


def _api_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return _error(exc.status, exc.code, exc.message)


def _orchestrall_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, OrchestrallError)
    if isinstance(exc, NotFoundError):
        return _error(404, exc.code, exc.message)
    if isinstance(exc, StoreError):
        logger.warning("Catalogue request failed on the store: %s", exc)
        return _error(503, exc.code, "The catalogue's database is not available right now.")
    return _error(409, exc.code, exc.message)


def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    return _error(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))


def _unexpected(_: Request, exc: Exception) -> Response:
    logger.exception("Catalogue request failed", exc_info=exc)
    return _error(500, "internal_error", "The catalogue failed to answer; see the server log.")


def catalogue_app(market: Callable[[], Marketplace], enabled: Callable[[], bool]) -> Starlette:
    """The catalogue as an ASGI app, to mount at ``/api/marketplace/v1``.

    ``market``: this process's marketplace (called per request); ``enabled``: whether
    to serve (read per request, so tests and settings reloads take effect).
    """
    endpoints = _Catalogue(market, enabled)
    return Starlette(
        routes=[
            Route("/templates", endpoints.search, methods=["GET"]),
            Route("/templates/{slug}", endpoints.detail, methods=["GET"]),
            Route("/templates/{slug}/bundle", endpoints.bundle, methods=["GET"]),
        ],
        exception_handlers={
            ApiError: _api_error,
            OrchestrallError: _orchestrall_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
