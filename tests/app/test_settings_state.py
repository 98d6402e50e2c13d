"""SettingsState against a real store, a real key file and real HTTP servers.

What the settings page shows and does: provider forms (keys go in, hints come out),
Test connection in plain words, and the named secrets list. No value typed into a
key field ever appears in the state the browser gets (``state.dict()``), in the
pickled state (``_serialize()``) or in ``providers.json``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from agent_runtime.model_server import ScriptedModelServer
from agent_runtime.secrets import SecretStore, load_secret_key
from agent_runtime.settings import get_settings
from app.pages.settings import SETTINGS, settings_page
from app.pages.settings_state import SettingsState
from app.routes import ROUTES
from app.services import graphs
from app.services import settings as service
from components.header import SETTINGS_HREF

GOOD_KEY = "sk-good-key-0123456789abcd"
PROVIDER_ENV = (
    "OPENAI_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "OPENAI_COMPATIBLE_API_KEY",
    "ORCHESTRALL_OPENAI_API_KEY",
    "ORCHESTRALL_SECRET_KEY",
    "ORCHESTRALL_DEFAULT_BASE_URL",
)


# ------------------------------------------------- a fake provider API ---


class _Provider(BaseHTTPRequestHandler):
    """``/ok/v1/models`` (Bearer GOOD_KEY), ``/openai/models`` (Azure: ``api-key``),
    ``/missing/…`` (404) and ``/slow/…`` (answers after 2 s). A wrong key gets a 401
    whose message echoes the key, like OpenAI's own."""

    seen: list[dict[str, str]] = []

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        type(self).seen.append({"path": self.path, **headers})
        if self.path.startswith("/slow/"):
            time.sleep(2)
        if self.path.startswith("/missing/"):
            return self._json(404, {"error": {"message": "no such route"}})
        azure = self.path.startswith("/openai/models")
        given = self.headers.get("api-key") if azure else self.headers.get("authorization", "")
        expected = GOOD_KEY if azure else f"Bearer {GOOD_KEY}"
        if given != expected:
            return self._json(401, {"error": {"message": f"Incorrect API key provided: {given}"}})
        models = [{"id": m, "object": "model", "created": 0, "owned_by": "t"} for m in ("a", "b")]
        return self._json(200, {"object": "list", "data": models})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up on /slow/ (the timeout test) is expected


