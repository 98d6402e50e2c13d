"""A real local HTTP site for tool tests: uvicorn in a daemon thread on a free port.

It records every request it receives in ``site.seen`` (so a test can assert
that nothing was sent) and offers echo, status, redirect, slow, drip, big and
binary endpoints.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@dataclass
class Seen:
    method: str
    path: str
    raw_path: str
    query: str
    headers: dict[str, str]


@dataclass
class Site:
    port: int = 0
    seen: list[Seen] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


def _app(site: Site) -> Starlette:
    async def echo(request: Request) -> Response:
        body = (await request.body()).decode()
        return JSONResponse(
            {
                "method": request.method,
                "raw_path": request.scope["raw_path"].decode(),
                "query": dict(request.query_params.multi_items()),
                "headers": dict(request.headers),
                "body": body,
            }
        )

    async def status(request: Request) -> Response:
        code = int(request.path_params["code"])
        return PlainTextResponse(f"status {code} body", status_code=code)

    async def redirect(request: Request) -> Response:
        code = int(request.query_params.get("code", "302"))
        return RedirectResponse(request.query_params["to"], status_code=code)

    async def loop(request: Request) -> Response:
        return RedirectResponse("/loop", status_code=302)

    async def slow(request: Request) -> Response:
        await asyncio.sleep(1.0)
        return PlainTextResponse("finally")

    async def drip(request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(100):  # a byte every 0.1 s for 10 s: no read ever waits long
                yield b"."
                await asyncio.sleep(0.1)

        return StreamingResponse(chunks(), media_type="text/plain")

    async def big(request: Request) -> Response:
        size = int(request.query_params["size"])

        async def chunks() -> AsyncIterator[bytes]:
            sent = 0
            while sent < size:
                part = min(65536, size - sent)
                sent += part
                yield b"a" * part

        return StreamingResponse(chunks(), media_type="text/plain")

    async def binary(request: Request) -> Response:
        return Response(b"\x89PNG\r\n\x1a\n" + bytes(100), media_type="image/png")

    app = Starlette(
        middleware=[Middleware(_Recorder, site=site)],
        routes=[
            Route("/echo/{rest:path}", echo, methods=METHODS),
            Route("/status/{code}", status, methods=METHODS),
            Route("/redirect", redirect, methods=METHODS),
            Route("/loop", loop),
            Route("/slow", slow),
            Route("/drip", drip),
            Route("/big", big),
            Route("/binary", binary),
        ],
    )
    return app


class _Recorder:
    """ASGI middleware: note every HTTP request before it is handled."""

    def __init__(self, app: ASGIApp, site: Site) -> None:
        self.app, self.site = app, site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            self.site.seen.append(
                Seen(
                    request.method,
                    request.url.path,
                    scope["raw_path"].decode(),
                    request.url.query,
                    dict(request.headers),
                )
            )
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def site_server() -> Iterator[Site]:
    site = Site()
    app = _app(site)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    site.port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        log_config=None,
        access_log=False,
        lifespan="off",
        ws="none",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="tools-test-site", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "test site did not start"
        time.sleep(0.005)
    yield site
    server.should_exit = True
    thread.join(5)
    sock.close()


@pytest.fixture
def site(site_server: Site) -> Site:
    """The module's site with an empty request record."""
    site_server.seen.clear()
    return site_server


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
