"""Starting and stopping the demo model: the thread runner, ``serve`` and the public API."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openai
import pytest

import agent_runtime.model_server as model_server
from agent_runtime.errors import ModelServerError, ScriptError
from agent_runtime.model_server import DEMO_MODEL, ScriptedModelServer, serve


def test_exported_members() -> None:
    assert sorted(model_server.__all__) == [
        "DEMO_MODEL",
        "RecordedRequest",
        "Script",
        "ScriptedModelServer",
        "agent_name",
        "count_tokens",
        "create_app",
        "load_script",
        "serve",
    ]
    assert all(hasattr(model_server, name) for name in model_server.__all__)


def test_port_zero_picks_a_free_port_and_stop_frees_it() -> None:
    server = ScriptedModelServer()
    with pytest.raises(ModelServerError, match="not running"):
        _ = server.base_url
    with server:
        assert server.running
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", server.base_url)
        assert server.port > 0
        health = httpx.get(f"{server.url}/health")
        assert health.json() == {"status": "ok", "models": [DEMO_MODEL]}
        port = server.port
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/health")
    server.stop()  # a second stop is harmless


def test_two_servers_side_by_side_and_restart() -> None:
    one = ScriptedModelServer(script=[{"content": "one"}])
    two = ScriptedModelServer(script=[{"content": "two"}])
    with one, two:
        assert one.port != two.port
        for server, expected in ((one, "one"), (two, "two")):
            with openai.OpenAI(base_url=server.base_url, api_key="demo") as client:
                reply = client.chat.completions.create(
                    model=DEMO_MODEL, messages=[{"role": "user", "content": "?"}]
                )
            assert reply.choices[0].message.content == expected
    one.start()
    try:
        assert httpx.get(f"{one.url}/health").status_code == 200
    finally:
        one.stop()


def test_a_taken_port_is_a_clear_error() -> None:
    with ScriptedModelServer() as first:
        clash = ScriptedModelServer(port=first.port)
        with pytest.raises(ModelServerError, match=f"Cannot listen on 127.0.0.1:{first.port}"):
            clash.start()
        assert not clash.running


def test_serve_rejects_a_bad_script_before_listening(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - when: {last_role: robot}\n    content: x\n")
    with pytest.raises(ScriptError, match=r"rules\[0\], field 'when.last_role'"):
        serve(port=1, script_path=bad)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_serve_runs_in_the_foreground(demo_script_path: Path) -> None:
    port = _free_port()
    code = (
        "from agent_runtime.model_server import serve; "
        f"serve(host='127.0.0.1', port={port}, script_path={str(demo_script_path)!r},"
        " log_level='warning')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/health")
                break
            except httpx.ConnectError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "serve() did not start listening"
                time.sleep(0.05)
        with openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="demo") as client:
            reply = client.chat.completions.create(
                model=DEMO_MODEL, messages=[{"role": "user", "content": "hello"}]
            )
        assert reply.choices[0].message.content.startswith("Hello! I am the Orchestrall")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()