@pytest.fixture(scope="module")
def provider_api() -> Iterator[str]:
    """The root URL of the fake provider API."""
    server = _Server(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _clean_env(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in PROVIDER_ENV:
        monkeypatch.delenv(var, raising=False)
    _Provider.seen = []
    get_settings.cache_clear()


# ---------------------------------------------------------------- helpers ---


def _loaded() -> SettingsState:
    state = SettingsState()
    state.load_settings()
    return state


def _client_text(state: SettingsState) -> str:
    """Everything the browser could get from this state, plus its pickled form."""
    return json.dumps(state.dict(), default=str) + repr(state._serialize())


async def _test(state: SettingsState, provider: str) -> tuple[str, str]:
    await SettingsState.test_connection.fn(state, provider)
    return state.checks[provider], state.check_messages[provider]


def _secret_store() -> SecretStore:
    return SecretStore(graphs.get_store(), load_secret_key(get_settings()))


# ------------------------------------------------------------------ load ---


def test_a_fresh_install_shows_the_demo_model_and_no_keys(data_dir: Path) -> None:
    state = _loaded()

    assert state.loaded and state.load_error == ""
    assert state.demo_base_url.startswith("http://127.0.0.1:")
    assert state.openai_key.label == "Not set" and state.openai_key.source == "missing"
    assert state.azure_api_version == service.DEFAULT_AZURE_API_VERSION
    assert state.secrets == [] and not state.has_secrets
    assert set(state.checks.values()) == {"idle"}


def test_keys_set_in_the_environment_are_shown_as_such(monkeypatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-key-from-env-9876")
    monkeypatch.setenv("ORCHESTRALL_OPENAI_API_KEY", "sk-from-orchestrall-env-4321")
    get_settings.cache_clear()

    state = _loaded()

    assert state.azure_key.source == "environment"
    assert state.azure_key.label == "From the environment ••••9876"
    assert state.openai_key.label == "From ORCHESTRALL_OPENAI_API_KEY ••••4321"
    assert "azure-key-from-env" not in _client_text(state)


# ------------------------------------------------------------- providers ---


def test_saving_an_openai_key_keeps_only_a_hint_in_the_state(data_dir: Path) -> None:
    state = _loaded()
    version = state.form_version
    form = {"api_key": f"  {GOOD_KEY}\n"}

    toast = state.save_openai(form)

    assert toast is not None and "Saved" in str(toast)
    assert form == {}  # the handler dropped the submitted key
    assert state.openai_key.source == "stored"
    assert state.openai_key.label == "Saved ••••abcd"
    assert state.form_version > version  # the form remounts, empty
    assert [(s.name, s.hint, s.used_by) for s in state.secrets] == [
        ("OPENAI_API_KEY", "••••abcd", "OpenAI")
    ]
    assert GOOD_KEY not in _client_text(state)
    assert _secret_store().reveal("OPENAI_API_KEY") == GOOD_KEY
    assert _loaded().openai_key.label == "Saved ••••abcd"  # a reload shows the same


def test_saving_openai_without_a_key_says_so(data_dir: Path) -> None:
    state = _loaded()

    assert state.save_openai({"api_key": "   "}) is None

    assert state.form_errors["openai"] == "Enter an API key to save."
    assert _secret_store().list_secrets() == []


def test_azure_fields_go_to_providers_json_and_the_key_is_encrypted(data_dir: Path) -> None:
    state = _loaded()

    state.save_azure(
        {
            "endpoint": " https://my-resource.openai.azure.com/ ",
            "api_version": "2025-01-01-preview",
            "api_key": "azure-key-0123456789",
        }
    )

    assert state.form_errors["azure_openai"] == ""
    assert state.azure_endpoint == "https://my-resource.openai.azure.com"
    assert state.azure_api_version == "2025-01-01-preview"
    assert state.azure_key.label == "Saved ••••6789"
    saved = (data_dir / service.PROVIDERS_FILE).read_text()
    assert json.loads(saved)["azure_endpoint"] == "https://my-resource.openai.azure.com"
    assert "azure-key-0123456789" not in saved
    assert "azure-key-0123456789" not in _client_text(state)

    # Saving again with the key field empty keeps the key.
    state.save_azure({"endpoint": "https://other.openai.azure.com", "api_version": "2024-10-21"})
    assert state.azure_endpoint == "https://other.openai.azure.com"
    assert _secret_store().reveal("AZURE_OPENAI_API_KEY") == "azure-key-0123456789"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"endpoint": "ftp://x.example"}, "The endpoint URL must be an http:// or https:// URL."),
        ({"endpoint": "https://x.example", "api_version": "2024 10"}, "The API version can"),
        ({"endpoint": "https://x.example", "api_key": "bad\nkey"}, "line breaks"),
    ],
)
def test_bad_azure_input_saves_nothing_and_keeps_what_was_typed(
    data_dir: Path, form: dict[str, str], message: str
) -> None:
    state = _loaded()

    state.save_azure({"api_version": "2024-10-21", **form})

    assert message in state.form_errors["azure_openai"]
    assert state.azure_endpoint == form["endpoint"]  # shown again in the remounted form
    assert not (data_dir / service.PROVIDERS_FILE).exists()
    assert _secret_store().list_secrets() == []
    assert "bad\nkey" not in _client_text(state)


def test_an_openai_compatible_key_goes_to_the_named_or_default_secret(data_dir: Path) -> None:
    state = _loaded()

    state.save_compatible({"base_url": "http://localhost:11434/v1", "key_secret": ""})
    assert state.compatible_base_url == "http://localhost:11434/v1"
    assert state.compatible_key.source == "missing" and state.compatible_key_secret == ""

    state.save_compatible({"base_url": "http://localhost:11434/v1", "api_key": "ollama-key"})
    assert state.compatible_key_secret == "OPENAI_COMPATIBLE_API_KEY"
    assert state.compatible_key.label == "Saved ••••••••"  # under 12 characters: no tail

    state.save_compatible(
        {"base_url": "http://vllm:8000/v1", "key_secret": "VLLM_KEY", "api_key": "vllm-key-123456"}
    )
    assert state.compatible_key_secret == "VLLM_KEY"
    assert state.compatible_key.label == "Saved ••••3456"
    assert {s.name: s.used_by for s in state.secrets} == {
        "OPENAI_COMPATIBLE_API_KEY": "",
        "VLLM_KEY": "OpenAI-compatible",
    }

    state.save_compatible({"base_url": "http://vllm:8000/v1", "key_secret": "lower"})
    assert "secret name like" in state.form_errors["openai_compatible"]


