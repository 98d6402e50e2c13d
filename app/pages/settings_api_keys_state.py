"""State of the settings page's API keys section: the list, the create form, the one-time
dialog with a new key, and the revoke confirmation.

A new key is the one secret this page ever sends to the browser, once: it sits in
``new_key`` while its dialog is open and is dropped when the dialog closes (or the
page loads again), so the page's HTML never holds it afterwards. Only its sha256 is
stored (``agent_runtime.access``); the list shows the prefix.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.services import api_keys
from app.services.api_keys import GRAPH_FIELD_PREFIX, ApiKeyRow, GraphChoice

SCOPES = ("all", "graphs")


class ApiKeysState(rx.State):
    """Lists, creates and revokes API keys through ``app.services.api_keys``."""

    keys: list[ApiKeyRow] = []
    graphs: list[GraphChoice] = []
    default_per_minute: int = 60
    default_concurrent_runs: int = 4
    load_error: str = ""

    # The create form. What was typed comes back only after an error (the form resets).
    scope: str = "all"
    form_name: str = ""
    form_expires_on: str = ""
    form_per_minute: str = ""
    form_concurrent_runs: str = ""
    form_graph_ids: list[str] = []
    form_error: str = ""
    form_version: int = 0  # remounts the form to show the values above

    # The key just made: shown once in a dialog, dropped when it closes.
    new_key: str = ""
    new_key_name: str = ""
    new_key_prefix: str = ""

    # The revoke confirmation: open while ``revoke_id`` is set.
    revoke_id: str = ""
    revoke_name: str = ""

    @rx.var
    def has_keys(self) -> bool:
        return len(self.keys) > 0

    @rx.var
    def has_graphs(self) -> bool:
        return len(self.graphs) > 0

    @rx.var
    def showing_new_key(self) -> bool:
        return self.new_key != ""

    @rx.var
    def confirming_revoke(self) -> bool:
        return self.revoke_id != ""

    def _reload(self) -> None:
        try:
            view = api_keys.load_api_keys()
        except OrchestrallError as exc:
            self.load_error = f"Could not load the API keys: {exc.message}"
            return
        self.keys, self.graphs = view.keys, view.graphs
        self.default_per_minute = view.default_per_minute
        self.default_concurrent_runs = view.default_concurrent_runs
        self.load_error = ""

    def _form(self, values: dict[str, Any] | None = None, error: str = "") -> None:
        values = values or {}
        self.form_name = str(values.get("name", ""))
        self.form_expires_on = str(values.get("expires_on", ""))
        self.form_per_minute = str(values.get("per_minute", ""))
        self.form_concurrent_runs = str(values.get("concurrent_runs", ""))
        self.form_graph_ids = [
            str(f).removeprefix(GRAPH_FIELD_PREFIX)
            for f, v in values.items()
            if str(f).startswith(GRAPH_FIELD_PREFIX) and v
        ]
        self.form_error = error
        self.form_version += 1

    @rx.event
    def load_api_keys(self):
        """Read the keys and graphs (on page load): any key still on show is dropped."""
        self.new_key = self.new_key_name = self.new_key_prefix = ""
        self.revoke_id = self.revoke_name = ""
        self.scope = "all"
        self._form()
        self._reload()

    @rx.event
    def set_scope(self, scope: str):
        if scope in SCOPES:
            self.scope = scope

    @rx.event
    def create_key(self, form_data: dict[str, Any]):
        """Make a key from the form and show it once."""
        values = {**form_data, "scope": self.scope}
        form_data.clear()
        try:
            made = api_keys.create_api_key(values)
        except OrchestrallError as exc:
            self._form(values, exc.message)
            return None
        self.new_key, self.new_key_name, self.new_key_prefix = (
            made.key,
            made.row.name,
            made.row.prefix,
        )
        self.scope = "all"
        self._form()
        self._reload()
        return None

    @rx.event
    def new_key_dialog_changed(self, is_open: bool):
        if not is_open:
            self.close_new_key()

    @rx.event
    def close_new_key(self):
        """Forget the new key: from now on the page shows only its prefix."""
        self.new_key = self.new_key_name = self.new_key_prefix = ""

    @rx.event
    def ask_revoke(self, key_id: str):
        row = next((k for k in self.keys if k.id == key_id), None)
        if row is not None:
            self.revoke_id, self.revoke_name = row.id, row.name

    @rx.event
    def revoke_dialog_changed(self, is_open: bool):
        if not is_open:
            self.revoke_id = self.revoke_name = ""

    @rx.event
    def revoke_key(self):
        """Revoke the key being confirmed: the API refuses it from the next request on."""
        key_id, name = self.revoke_id, self.revoke_name
        self.revoke_id = self.revoke_name = ""
        if not key_id:
            return None
        try:
            api_keys.revoke_api_key(key_id)
        except OrchestrallError as exc:
            self._reload()
            return rx.toast.error(f"Could not revoke {name}: {exc.message}")
        self._reload()
        return rx.toast.success(f"Revoked {name}", duration=3000)
