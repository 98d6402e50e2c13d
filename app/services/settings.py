"""Model providers and named secrets, as the settings page shows and changes them.

Where things live:

- keys and other secret values: only in the store's encrypted ``secret`` table
  (``agent_runtime.secrets``). They come in through ``save_provider`` and
  ``set_secret`` and never come back out to the UI: views carry masked hints.
- the non-secret provider fields (Azure endpoint and API version, the
  OpenAI-compatible base URL and the name of its key's secret) in
  ``<data_dir>/providers.json``, written atomically. A file, not a table: runs
  never read it (a spec carries its own ``base_url`` and ``api_key_secret``),
  only this page does.

"Test connection" (``check_connection``) lists the provider's models with the
``openai`` client within ``CONNECTION_TIMEOUT_S`` and answers in plain words.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import pydantic

from agent_runtime.errors import ConfigurationError, OrchestrallError
from agent_runtime.models import demo_base_url
from agent_runtime.secrets import (
    EnvSecrets,
    SecretInfo,
    SecretStore,
    StoredSecrets,
    is_secret_name,
    load_secret_key,
    mask_secret,
    stored_secrets,
)
from agent_runtime.settings import get_settings
from app.services.graphs import get_store

__all__ = [
    "AZURE_KEY_SECRET",
    "COMPATIBLE_KEY_SECRET",
    "CONNECTION_TIMEOUT_S",
    "OPENAI_KEY_SECRET",
    "PROVIDERS",
    "ConnectionResult",
    "KeyStatus",
    "ProviderSettings",
    "SecretRow",
    "SettingsView",
    "check_connection",
    "delete_secret",
    "load_settings",
    "provider_settings",
    "run_secrets",
    "save_provider",
    "set_secret",
]

Provider = Literal["demo", "openai", "azure_openai", "openai_compatible"]
PROVIDERS: tuple[Provider, ...] = ("demo", "openai", "azure_openai", "openai_compatible")
OPENAI_KEY_SECRET = "OPENAI_API_KEY"
AZURE_KEY_SECRET = "AZURE_OPENAI_API_KEY"
COMPATIBLE_KEY_SECRET = "OPENAI_COMPATIBLE_API_KEY"
"""The secret an OpenAI-compatible key goes to when its form names none."""
OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_AZURE_API_VERSION = "2024-10-21"
CONNECTION_TIMEOUT_S = 5.0
PROVIDERS_FILE = "providers.json"

_URL = r"^https?://[^\s/?#]+\S*$"


class ProviderSettings(pydantic.BaseModel):
    """The non-secret provider fields kept in ``providers.json`` (never a key)."""

    model_config = pydantic.ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)

    azure_endpoint: str = pydantic.Field(default="", max_length=500)
    azure_api_version: str = pydantic.Field(
        default=DEFAULT_AZURE_API_VERSION, pattern=r"^[A-Za-z0-9._-]{1,40}$"
    )
    compatible_base_url: str = pydantic.Field(default="", max_length=500)
    compatible_key_secret: str = ""

    @pydantic.field_validator("azure_endpoint", "compatible_base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not re.match(_URL, value):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @pydantic.field_validator("compatible_key_secret")
    @classmethod
    def _secret_name(cls, value: str) -> str:
        if value and not is_secret_name(value):
            raise ValueError("must be a secret name like OLLAMA_API_KEY")
        return value


@dataclasses.dataclass(frozen=True)
class KeyStatus:
    """How a provider's key stands, without the key: ``source`` is stored, environment,
    unreadable (saved under another secret key) or missing."""

    secret: str = ""
    hint: str = ""
    source: str = "missing"
    label: str = "Not set"


@dataclasses.dataclass(frozen=True)
class SecretRow:
    """One stored secret as the Secrets list shows it."""

    name: str
    hint: str
    updated_at: str  # ISO 8601 with offset
    readable: bool
    used_by: str  # the provider whose key it is, or ""


@dataclasses.dataclass(frozen=True)
class SettingsView:
    """Everything the settings page shows: plain values, no secret among them."""

    demo_base_url: str
    azure_endpoint: str
    azure_api_version: str
    compatible_base_url: str
    compatible_key_secret: str
    openai_key: KeyStatus
    azure_key: KeyStatus
    compatible_key: KeyStatus
    secrets: list[SecretRow]


@dataclasses.dataclass(frozen=True)
class ConnectionResult:
    """A connection test: ``ok`` and a plain-words ``message`` (``Connected: 3 models``)."""

    ok: bool
    message: str
    models: tuple[str, ...] = ()


# ------------------------------------------------------------ storage ---


def _secrets() -> SecretStore:
    return SecretStore(get_store(), load_secret_key(get_settings()))


def run_secrets() -> StoredSecrets:
    """The secrets a run started from the app gets: stored ones, then the environment."""
    return stored_secrets(get_store(), get_settings())


def _providers_path() -> Path:
    return get_settings().data_dir / PROVIDERS_FILE


def provider_settings() -> ProviderSettings:
    """The saved provider fields (defaults when nothing is saved or the file is unreadable)."""
    try:
        data = json.loads(_providers_path().read_text("utf-8"))
        return ProviderSettings.model_validate(data if isinstance(data, dict) else {})
    except (OSError, ValueError):
        return ProviderSettings()


def _write_provider_settings(values: ProviderSettings) -> None:
    path = _providers_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_text(json.dumps(values.model_dump(), indent=2) + "\n", "utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# -------------------------------------------------------------- views ---


def _key_status(secret: str, infos: Mapping[str, SecretInfo]) -> KeyStatus:
    if not secret:
        return KeyStatus()
    info = infos.get(secret)
    if info is not None and info.readable:
        return KeyStatus(secret, info.hint, "stored", f"Saved {info.hint}")
    if info is not None:
        return KeyStatus(secret, info.hint, "unreadable", "Saved under another key: enter it again")
    env_value = EnvSecrets().get(secret)
    if env_value:
        hint = mask_secret(env_value)
        return KeyStatus(secret, hint, "environment", f"From the environment {hint}")
    if secret == OPENAI_KEY_SECRET and get_settings().openai_api_key is not None:
        hint = mask_secret(get_settings().openai_api_key.get_secret_value())
        return KeyStatus(secret, hint, "environment", f"From ORCHESTRALL_OPENAI_API_KEY {hint}")
    return KeyStatus(secret)


def _used_by(values: ProviderSettings) -> dict[str, str]:
    used = {OPENAI_KEY_SECRET: "OpenAI", AZURE_KEY_SECRET: "Azure OpenAI"}
    used.setdefault(values.compatible_key_secret or COMPATIBLE_KEY_SECRET, "OpenAI-compatible")
    return used


def load_settings() -> SettingsView:
    """The provider fields, each key's status and the stored secrets (hints only)."""
    values = provider_settings()
    infos = {info.name: info for info in _secrets().list_secrets()}
    used_by = _used_by(values)
    return SettingsView(
        demo_base_url=demo_base_url(get_settings()),
        azure_endpoint=values.azure_endpoint,
        azure_api_version=values.azure_api_version,
        compatible_base_url=values.compatible_base_url,
        compatible_key_secret=values.compatible_key_secret,
        openai_key=_key_status(OPENAI_KEY_SECRET, infos),
        azure_key=_key_status(AZURE_KEY_SECRET, infos),
        compatible_key=_key_status(values.compatible_key_secret, infos),
        secrets=[
            SecretRow(
                name=info.name,
                hint=info.hint,
                updated_at=info.updated_at.isoformat(),
                readable=info.readable,
                used_by=used_by.get(info.name, ""),
            )
            for info in infos.values()
        ],
    )