# ------------------------------------------------------- test connection ---


async def test_the_demo_model_is_always_available(monkeypatch) -> None:
    with ScriptedModelServer() as server:
        monkeypatch.setenv("ORCHESTRALL_MODEL_SERVER_PORT", str(server.port))
        get_settings.cache_clear()
        state = _loaded()
        assert state.demo_base_url == server.base_url

        status, message = await _test(state, "demo")

    assert (status, message) == ("ok", "Connected: 1 model")


async def test_an_openai_compatible_server_with_a_saved_key(provider_api: str) -> None:
    state = _loaded()
    state.save_compatible({"base_url": f"{provider_api}/ok/v1", "api_key": GOOD_KEY})

    assert await _test(state, "openai_compatible") == ("ok", "Connected: 2 models")

    assert _Provider.seen[-1]["authorization"] == f"Bearer {GOOD_KEY}"
    assert GOOD_KEY not in _client_text(state)


async def test_a_refused_key_is_explained_without_the_servers_echo(provider_api: str) -> None:
    state = _loaded()
    state.save_compatible({"base_url": f"{provider_api}/ok/v1", "api_key": "sk-wrong-key-777777"})

    status, message = await _test(state, "openai_compatible")

    assert status == "error"
    assert message == "The API key was refused (401). Check the key and save it again."
    assert "sk-wrong" not in _client_text(state)


async def test_openai_uses_the_saved_key(provider_api: str, monkeypatch) -> None:
    monkeypatch.setattr(service, "OPENAI_BASE_URL", f"{provider_api}/ok/v1")
    state = _loaded()
    assert await _test(state, "openai") == ("error", "No API key is saved yet.")

    state.save_openai({"api_key": GOOD_KEY})

    assert await _test(state, "openai") == ("ok", "Connected: 2 models")


async def test_azure_lists_models_with_its_api_key_header(provider_api: str) -> None:
    state = _loaded()
    assert await _test(state, "azure_openai") == ("error", "Save the endpoint URL first.")
    state.save_azure({"endpoint": provider_api, "api_version": "2024-10-21"})
    assert await _test(state, "azure_openai") == ("error", "No API key is saved yet.")

    state.save_azure({"endpoint": provider_api, "api_version": "2024-10-21", "api_key": GOOD_KEY})

    assert await _test(state, "azure_openai") == ("ok", "Connected: 2 models")
    assert _Provider.seen[-1]["path"] == "/openai/models?api-version=2024-10-21"
    assert _Provider.seen[-1]["api-key"] == GOOD_KEY


async def test_unreachable_missing_and_slow_servers_in_plain_words(
    provider_api: str, monkeypatch
) -> None:
    monkeypatch.setattr(service, "CONNECTION_TIMEOUT_S", 0.3)
    host = provider_api.removeprefix("http://")
    state = _loaded()

    state.save_compatible({"base_url": f"{provider_api}/missing/v1"})
    assert await _test(state, "openai_compatible") == (
        "error",
        f"{host} has no /models here (404). Check the URL: it usually ends in /v1.",
    )

    state.save_compatible({"base_url": f"{provider_api}/slow/v1"})
    assert await _test(state, "openai_compatible") == (
        "error",
        f"{host} did not answer within 0.3 seconds.",
    )

    state.save_compatible({"base_url": "http://127.0.0.1:9/v1"})
    assert await _test(state, "openai_compatible") == (
        "error",
        "Could not connect to 127.0.0.1:9. Is the server running and the URL right?",
    )


async def test_saving_a_provider_clears_its_last_test_result(provider_api: str) -> None:
    state = _loaded()
    state.save_compatible({"base_url": f"{provider_api}/missing/v1"})
    await _test(state, "openai_compatible")
    assert state.checks["openai_compatible"] == "error"

    state.save_compatible({"base_url": f"{provider_api}/ok/v1"})

    assert state.checks["openai_compatible"] == "idle"
    assert state.check_messages["openai_compatible"] == ""


async def test_a_key_saved_under_another_secret_key_is_flagged(monkeypatch) -> None:
    state = _loaded()
    state.save_openai({"api_key": GOOD_KEY})
    monkeypatch.setenv("ORCHESTRALL_SECRET_KEY", Fernet.generate_key().decode())
    get_settings.cache_clear()

    state.load_settings()

    assert state.openai_key.source == "unreadable"
    assert state.openai_key.label == "Saved under another key: enter it again"
    assert [s.readable for s in state.secrets] == [False]
    status, message = await _test(state, "openai")
    assert status == "error" and "cannot be decrypted" in message
    assert "ORCHESTRALL_SECRET_KEY" in message


