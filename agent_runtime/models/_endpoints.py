"""Model endpoints: a spec's ``ModelSpec`` resolved against settings and secrets.

Every provider is an OpenAI-compatible endpoint. ``demo`` is the offline
scripted model served by this installation (``ORCHESTRALL_DEFAULT_BASE_URL``
overrides where it lives). API keys come from the run's secrets by *name*;
the resolved key lives only in memory and is never shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from agent_runtime.errors import ConfigurationError
from agent_runtime.models._pricing import price_per_million
from agent_runtime.settings import Settings
from agent_runtime.spec import ModelSpec

OPENAI_BASE_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class ModelEndpoint:
    """Everything a framework client needs to call one model."""

    id: str
    provider: str
    model: str
    base_url: str
    api_key: str = field(repr=False)
    api_version: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    request_timeout: float = 60.0
    price_in: float | None = None
    price_out: float | None = None

    def fingerprint(self) -> str:
        """Identifies the endpoint (and key) without revealing the key."""
        key_hash = hashlib.sha256(self.api_key.encode()).hexdigest()[:12]
        return f"{self.provider}|{self.base_url}|{self.model}|{self.api_version}|{key_hash}"

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float | None:
        """Cost in USD when the model has a known price, else None."""
        if self.price_in is None or self.price_out is None:
            return None
        return round((prompt_tokens * self.price_in + completion_tokens * self.price_out) / 1e6, 8)


def demo_base_url(settings: Settings) -> str:
    """Where this installation's demo model answers."""
    return settings.default_base_url or f"http://127.0.0.1:{settings.model_server_port}/v1"


def _api_key(spec: ModelSpec, secrets: Mapping[str, str], settings: Settings) -> str | None:
    if spec.api_key_secret:
        value = secrets.get(spec.api_key_secret)
        if not value:
            raise ConfigurationError(
                f"Model '{spec.id}' needs the secret {spec.api_key_secret}, which is not set.",
                code="missing_secret",
            )
        return value
    if spec.provider == "openai" and settings.openai_api_key is not None:
        return settings.openai_api_key.get_secret_value()
    return None


def resolve_model(
    spec: ModelSpec, settings: Settings, secrets: Mapping[str, str], timeout: float = 60.0
) -> ModelEndpoint:
    """The endpoint for ``spec``; a missing key or URL is a ConfigurationError naming the model."""
    key = _api_key(spec, secrets, settings)
    if spec.provider == "demo":
        base_url, key = demo_base_url(settings), key or "demo"
    elif spec.provider == "openai":
        base_url = spec.base_url or OPENAI_BASE_URL
        if not key:
            raise ConfigurationError(
                f"Model '{spec.id}' (OpenAI) has no API key: set api_key_secret or "
                "ORCHESTRALL_OPENAI_API_KEY.",
                code="missing_secret",
            )
    else:
        if not spec.base_url:
            raise ConfigurationError(
                f"Model '{spec.id}' ({spec.provider}) needs a base_url.", code="missing_base_url"
            )
        if spec.provider == "azure_openai" and not spec.api_version:
            raise ConfigurationError(
                f"Model '{spec.id}' (Azure OpenAI) needs an api_version.",
                code="missing_api_version",
            )
        base_url, key = spec.base_url, key or "not-needed"
    price_in, price_out = price_per_million(spec.provider, spec.model)
    return ModelEndpoint(
        id=spec.id,
        provider=spec.provider,
        model=spec.model,
        base_url=base_url.rstrip("/"),
        api_key=key,
        api_version=spec.api_version,
        temperature=spec.temperature,
        max_tokens=spec.max_tokens,
        request_timeout=timeout,
        price_in=price_in,
        price_out=price_out,
    )
