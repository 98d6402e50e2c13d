"""Canary: secret values planted through the store and the settings page appear nowhere else.

Three canaries go in the way a user puts them in: one through ``SecretStore``, an
OpenAI key through the settings page's state, and an HTTP tool's token through its
Secrets form. A graph whose two models and one HTTP tool name those secrets then
runs on every backend against the scripted model server, which records the headers
it receives (so the values demonstrably reached it). Afterwards the canaries must
be in none of: the run's events (streamed and stored), the run row, the graph's
export, the logs (DEBUG, every logger), stdout/stderr, any file in the data dir
(SQLite database, WAL, checkpoints, key file, providers.json), and the settings
state the browser would get (``dict()``, the delta, the pickled state).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent_runtime.backends import BACKEND_NAMES
from agent_runtime.model_server import ScriptedModelServer
from agent_runtime.model_server import _runner as model_server_runner
from agent_runtime.runtime import Runtime
from agent_runtime.secrets import SecretStore, load_secret_key
from agent_runtime.settings import get_settings
from app.pages.settings_state import SettingsState
from app.services import graphs
from app.services import settings as settings_service
from tests.agent_runtime.conformance._graphs import chain

ASGIApp = Callable[..., Any]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh data dir for the app's services (as ``tests/app/conftest.py`` makes it)."""
    path = tmp_path / "data"
    monkeypatch.setenv("ORCHESTRALL_DATA_DIR", str(path))
    monkeypatch.setenv("ORCHESTRALL_DATABASE_URL", f"sqlite:///{path / 'orchestrall.db'}")
    for var in ("ORCHESTRALL_SECRET_KEY", "ORCHESTRALL_OPENAI_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    graphs.close_store()
    get_settings.cache_clear()
    yield path
    graphs.close_store()
    get_settings.cache_clear()


@pytest.fixture
def recording_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ScriptedModelServer, list]]:
    """The scripted model server, recording the headers of every request it gets."""
    seen: list[dict[str, str]] = []
    create_app = model_server_runner.create_app

    def recording_app(*args: Any, **kwargs: Any) -> ASGIApp:
        app = create_app(*args, **kwargs)

        async def recorded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                seen.append({k.decode().lower(): v.decode() for k, v in scope["headers"]})
            await app(scope, receive, send)

        return recorded

    monkeypatch.setattr(model_server_runner, "create_app", recording_app)
    with ScriptedModelServer() as server:
        yield server, seen


def _spec(server: ScriptedModelServer) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "name": "Canary",
        "default_model": "from_store",
        "models": [
            {
                "id": "from_store",
                "provider": "openai_compatible",
                "model": "orchestrall-demo",
                "base_url": server.base_url,
                "api_key_secret": "CANARY_MODEL_KEY",
            },
            {
                "id": "from_page",
                "provider": "openai",
                "model": "orchestrall-demo",
                "base_url": server.base_url,
                "api_key_secret": "OPENAI_API_KEY",
            },
        ],
        "tools": [
            {
                "kind": "http",
                "id": "shop",
                "description": "Lists what the shop offers.",
                "url": f"{server.url}/v1/models",
                "allowed_hosts": ["127.0.0.1"],
                "header_secrets": {"X-Shop-Token": "SHOP_API_TOKEN"},
            }
        ],
        "memories": [],
        "nodes": [
            {"id": "input", "kind": "input"},
            {"id": "fetch", "kind": "tool", "tool": "shop", "arguments": {}},
            {"id": "a", "kind": "agent", "name": "Alpha"},
            {"id": "b", "kind": "agent", "name": "Beta", "model": "from_page"},
            {"id": "output", "kind": "output"},
        ],
        "edges": chain("input", "fetch", "a", "b", "output"),
        "limits": {"max_steps": 25, "timeout_seconds": 30, "max_tokens": 50_000},
    }


def _everything_written(data_dir: Path) -> bytes:
    """The bytes of every file in the data dir (database, WAL, checkpoints, key, JSON)."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())


@pytest.mark.parametrize("backend", BACKEND_NAMES)
async def test_canary_secrets_appear_nowhere_but_in_the_requests(
    backend: str, data_dir: Path, recording_server, caplog, capfd
) -> None:
    server, seen = recording_server
    caplog.set_level(logging.DEBUG)
    canaries = {
        "store": f"sk-canary-{uuid.uuid4().hex}",
        "page": f"sk-canary-{uuid.uuid4().hex}",
        "tool": f"tok-canary-{uuid.uuid4().hex}",
    }

    # Planted the ways a user plants them.
    SecretStore(graphs.get_store(), load_secret_key(get_settings())).set_secret(
        "CANARY_MODEL_KEY", canaries["store"]
    )
    state = SettingsState()
    state.load_settings()
    state.save_openai({"api_key": canaries["page"]})
    state.save_secret({"name": "SHOP_API_TOKEN", "value": canaries["tool"]})
    assert state.form_errors["openai"] == "" and state.secret_error == ""

    # A run that uses all three.
    store = graphs.get_store()
    graph_id = store.create_graph("Canary", spec=_spec(server)).id
    runtime = Runtime(settings=get_settings(), store=store, secrets=settings_service.run_secrets())
    try:
        run = runtime.start(graph_id, {"message": "what is in the shop?"}, backend=backend)
        events = [event async for event in runtime.execute(run.id)]
    finally:
        await runtime.aclose()
    run = store.get_run(run.id)
    assert run.status.value == "succeeded", run.error

    # The values did reach the model server and the tool's host, as headers.
    authorizations = {h.get("authorization") for h in seen}
    assert f"Bearer {canaries['store']}" in authorizations
    assert f"Bearer {canaries['page']}" in authorizations
    assert canaries["tool"] in {h.get("x-shop-token") for h in seen}

    state.load_settings()
    out, err = capfd.readouterr()
    places = {
        "streamed events": "\n".join(repr(e) for e in events),
        "stored events": json.dumps(
            [e.model_dump(mode="json") for e in store.list_run_events(run.id)]
        ),
        "run row": run.model_dump_json(),
        "graph export": json.dumps(store.export_graph(graph_id)),
        "logs": "\n".join(
            logging.Formatter("%(name)s %(message)s").format(r) for r in caplog.records
        ),
        "stdout/stderr": out + err,
        "state dict": json.dumps(state.dict(), default=str),
        "state delta": json.dumps(state.get_delta(), default=str),
        "pickled state": repr(state._serialize()),
        "reprs": repr(settings_service.run_secrets()) + repr(runtime) + repr(store),
    }
    written = _everything_written(data_dir)
    assert b"orchestrall.db" in b"".join(p.name.encode() for p in data_dir.iterdir())
    for where, canary in canaries.items():
        for place, text in places.items():
            assert canary not in text, f"the {where} canary is in the {place}"
        assert canary.encode() not in written, f"the {where} canary is in a data dir file"
    assert len(caplog.records) > 0  # the run did log (at DEBUG), just not the secrets