# --------------------------------------------------------------- secrets ---


def test_add_replace_and_delete_a_named_secret(data_dir: Path) -> None:
    state = _loaded()

    toast = state.save_secret({"name": " SHOP_API_TOKEN ", "value": "shop-token-0123456789"})

    assert "Saved SHOP_API_TOKEN (••••6789)" in str(toast)
    assert [(s.name, s.hint, s.readable) for s in state.secrets] == [
        ("SHOP_API_TOKEN", "••••6789", True)
    ]
    assert state.secret_name == "" and state.secret_error == ""

    version = state.secret_form_version
    focus = state.replace_secret("SHOP_API_TOKEN")
    assert state.secret_name == "SHOP_API_TOKEN" and state.secret_form_version > version
    assert "ref_secret_value" in str(focus)  # the value input, by its id
    state.save_secret({"name": "SHOP_API_TOKEN", "value": "shop-token-replaced-0000"})
    assert state.secrets[0].hint == "••••0000"

    state.ask_delete("SHOP_API_TOKEN")
    assert state.confirming_delete
    toast = state.delete_secret()
    assert "Deleted SHOP_API_TOKEN" in str(toast)
    assert state.secrets == [] and not state.confirming_delete
    assert "shop-token" not in _client_text(state)


def test_secret_changes_leave_unsaved_provider_fields_alone(data_dir: Path) -> None:
    state = _loaded()
    state.save_azure({"endpoint": "not a url", "api_version": "2024-10-21"})
    version = state.form_version

    state.save_secret({"name": "CRM_TOKEN", "value": "crm-token-value-1"})
    state.replace_secret("CRM_TOKEN")
    state.ask_delete("CRM_TOKEN")
    state.delete_secret()

    assert state.form_version == version  # the provider forms were not refilled
    assert state.azure_endpoint == "not a url"
    assert state.form_errors["azure_openai"] != ""


def test_loading_the_page_again_starts_afresh(data_dir: Path) -> None:
    state = _loaded()
    state.save_azure({"endpoint": "not a url", "api_version": "2024-10-21"})
    state.checks = {**state.checks, "demo": "ok"}
    state.save_secret({"name": "lower", "value": "x"})

    state.load_settings()

    assert set(state.form_errors.values()) == {""}
    assert set(state.checks.values()) == {"idle"}
    assert state.secret_error == "" and state.azure_endpoint == ""


def test_a_bad_secret_name_is_neither_saved_nor_shown_again(data_dir: Path) -> None:
    state = _loaded()
    pasted = "sk-a-value-pasted-in-the-name-field"

    state.save_secret({"name": pasted, "value": "whatever-value"})

    assert "SHOP_API_TOKEN" in state.secret_error
    assert state.secret_name == ""
    assert pasted not in _client_text(state)
    assert state.secrets == []


def test_an_empty_secret_value_keeps_the_name_for_another_try(data_dir: Path) -> None:
    state = _loaded()

    state.save_secret({"name": "CRM_TOKEN", "value": "  "})

    assert state.secret_error == "A secret needs a non-empty value."
    assert state.secret_name == "CRM_TOKEN"
    assert state.secrets == []


def test_deleting_a_secret_another_tab_deleted_says_so(data_dir: Path) -> None:
    state = _loaded()
    state.save_secret({"name": "CRM_TOKEN", "value": "crm-token-value-1"})
    _secret_store().delete_secret("CRM_TOKEN")

    state.ask_delete("CRM_TOKEN")
    toast = state.delete_secret()

    assert "Could not delete CRM_TOKEN" in str(toast)
    assert state.secrets == []


def test_closing_the_delete_dialog_forgets_the_choice(data_dir: Path) -> None:
    state = _loaded()
    state.ask_delete("CRM_TOKEN")

    state.delete_dialog_changed(False)

    assert state.delete_name == "" and state.delete_secret() is None


# ------------------------------------------------------------------ page ---


def test_the_page_is_routed_and_linked_from_the_header() -> None:
    assert SETTINGS == SETTINGS_HREF == "/settings"
    assert [r.title for r in ROUTES if r.path == SETTINGS] == ["Settings · Orchestrall"]
    page = settings_page()
    rendered = str(page)
    for test_id in ("openai-api-key", "azure_openai-endpoint", "secret-value", "settings-link"):
        assert test_id in rendered
