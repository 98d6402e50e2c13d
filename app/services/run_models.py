"""The models a test run can be switched to, from the providers saved in Settings.

    choices = model_choices()             # "As saved in the graph", the demo model, providers
    model = run_model("openai", "gpt-4o-mini")   # a model spec for ``runs.start_run(model=…)``

A run model names its API key by secret name only (``OPENAI_API_KEY``…): the
key itself stays encrypted in the store and is read by whoever executes the run.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from agent_runtime.errors import ConfigurationError, OrchestrallError
from agent_runtime.settings import get_settings
from app.services.settings import (
    AZURE_KEY_SECRET,
    OPENAI_KEY_SECRET,
    provider_settings,
    run_secrets,
)

__all__ = ["AS_SAVED", "DEMO_MODEL", "ModelChoice", "model_choices", "run_model"]

AS_SAVED = "graph"
DEMO_MODEL = "orchestrall-demo"


@dataclasses.dataclass(frozen=True)
class ModelChoice:
    """One entry of the Run tab's model menu; ``needs_name``: ask for the model's name."""

    value: str
    label: str
    needs_name: bool = False
    default_name: str = ""


def _has_key(secret: str) -> bool:
    try:
        return bool(run_secrets().get(secret))
    except (ConfigurationError, OrchestrallError):
        return False


def _openai_key_secret() -> str | None:
    """The secret holding the OpenAI key, or None when only the environment has one."""
    if _has_key(OPENAI_KEY_SECRET):
        return OPENAI_KEY_SECRET
    if get_settings().openai_api_key is not None:
        return None
    raise ConfigurationError(
        "No OpenAI API key is saved yet: add one in Settings.", code="missing_api_key"
    )


def model_choices() -> list[ModelChoice]:
    """What the run can use: the graph's own models, the demo model, and configured providers."""
    values = provider_settings()
    choices = [
        ModelChoice(AS_SAVED, "As saved in the graph"),
        ModelChoice("demo", "Demo model (offline)"),
    ]
    if _has_key(OPENAI_KEY_SECRET) or get_settings().openai_api_key is not None:
        choices.append(ModelChoice("openai", "OpenAI", True, "gpt-4o-mini"))
    if values.azure_endpoint and _has_key(AZURE_KEY_SECRET):
        choices.append(ModelChoice("azure_openai", "Azure OpenAI (deployment)", True))
    if values.compatible_base_url:
        choices.append(ModelChoice("openai_compatible", "OpenAI-compatible server", True))
    return choices


def run_model(choice: str, name: str = "") -> dict[str, Any] | None:
    """The model spec (no id) for ``choice``; None keeps the graph's own models.

    A provider that is not set up, or a missing model name, raises
    ``ConfigurationError`` saying what to do.
    """
    name = name.strip()
    if choice in ("", AS_SAVED):
        return None
    if choice == "demo":
        return {"provider": "demo", "model": DEMO_MODEL}
    if not name:
        raise ConfigurationError(
            "Type the name of the model to use (for example gpt-4o-mini).", code="missing_model"
        )
    values = provider_settings()
    if choice == "openai":
        secret = _openai_key_secret()
        model = {"provider": "openai", "model": name}
        return {**model, "api_key_secret": secret} if secret else model
    if choice == "azure_openai":
        if not values.azure_endpoint or not _has_key(AZURE_KEY_SECRET):
            raise ConfigurationError(
                "Azure OpenAI is not set up: save its endpoint and key in Settings.",
                code="missing_provider",
            )
        return {
            "provider": "azure_openai",
            "model": name,
            "base_url": values.azure_endpoint,
            "api_version": values.azure_api_version,
            "api_key_secret": AZURE_KEY_SECRET,
        }
    if choice == "openai_compatible":
        if not values.compatible_base_url:
            raise ConfigurationError(
                "No OpenAI-compatible server is set up: save its base URL in Settings.",
                code="missing_provider",
            )
        secret = values.compatible_key_secret
        model = {"provider": "openai_compatible", "model": name}
        model["base_url"] = values.compatible_base_url
        return {**model, "api_key_secret": secret} if secret else model
    raise ConfigurationError(f"Unknown model choice {choice!r}.", code="unknown_provider")
