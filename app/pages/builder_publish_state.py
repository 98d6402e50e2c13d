"""State of the builder's Publish dialog: share the graph as a template in the marketplace.

Three steps: the form (a new template, or a new version of one of mine), the preview
(exactly the JSON that will be shared, from the service), then the result with a
link to the template's page. The builder saves unsaved edits before the dialog
opens (the button chains ``BuilderState.save_now``): what is published is the saved
graph. Problems show at their field; every service call runs in a thread.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.pages.builder_state import BuilderState
from app.services import marketplace
from app.services.marketplace import MineOption, PublishForm

FIELDS = tuple(f.name for f in dataclasses.fields(PublishForm))


class PublishState(rx.State):
    """The dialog: open for ``graph_id``; its step, fields, problems and preview."""

    is_open: bool = False
    step: str = "form"  # form | preview | done
    loading: bool = False
    working: bool = False
    graph_id: str = ""
    source: str = ""  # "Installed from …"
    mine: list[MineOption] = []

    mode: str = "new"
    slug: str = ""
    title: str = ""
    summary: str = ""
    category: str = ""
    tags: str = ""
    version: str = ""
    changelog: str = ""
    readme: str = ""

    errors: dict[str, str] = {}
    error: str = ""
    preview_text: str = ""
    published_slug: str = ""
    published_title: str = ""
    published_version: str = ""

    _new_form: PublishForm | None = None  # the new-template defaults, to switch back to

    @rx.var
    def has_mine(self) -> bool:
        return len(self.mine) > 0

    @rx.var
    def target_label(self) -> str:
        return next((m.label for m in self.mine if m.slug == self.slug), "")

    def _form(self) -> PublishForm:
        return PublishForm(**{name: getattr(self, name) for name in FIELDS})

    def _fill(self, form: PublishForm) -> None:
        for name in FIELDS:
            setattr(self, name, getattr(form, name))
        self.errors, self.error = {}, ""

    # -- opening --------------------------------------------------------------------

    @rx.event
    def open_dialog(self, graph_id: str):
        """The Publish button: open the dialog for the builder's graph (saved just before)."""
        self.is_open, self.step, self.loading, self.graph_id = True, "form", True, graph_id
        self.errors, self.error, self.preview_text = {}, "", ""
        return PublishState.load_defaults

    @rx.event
    def close_dialog(self):
        """On the builder's page load: no dialog left open from another graph."""
        if not self.working:
            self.is_open, self.step = False, "form"

    @rx.event
    def set_open(self, is_open: bool):
        if not is_open and not self.working:
            self.is_open = False

    @rx.event(background=True)
    async def load_defaults(self):
        async with self:
            graph_id = self.graph_id
        try:
            start = await asyncio.to_thread(marketplace.publish_defaults, graph_id)
        except OrchestrallError as exc:
            async with self:
                self.loading, self.error = False, f"Cannot publish this graph: {exc.message}"
            return
        async with self:
            if self.graph_id != graph_id:
                return
            self.mine, self.source = start.mine, start.source
            self._new_form = (
                start.form
                if start.form.mode == "new"
                else dataclasses.replace(start.form, mode="new", slug="", version="1.0.0")
            )
            self._fill(start.form)
            self.loading = False

    # -- the form ---------------------------------------------------------------------

    @rx.event
    def set_field(self, name: str, value: str):
        if name in FIELDS and name not in ("mode", "slug"):
            setattr(self, name, value)
            self.errors = {k: v for k, v in self.errors.items() if k != name}

    @rx.event
    async def choose_mode(self, mode: str | list[str]):
        """New template, or a new version of one of mine (its metadata, the next version)."""
        mode = mode if isinstance(mode, str) else mode[0]
        if mode == "version" and self.mine:
            await self._load_version(self.slug or self.mine[0].slug)
        elif mode == "new" and self._new_form is not None:
            self._fill(self._new_form)

    @rx.event
    async def choose_target(self, slug: str):
        await self._load_version(slug)

    async def _load_version(self, slug: str) -> None:
        try:
            form = await asyncio.to_thread(marketplace.form_for_version, slug)
        except OrchestrallError as exc:
            self.error = exc.message
            return
        self._fill(form)

    # -- preview and publish ------------------------------------------------------------

    async def _unsaved(self) -> str:
        """Why the builder's graph is not saved ("" when it is): publishing shares the saved one."""
        builder = await self.get_state(BuilderState)
        if builder.save_status != "error":
            return ""
        return (
            f"Your latest edits are not saved ({builder.save_error}): publishing shares the "
            "saved graph. Retry the save first."
        )

    def _failed(self, exc: OrchestrallError) -> None:
        field = marketplace.error_field(exc, self.mode)
        if field:
            self.errors = {**self.errors, field: exc.message}
        else:
            self.error = exc.message
        self.step = "form"

    @rx.event(background=True)
    async def show_preview(self):
        """Check the form, then show exactly the JSON publishing would share."""
        async with self:
            if self.working:
                return
            self.working, self.error, self.errors = True, "", {}
            form, graph_id = self._form(), self.graph_id
            unsaved = await self._unsaved()
            if unsaved:
                self.working, self.error = False, unsaved
                return
        try:
            problems = await asyncio.to_thread(marketplace.check_form, graph_id, form)
            if problems:
                async with self:
                    self.working, self.errors = False, problems
                return
            text = await asyncio.to_thread(marketplace.preview, graph_id, form)
        except OrchestrallError as exc:
            async with self:
                self.working = False
                self._failed(exc)
            return
        async with self:
            self.working, self.preview_text, self.step = False, text, "preview"

    @rx.event
    def back_to_form(self):
        self.step = "form"

    @rx.event(background=True)
    async def publish(self):
        """Publish what the preview showed."""
        async with self:
            if self.working or self.step != "preview":
                return
            self.working, self.error = True, ""
            form, graph_id = self._form(), self.graph_id
        try:
            done = await asyncio.to_thread(marketplace.publish, graph_id, form)
        except OrchestrallError as exc:
            async with self:
                self.working = False
                self._failed(exc)
            return
        async with self:
            self.working, self.step = False, "done"
            self.published_slug, self.published_title = done.slug, done.title
            self.published_version = done.version
