"""State of the settings page: model providers, their connection tests, and named secrets.

A key or secret value reaches the backend once, in the submitted form, and goes
straight to ``app.services.settings`` (encrypted in the store). It is never kept
in this state, not even in a backend-only var (those are pickled into the state
manager, Redis with several workers): the page gets back only masked hints.
The form's inputs are cleared on submit (``reset_on_submit``).

Connection tests wait on the network (up to ``CONNECTION_TIMEOUT_S``), so they
are background events; everything else takes milliseconds and runs in order.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.pages.settings_api_keys_state import ApiKeysState
from app.services import settings
from app.services.settings import PROVIDERS, KeyStatus, SecretRow

SECRET_VALUE_INPUT_ID = "secret-value"
PROVIDER_TITLES = {
    "demo": "demo model",
    "openai": "OpenAI",
    "azure_openai": "Azure OpenAI",
    "openai_compatible": "OpenAI-compatible server",
}


def _per_provider(value: str) -> dict[str, str]:
    return dict.fromkeys(PROVIDERS, value)


class SettingsState(rx.State):
    """Shows and saves provider settings and secrets through the settings service."""

    loaded: bool = False
    load_error: str = ""
    form_version: int = 0  # remounts the provider forms when saved values change

    demo_base_url: str = ""
    azure_endpoint: str = ""
    azure_api_version: str = ""
    compatible_base_url: str = ""
    compatible_key_secret: str = ""
    openai_key: KeyStatus = KeyStatus()
    azure_key: KeyStatus = KeyStatus()
    compatible_key: KeyStatus = KeyStatus()
    secrets: list[SecretRow] = []

    form_errors: dict[str, str] = _per_provider("")
    checks: dict[str, str] = _per_provider("idle")  # idle | testing | ok | error
    check_messages: dict[str, str] = _per_provider("")

    # The "Add or replace a secret" form: the name is plain text, the value never comes back.
    secret_name: str = ""
    secret_error: str = ""
    secret_form_version: int = 0  # remounts the form to show ``secret_name``
    # The delete confirmation: open while ``delete_name`` is set.
    delete_name: str = ""

    @rx.var
    def has_secrets(self) -> bool:
        return len(self.secrets) > 0

    @rx.var
    def confirming_delete(self) -> bool:
        return self.delete_name != ""

    def _show(self, view: settings.SettingsView, *, remount: bool = True) -> None:
        """Show ``view``; ``remount`` refills the provider forms with the saved fields
        (dropping anything typed but not saved), so secret-list changes pass ``False``."""
        self.demo_base_url = view.demo_base_url
        self.openai_key = view.openai_key
        self.azure_key = view.azure_key
        self.compatible_key = view.compatible_key
        self.secrets = view.secrets
        if remount:
            self.azure_endpoint = view.azure_endpoint
            self.azure_api_version = view.azure_api_version
            self.compatible_base_url = view.compatible_base_url
            self.compatible_key_secret = view.compatible_key_secret
            self.form_version += 1

    def _reload(self, *, remount: bool = True) -> None:
        try:
            self._show(settings.load_settings(), remount=remount)
            self.load_error = ""
        except OrchestrallError as exc:
            self.load_error = f"Could not load the settings: {exc.message}"
        self.loaded = True

    @rx.event
    def load_settings(self):
        """Read the provider settings, key hints and secrets (on page load, also a reload);
        then the API keys section loads its own state."""
        self.form_errors = _per_provider("")
        self.checks = _per_provider("idle")
        self.check_messages = _per_provider("")
        self.delete_name = ""
        self._secret_form("")
        self._reload()
        return ApiKeysState.load_api_keys

    # ---------------------------------------------------------- providers ---

    def _save(self, provider: str, form_data: dict[str, Any]):
        """Save one provider's form. The typed key goes to the service and is then dropped."""
        try:
            view = settings.save_provider(provider, form_data)
        except OrchestrallError as exc:
            self.form_errors = {**self.form_errors, provider: exc.message}
            # Keep what was typed in the plain fields (the form reset on submit); never the key.
            self.azure_endpoint = str(form_data.get("endpoint", self.azure_endpoint))
            self.azure_api_version = str(form_data.get("api_version", self.azure_api_version))
            self.compatible_base_url = str(form_data.get("base_url", self.compatible_base_url))
            self.compatible_key_secret = str(
                form_data.get("key_secret", self.compatible_key_secret)
            )
            self.form_version += 1
            return None
        finally:
            form_data.clear()  # drop the submitted key from this handler's payload
        self._show(view)
        self.form_errors = {**self.form_errors, provider: ""}
        self.checks = {**self.checks, provider: "idle"}
        self.check_messages = {**self.check_messages, provider: ""}
        return rx.toast.success(f"Saved the {PROVIDER_TITLES[provider]} settings", duration=3000)

    @rx.event
    def save_openai(self, form_data: dict[str, Any]):
        return self._save("openai", form_data)

    @rx.event
    def save_azure(self, form_data: dict[str, Any]):
        return self._save("azure_openai", form_data)

    @rx.event
    def save_compatible(self, form_data: dict[str, Any]):
        return self._save("openai_compatible", form_data)

    @rx.event(background=True)
    async def test_connection(self, provider: str):
        """List the provider's models with its saved settings; show the count or why not."""
        if provider not in PROVIDERS:
            return
        async with self:
            if self.checks.get(provider) == "testing":
                return
            self.checks = {**self.checks, provider: "testing"}
            self.check_messages = {**self.check_messages, provider: "Testing…"}
        result = await settings.check_connection(provider)
        async with self:
            self.checks = {**self.checks, provider: "ok" if result.ok else "error"}
            self.check_messages = {**self.check_messages, provider: result.message}

    # ------------------------------------------------------------ secrets ---

    def _secret_form(self, name: str, error: str = "") -> None:
        self.secret_name, self.secret_error = name, error
        self.secret_form_version += 1

    @rx.event
    def replace_secret(self, name: str):
        """Put ``name`` in the secret form and move to its value field."""
        self._secret_form(name)
        return rx.set_focus(SECRET_VALUE_INPUT_ID)

    @rx.event
    def save_secret(self, form_data: dict[str, Any]):
        """Add or replace the named secret from the form; the value is never kept here."""
        name = str(form_data.get("name", "")).strip()
        value = form_data.get("value", "")
        form_data.clear()
        try:
            row = settings.set_secret(name, value if isinstance(value, str) else "")
        except OrchestrallError as exc:
            # An invalid name is not shown again: it may be a value pasted in the wrong field.
            self._secret_form(name if exc.code != "invalid_secret_name" else "", exc.message)
            return None
        self._secret_form("")
        self._reload(remount=False)
        return rx.toast.success(f"Saved {row.name} ({row.hint})", duration=3000)

    @rx.event
    def ask_delete(self, name: str):
        self.delete_name = name

    @rx.event
    def delete_dialog_changed(self, is_open: bool):
        if not is_open:
            self.delete_name = ""

    @rx.event
    def delete_secret(self):
        """Delete the secret being confirmed."""
        name, self.delete_name = self.delete_name, ""
        if not name:
            return None
        try:
            settings.delete_secret(name)
        except OrchestrallError as exc:
            self._reload(remount=False)
            return rx.toast.error(f"Could not delete {name}: {exc.message}")
        self._reload(remount=False)
        return rx.toast.success(f"Deleted {name}", duration=3000)
