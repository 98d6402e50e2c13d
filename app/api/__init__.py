"""The backend's own HTTP API, beside Reflex's: built in one place, mounted by ``app/app.py``.

    rx.App(..., api_transformer=build_api())     # Reflex mounts its own routes under it
    uvicorn --factory app.api:build_api          # the same API alone (tests, tooling)

Each part is one mount in ``api_mounts``: ``/api/marketplace/v1`` (the public template
catalogue), ``/api/v1`` (the REST API for running graphs, with its OpenAPI document)
and ``/v1`` (the OpenAI-compatible chat endpoint); a new API adds its line there.
Handlers stay thin over services and the marketplace.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount

from agent_runtime.settings import get_settings
from app.api.catalogue import catalogue_app
from app.api.v1 import OPENAI_PREFIX, REST_PREFIX, openai_app, rest_app
from app.services.marketplace_sources import shared_market
from marketplace import API_PREFIX, Marketplace

__all__ = ["api_mounts", "build_api"]


def _serving_catalogue() -> bool:
    return get_settings().serve_catalogue


def api_mounts(
    *,
    market: Callable[[], Marketplace] = shared_market,
    serve_catalogue: Callable[[], bool] = _serving_catalogue,
) -> list[BaseRoute]:
    """Every API mount of the backend (prefix → ASGI app); add new ones here."""
    return [
        Mount(API_PREFIX, app=catalogue_app(market, serve_catalogue), name="catalogue"),
        Mount(REST_PREFIX, app=rest_app(), name="api_v1"),
        Mount(OPENAI_PREFIX, app=openai_app(), name="openai"),
    ]


def build_api(
    *,
    market: Callable[[], Marketplace] = shared_market,
    serve_catalogue: Callable[[], bool] = _serving_catalogue,
) -> Starlette:
    """The API app: ``api_mounts`` on a Starlette app (Reflex mounts itself at its root)."""
    return Starlette(routes=api_mounts(market=market, serve_catalogue=serve_catalogue))