# -------------------------------------------------------------- edits ---


def _form_text(form: Mapping[str, Any], field: str) -> str:
    value = form.get(field)
    return value.strip() if isinstance(value, str) else ""


def _validated(current: ProviderSettings, changes: dict[str, str]) -> ProviderSettings:
    labels = {
        "azure_endpoint": "The endpoint URL",
        "azure_api_version": "The API version",
        "compatible_base_url": "The base URL",
        "compatible_key_secret": "The key's secret name",
    }
    try:
        return ProviderSettings.model_validate({**current.model_dump(), **changes})
    except pydantic.ValidationError as e:
        first = e.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        reason = first["msg"].removeprefix("Value error, ")
        if first["type"] == "string_pattern_mismatch":
            reason = "can only have letters, digits, dots, dashes and underscores"
        raise ConfigurationError(
            f"{labels.get(field, field)} {reason}.", code="invalid_setting"
        ) from None


def save_provider(provider: str, form: Mapping[str, Any]) -> SettingsView:
    """Save one provider's form: its fields to ``providers.json``, its key (if typed) encrypted.

    ``form`` is the submitted form (``api_key``, ``endpoint``, ``api_version``,
    ``base_url``, ``key_secret`` as the provider has them). An empty ``api_key``
    keeps the saved key. Bad input raises ``ConfigurationError`` or ``StoreError``
    (with a code) and saves nothing.
    """
    current = provider_settings()
    api_key = form.get("api_key") if isinstance(form.get("api_key"), str) else ""
    if provider == "openai":
        values, secret = current, OPENAI_KEY_SECRET
        if not api_key.strip():
            raise ConfigurationError("Enter an API key to save.", code="missing_api_key")
    elif provider == "azure_openai":
        values = _validated(
            current,
            {
                "azure_endpoint": _form_text(form, "endpoint"),
                "azure_api_version": _form_text(form, "api_version") or DEFAULT_AZURE_API_VERSION,
            },
        )
        secret = AZURE_KEY_SECRET
    elif provider == "openai_compatible":
        values = _validated(
            current,
            {
                "compatible_base_url": _form_text(form, "base_url"),
                "compatible_key_secret": _form_text(form, "key_secret"),
            },
        )
        if api_key.strip() and not values.compatible_key_secret:
            values = values.model_copy(update={"compatible_key_secret": COMPATIBLE_KEY_SECRET})
        secret = values.compatible_key_secret
    else:
        raise ConfigurationError(f"Unknown provider {provider!r}.", code="unknown_provider")
    if api_key.strip():
        _secrets().set_secret(secret, api_key)  # validates the value before anything is written
    if values != current:
        _write_provider_settings(values)
    return load_settings()


