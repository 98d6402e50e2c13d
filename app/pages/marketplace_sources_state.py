"""State of the marketplace's "Manage sources" dialog: add and remove other instances.

Adding checks the address (http/https, no credentials) and refuses one listed already;
it does not contact the instance (browsing it does). The list itself lives in
``MarketplaceState.sources``, which is reloaded after each change.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.pages.marketplace_state import MarketplaceState
from app.services import marketplace_sources


class SourcesState(rx.State):
    """The dialog: open or not, the add form's error, the source being removed."""

    open: bool = False
    error: str = ""
    error_field: str = ""  # "url" or "name": the field the error is about
    adding: bool = False
    removing: str = ""  # the URL being removed
    form_key: int = 0  # remounts the form (emptied) after an add

    @rx.event
    def set_open(self, value: bool):
        self.open, self.error, self.error_field = bool(value), "", ""

    @rx.event(background=True)
    async def add_source(self, form: dict[str, Any]):
        """Remember the instance at the form's URL under its name."""
        url, name = str(form.get("url", "") or ""), str(form.get("name", "") or "")
        async with self:
            if self.adding:
                return None
            self.adding, self.error, self.error_field = True, "", ""
        try:
            added = await asyncio.to_thread(marketplace_sources.add_source, url, name)
        except OrchestrallError as exc:
            async with self:
                self.adding, self.error = False, exc.message
                self.error_field = "name" if exc.code == "bad_source_name" else "url"
            return None
        async with self:
            self.adding, self.form_key = False, self.form_key + 1
        return [
            MarketplaceState.load_sources,
            rx.toast.success(f"Added {added.name}: choose it under Source to browse it."),
        ]

    @rx.event(background=True)
    async def remove_source(self, url: str):
        """Forget a source (templates installed from it stay)."""
        async with self:
            if self.removing:
                return None
            self.removing, self.error, self.error_field = url, "", ""
        try:
            await asyncio.to_thread(marketplace_sources.remove_source, url)
        except OrchestrallError as exc:
            async with self:
                self.removing, self.error = "", exc.message
            return MarketplaceState.load_sources
        async with self:
            self.removing = ""
        return MarketplaceState.load_sources
