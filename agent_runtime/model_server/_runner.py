"""Running the demo model: a background-thread server for tests and the app, and ``serve``."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from types import TracebackType
from typing import Self

import uvicorn

from agent_runtime.errors import ModelServerError

from ._app import create_app
from ._log import RecordedRequest, RequestLog
from ._script import ScriptSource, load_script

__all__ = ["ScriptedModelServer", "serve"]

logger = logging.getLogger("agent_runtime.model_server")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class ScriptedModelServer:
    """The demo model on a uvicorn server in a daemon thread.

    ``port=0`` picks a free port. Use ``with ScriptedModelServer(...) as server:``
    or ``start()``/``stop()``; ``base_url`` is the OpenAI base URL (``.../v1``).
    The script is loaded up front, so a bad script raises ``ScriptError`` here.
    ``requests`` lists the last 200 chat requests it answered, for tests.
    """

    def __init__(
        self,
        script: ScriptSource = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
    ) -> None:
        self.script = load_script(script)
        self._requests = RequestLog()
        self.host = host
        self._requested_port = port
        self._log_level = log_level
        self._port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise ModelServerError("The demo model server is not running; call start() first.")
        return self._port

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:8765``."""
        return f"http://{_url_host(self.host)}:{self.port}"

    @property
    def base_url(self) -> str:
        """OpenAI base URL, e.g. ``http://127.0.0.1:8765/v1``."""
        return f"{self.url}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        """The last 200 chat requests answered, oldest first (kept across restarts)."""
        return self._requests.snapshot()

    def clear_requests(self) -> None:
        """Forget the logged requests."""
        self._requests.clear()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._requested_port))
        except OSError as exc:
            sock.close()
            raise ModelServerError(
                f"Cannot listen on {self.host}:{self._requested_port}: {exc.strerror or exc}"
            ) from None
        return sock

    def start(self, timeout: float = 10.0) -> Self:
        """Start serving and return once the server accepts connections."""
        if self.running:
            return self
        sock = self._bind()
        config = uvicorn.Config(
            create_app(self.script, requests=self._requests),
            log_level=self._log_level,
            log_config=None,  # leave the host process's logging alone
            access_log=False,
            lifespan="off",
            ws="none",
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [sock]},
            name="orchestrall-demo-model",
            daemon=True,
        )
        self._socket, self._server, self._thread = sock, server, thread
        self._port = sock.getsockname()[1]
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ModelServerError("The demo model server did not start.")
            time.sleep(0.005)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and wait for the thread to end (safe to call twice)."""
        server, thread, sock = self._server, self._thread, self._socket
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive() and server is not None:
                server.force_exit = True
                thread.join(timeout)
        if sock is not None:
            sock.close()
        self._server = self._thread = self._socket = None
        self._port = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self._port is not None else "stopped"
        return f"<ScriptedModelServer {where} rules={len(self.script.rules)}>"


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    script_path: str | os.PathLike[str] | None = None,
    *,
    log_level: str = "info",
) -> None:
    """Serve the demo model in the foreground until interrupted (used by the CLI).

    Raises ``ScriptError`` for a bad script before listening.
    """
    app = create_app(load_script(script_path))
    logger.info("Offline demo model at http://%s:%s/v1", _url_host(host), port)
    uvicorn.run(app, host=host, port=port, log_level=log_level, lifespan="off", ws="none")