def set_secret(name: str, value: str) -> SecretRow:
    """Add or replace a named secret (e.g. ``SHOP_API_TOKEN`` for an HTTP tool's header)."""
    info = _secrets().set_secret(name.strip() if isinstance(name, str) else name, value)
    return SecretRow(info.name, info.hint, info.updated_at.isoformat(), True, "")


def delete_secret(name: str) -> None:
    """Delete a named secret; graphs that use it fail to run until it is added again."""
    _secrets().delete_secret(name)


# --------------------------------------------------- connection tests ---


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _endpoint(provider: str) -> tuple[str, str, str | None]:
    """(base URL, key, Azure API version) of a provider's saved settings."""
    values = provider_settings()
    if provider == "demo":
        return demo_base_url(get_settings()), "demo", None
    if provider == "openai":
        key = run_secrets().get(OPENAI_KEY_SECRET)
        if not key and get_settings().openai_api_key is not None:
            key = get_settings().openai_api_key.get_secret_value()
        if not key:
            raise ConfigurationError("No API key is saved yet.", code="missing_api_key")
        return OPENAI_BASE_URL, key, None
    if provider == "azure_openai":
        if not values.azure_endpoint:
            raise ConfigurationError("Save the endpoint URL first.", code="missing_base_url")
        key = run_secrets().get(AZURE_KEY_SECRET)
        if not key:
            raise ConfigurationError("No API key is saved yet.", code="missing_api_key")
        return values.azure_endpoint, key, values.azure_api_version
    if provider == "openai_compatible":
        if not values.compatible_base_url:
            raise ConfigurationError("Save the base URL first.", code="missing_base_url")
        secret = values.compatible_key_secret
        key = run_secrets().get(secret) if secret else None
        if secret and not key:
            raise ConfigurationError(f"The secret {secret} is not set.", code="missing_api_key")
        return values.compatible_base_url, key or "not-needed", None
    raise ConfigurationError(f"Unknown provider {provider!r}.", code="unknown_provider")


def _failure(exc: Exception, base_url: str) -> str:
    """A plain-words reason for a failed ``/models`` call (never the server's raw text)."""
    import openai

    host = _host(base_url)
    if isinstance(exc, openai.AuthenticationError):
        return "The API key was refused (401). Check the key and save it again."
    if isinstance(exc, openai.PermissionDeniedError):
        return "The key is not allowed to list models here (403)."
    if isinstance(exc, openai.NotFoundError):
        return f"{host} has no /models here (404). Check the URL: it usually ends in /v1."
    if isinstance(exc, openai.APITimeoutError):
        return f"{host} did not answer within {CONNECTION_TIMEOUT_S:g} seconds."
    if isinstance(exc, openai.APIConnectionError):
        return f"Could not connect to {host}. Is the server running and the URL right?"
    if isinstance(exc, openai.APIStatusError):
        return f"{host} answered with an error ({exc.status_code})."
    return f"{host} did not answer like an OpenAI-compatible server."


async def check_connection(provider: str) -> ConnectionResult:
    """List the provider's models with its saved settings; never raises for a failed call."""
    import openai

    try:
        base_url, key, api_version = await asyncio.to_thread(_endpoint, provider)
    except OrchestrallError as exc:
        return ConnectionResult(False, exc.message)
    options: dict[str, Any] = {"api_key": key, "timeout": CONNECTION_TIMEOUT_S, "max_retries": 0}
    if api_version is not None:
        client: Any = openai.AsyncAzureOpenAI(
            azure_endpoint=base_url, api_version=api_version, **options
        )
    else:
        client = openai.AsyncOpenAI(base_url=base_url, **options)
    try:
        async with client:
            page = await client.models.list()
            models = tuple(sorted(str(m.id) for m in page.data))
    except Exception as exc:  # every failure becomes a message; the key is never in it
        return ConnectionResult(False, _failure(exc, base_url))
    return ConnectionResult(True, f"Connected: {_plural(len(models), 'model')}", models)
