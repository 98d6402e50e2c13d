"""State of the builder page: one graph on the canvas, its properties, saves and versions.

A thin controller: the graph being edited lives in a backend-only ``GraphEditor``
(``app/services/builder/``), which applies ops, keeps undo/redo and knows what
is unsaved; forms come from ``app/services/forms/``. Every change schedules
``autosave``, a background event that saves about a second after the last change
of a burst (one store version per burst). The clipboard of copied nodes lives in
the browser's localStorage, so paste works across graphs and tabs.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from agent_runtime.errors import OrchestrallError
from agent_runtime.spec import MAX_SPEC_BYTES
from app.services import builder, forms
from app.services.builder import GraphEditor, ProblemItem, VersionRow
from app.services.forms import FormField, FormRow

EMPTY_GRAPH: dict[str, list[dict[str, Any]]] = {"nodes": [], "edges": []}
SAVE_LABELS = {"saved": "Saved", "saving": "Saving…", "unsaved": "Unsaved changes"}


class BuilderState(rx.State):
    """The builder page of the graph named by the route's ``graph_id``."""

    # The graph on the canvas (``loaded_id`` is "" until it is loaded).
    loaded_id: str = ""
    load_error: str = ""
    graph_name: str = ""
    canvas: dict[str, list[dict[str, Any]]] = EMPTY_GRAPH
    revision: int = 0
    selected_id: str = ""  # a node the canvas should select and centre
    selection: list[str] = []  # the nodes selected on the canvas
    can_undo: bool = False
    can_redo: bool = False
    problems: list[ProblemItem] = []

    # The properties panel: a node's form, or the graph's settings.
    form_kind: str = ""  # "" (graph settings), a node kind, or "many"
    form_title: str = ""
    form_notes: list[str] = []
    node_fields: list[FormField] = []
    route_rows: list[FormRow] = []
    graph_fields: list[FormField] = []
    model_rows: list[FormRow] = []
    tool_rows: list[FormRow] = []
    memory_rows: list[FormRow] = []
    form_version: int = 0  # remounts the inputs when values change other than by typing
    title_version: int = 0  # the same for the graph name in the top bar

    # Saving, versions, import.
    save_status: str = "saved"  # saved | saving | unsaved | error
    save_error: str = ""
    side_tab: str = "properties"
    versions: list[VersionRow] = []
    preview_version: int = 0
    preview_canvas: dict[str, list[dict[str, Any]]] = EMPTY_GRAPH
    import_error: str = ""
    import_warnings: list[str] = []  # what an AutoGen/CrewAI import left out

    clipboard: str = rx.LocalStorage("", name="orchestrall.clipboard", sync=True)

    _editor: GraphEditor | None = None
    _saving_seq: int = 0

    # ------------------------------------------------------------ views ---

    @rx.var
    def save_label(self) -> str:
        if self.save_status == "error":
            return f"Save failed: {self.save_error}"
        return SAVE_LABELS.get(self.save_status, "")

    @rx.var
    def problem_count(self) -> int:
        return len(self.problems)

    @rx.var
    def draft_label(self) -> str:
        n = len(self.problems)
        return "" if n == 0 else f"Draft: {n} problem{'s' * (n != 1)}"

    @rx.var
    def previewing(self) -> bool:
        return self.preview_version > 0

    def _refresh(self, *, reload: bool = False, inputs: bool = False) -> None:
        """Copy the editor's graph into what the page shows."""
        editor = self._editor
        if editor is None:
            return
        spec, problems = editor.spec, editor.problems
        self.canvas = builder.to_canvas(spec, problems)
        self.problems = builder.problem_items(spec, problems)
        self.can_undo, self.can_redo = editor.can_undo, editor.can_redo
        name = spec.get("name") if isinstance(spec.get("name"), str) else ""
        if name != self.graph_name:
            self.graph_name = name
            self.title_version += 1
        node_ids = {n["id"] for n in self.canvas["nodes"]}
        self.selection = [i for i in self.selection if i in node_ids]
        if self.selected_id not in node_ids:
            self.selected_id = ""
        if reload:
            self.revision += 1
        if inputs:
            self.form_version += 1
        self._refresh_form()

    def _refresh_form(self) -> None:
        editor = self._editor
        if editor is None:
            return
        spec, problems, drafts = editor.spec, editor.problems, editor.drafts
        first = self.selection[0] if self.selection else ""
        form = forms.node_form(spec, first, problems, drafts) if first else None
        if len(self.selection) > 1:
            self.form_kind, self.form_title, self.form_notes = "many", "", []
            self.form_title = f"{len(self.selection)} nodes selected"
        elif form is not None:
            self.form_kind, self.form_title, self.form_notes = form.kind, form.title, form.problems
            self.node_fields, self.route_rows = form.fields, form.routes
        else:
            graph = forms.graph_form(spec, problems, drafts)
            self.form_kind, self.form_title, self.form_notes = "", "Graph settings", graph.problems
            self.graph_fields = graph.fields
            self.model_rows, self.tool_rows, self.memory_rows = (
                graph.models,
                graph.tools,
                graph.memories,
            )

    # ---------------------------------------------------------- loading ---

    @rx.event
    def load_graph(self):
        """Open the graph of the URL (on page load); unsaved edits of another graph are saved."""
        # ``graph_id`` is the dynamic route var Reflex adds for ``/graphs/[graph_id]``.
        graph_id = str(self.graph_id)
        self._flush()
        self.loaded_id, self.load_error = "", ""
        self.selection, self.selected_id = [], ""
        self.preview_version, self.import_error, self.import_warnings = 0, "", []
        try:
            self._editor = builder.open_graph(graph_id)
            self.versions = builder.list_versions(graph_id)
        except OrchestrallError as exc:
            self._editor = None
            self.load_error = (
                "This graph does not exist; it may have been deleted."
                if exc.code == "not_found"
                else f"Could not open the graph: {exc.message}"
            )
            self.canvas, self.problems = EMPTY_GRAPH, []
            return
        self.loaded_id = graph_id
        self.save_status, self.save_error = "saved", ""
        self._refresh(reload=True, inputs=True)

    # ------------------------------------------------------------- edits ---

    def _changed(self, *, reload: bool = True, inputs: bool = False):
        """After a change of the spec: show it, and save it a moment later."""
        self._refresh(reload=reload, inputs=inputs)
        self.save_status, self.save_error = "unsaved", ""
        return BuilderState.autosave(self._editor.seq)

    @rx.event
    def handle_ops(self, ops: list[dict[str, Any]]):
        """The canvas's committed changes (see docs/canvas-contract.md)."""
        if self._editor is None or self.previewing:
            return None
        outcome = builder.apply_canvas_ops(self._editor, ops, self.clipboard)
        if outcome.clipboard is not None:
            self.clipboard = outcome.clipboard
        events: list[Any] = []
        if outcome.message:
            events.append(rx.toast.info(outcome.message))
        if outcome.changed:
            undoing = any(isinstance(op, dict) and op.get("op") in ("undo", "redo") for op in ops)
            events.append(self._changed(reload=outcome.reload, inputs=undoing))
        return events or None

    @rx.event
    def handle_select(self, ids: list[str]):
        """The canvas's selection changed."""
        node_ids = {n["id"] for n in self.canvas["nodes"]}
        self.selection = [i for i in ids if i in node_ids]
        if self.selected_id and self.selection != [self.selected_id]:
            self.selected_id = ""  # so choosing the same problem again centres it again
        self._refresh_form()

    @rx.event
    def focus_problem(self, node_id: str):
        """A problem was clicked: select its node (or show the graph settings)."""
        self.side_tab = "properties"
        self.selection = [node_id] if node_id else []
        self.selected_id = node_id
        self._refresh_form()

    def _edit(self, change, note: str, key: str = ""):
        editor = self._editor
        if editor is None or self.previewing:
            return None
        try:
            spec = change(editor.spec)
        except forms.CoerceError as exc:
            editor.drafts = {**editor.drafts, key: (exc.args[1], exc.args[0])}
            self._refresh_form()
            return None
        except (KeyError, ValueError, IndexError, TypeError):
            return None  # a form row that no longer exists
        editor.drafts = {k: v for k, v in editor.drafts.items() if k != key}
        if not editor.commit(spec, note):
            self._refresh_form()
            return None
        return self._changed()

    @rx.event
    def edit_field(self, scope: str, key: str, value: str):
        """A text, number, select or JSON field was changed (inputs send on blur)."""
        return self._edit(
            lambda spec: _edit_or_draft(spec, scope, key, value),
            _note(scope, key),
            f"{scope}|{key}",
        )

    @rx.event
    def edit_switch(self, scope: str, key: str, checked: bool):
        return self._edit(
            lambda spec: forms.edit_field(spec, scope, key, bool(checked)), _note(scope, key)
        )

    @rx.event
    def toggle_option(self, scope: str, key: str, option: str):
        return self._edit(
            lambda spec: forms.toggle_option(spec, scope, key, option), _note(scope, key)
        )

    @rx.event
    def add_item(self, scope: str, variant: str):
        result = self._edit(lambda spec: forms.add_item(spec, scope, variant), f"Added to {scope}")
        self.form_version += 1
        return result

    @rx.event
    def remove_item(self, scope: str):
        result = self._edit(lambda spec: forms.remove_item(spec, scope), f"Removed {scope}")
        self.form_version += 1
        return result

    @rx.event
    def rename_graph(self, name: str):
        """The name in the top bar was edited."""
        if self._editor is None or name.strip() == self.graph_name or not name.strip():
            self.title_version += 1  # an empty name snaps back
            return None
        result = self._edit(
            lambda spec: forms.set_field(spec, "graph", "name", name.strip()), "Renamed"
        )
        self.form_version += 1
        return result

    @rx.event
    def submit_name(self, form_data: dict[str, Any]):
        """Enter in the name field."""
        return self.rename_graph(str(form_data.get("name", "")))

    # ------------------------------------------------------------ saving ---

    def _begin_save(self) -> builder.SaveJob | None:
        job = self._editor.save_job() if self._editor is not None else None
        if job is not None:
            self._saving_seq = job.seq
            self.save_status = "saving"
        elif self._editor is not None and not self._editor.dirty and not self._saving_seq:
            self.save_status, self.save_error = "saved", ""  # edits ended where the store is
        return job

    def _finish_save(self, job: builder.SaveJob, result: builder.SaveResult) -> None:
        editor = self._editor
        if editor is None or editor.session != job.session:
            return  # another graph was opened meanwhile
        if self._saving_seq == result.seq:
            self._saving_seq = 0
        if result.saved:
            editor.mark_saved(result.seq, job.spec)
            self.versions = _versions_or(self.versions, editor.graph_id)
        if result.error:
            self.save_status, self.save_error = "error", result.error
        elif not editor.dirty:
            self.save_status, self.save_error = "saved", ""
        elif self._saving_seq == 0:
            self.save_status = "unsaved"

    def _flush(self) -> bool:
        """Save what is unsaved now; False when the save failed."""
        job = self._begin_save()
        if job is None:
            return True
        result = builder.save(job)
        self._finish_save(job, result)
        return result.saved or not result.error

    @rx.event
    def save_now(self):
        """Save unsaved changes at once (also: Retry after a failed save)."""
        if self._flush():
            return None
        return rx.toast.error(f"Save failed: {self.save_error}")

    @rx.event(background=True)
    async def autosave(self, seq: int):
        """Save about a second after the change numbered ``seq``, unless another came since."""
        while True:
            await asyncio.sleep(builder.AUTOSAVE_DELAY_S)
            async with self:
                editor = self._editor
                if editor is None or editor.seq != seq or not editor.dirty:
                    return  # a newer change has its own autosave
                if self._saving_seq:
                    continue  # an earlier save is still writing: wait for it
                job = self._begin_save()
            if job is None:
                return
            result = await asyncio.to_thread(builder.save, job)
            async with self:
                self._finish_save(job, result)
            return

    # ---------------------------------------------------------- versions ---

    @rx.event
    def choose_tab(self, tab: str):
        """Show the properties or the version history in the side panel."""
        self.side_tab = tab
        if tab == "versions" and self.loaded_id:
            self.versions = _versions_or(self.versions, self.loaded_id)

    @rx.event
    def preview(self, version: int):
        """Show a saved version read-only on the canvas."""
        try:
            self.preview_canvas = builder.version_preview(self.loaded_id, version)
        except OrchestrallError as exc:
            return rx.toast.error(f"Could not open version {version}: {exc.message}")
        self.preview_version = version
        return None

    @rx.event
    def close_preview(self):
        """Back to editing; the canvas reloads, dropping anything tried under the preview."""
        self.preview_version, self.preview_canvas = 0, EMPTY_GRAPH
        self.revision += 1

    @rx.event
    def restore(self, version: int):
        """Make ``version`` the newest version again (a new version; nothing is lost)."""
        editor = self._editor
        if editor is None:
            return None
        if not self._flush():
            return rx.toast.error(f"Save failed: {self.save_error}")
        try:
            new_version = builder.restore_into(editor, version)
        except OrchestrallError as exc:
            return rx.toast.error(f"Could not restore version {version}: {exc.message}")
        self.preview_version, self.preview_canvas = 0, EMPTY_GRAPH
        self.save_status, self.save_error = "saved", ""
        self.versions = _versions_or(self.versions, editor.graph_id)
        self._refresh(reload=True, inputs=True)
        return rx.toast.success(f"Restored version {version} as version {new_version}.")

    # ---------------------------------------------------- import / export ---

    @rx.event
    async def import_spec(self, files: list[rx.UploadFile]):
        """Replace the graph with an uploaded spec, AutoGen team or CrewAI crew (a new version).

        One file (a spec, an AutoGen team JSON, a zip) or CrewAI's two YAML files.
        """
        editor = self._editor
        if editor is None or not files:
            return None
        uploads = []
        for upload in files:
            name = upload.name or "the file"
            data = await upload.read(MAX_SPEC_BYTES + 1)
            if len(data) > MAX_SPEC_BYTES:
                self.import_error = (
                    f"{name} is too large: files to import are limited to "
                    f"{MAX_SPEC_BYTES // 2**20} MB."
                )
                return None
            uploads.append((name, data))
        name = " and ".join(n for n, _ in uploads)
        if not self._flush():
            self.import_error = f"Your edits could not be saved first: {self.save_error}"
            return None
        try:
            outcome = builder.import_upload(editor, uploads)
        except OrchestrallError as exc:
            self.import_error = f"Could not import {name}: {exc.message}"
            return None
        self.import_error, self.import_warnings = "", list(outcome.warnings)
        self.selection, self.selected_id, self.preview_version = [], "", 0
        self.save_status, self.save_error = "saved", ""
        self.versions = _versions_or(self.versions, editor.graph_id)
        self._refresh(reload=True, inputs=True)
        drafted = f" as a draft with {self.problem_count} problems" if self.problems else ""
        return rx.toast.success(f"Imported {name}{drafted} (version {outcome.version}).")

    @rx.event
    def import_rejected(self, rejected: list[dict[str, Any]]):
        """The browser refused the files (too large, or too many)."""
        self.import_error = (
            "Those files cannot be imported: import one file (a graph spec, an AutoGen team "
            "JSON or a zip) or CrewAI's agents.yaml and tasks.yaml, each at most "
            f"{MAX_SPEC_BYTES // 2**20} MB."
        )

    @rx.event
    def dismiss_import_error(self):
        self.import_error = ""

    @rx.event
    def dismiss_import_warnings(self):
        self.import_warnings = []

    @rx.event
    def export_spec(self):
        """Download the graph's spec as ``<name>.json`` (unsaved edits are saved first)."""
        if self._editor is None:
            return None
        if not self._flush():
            return rx.toast.error(f"Save failed, so nothing was exported: {self.save_error}")
        try:
            filename, text = builder.export_spec(self._editor.graph_id)
        except OrchestrallError as exc:
            return rx.toast.error(f"Could not export: {exc.message}")
        return rx.download(data=text, filename=filename, mime_type="application/json")

    @rx.event
    def export_as(self, target: str):
        """Download the graph as ``target``: json, langgraph, crewai or autogen (saves first)."""
        if self._editor is None:
            return None
        if not self._flush():
            return rx.toast.error(f"Save failed, so nothing was exported: {self.save_error}")
        try:
            download = builder.export_download(self._editor.graph_id, target)
        except OrchestrallError as exc:
            return rx.toast.error(f"Could not export: {exc.message}")
        return rx.download(
            data=download.data, filename=download.filename, mime_type=download.mime_type
        )


def _edit_or_draft(spec: dict[str, Any], scope: str, key: str, value: str) -> dict[str, Any]:
    """``forms.edit_field``; JSON that does not parse raises CoerceError(message, text)."""
    try:
        return forms.edit_field(spec, scope, key, value)
    except forms.CoerceError as exc:
        raise forms.CoerceError(str(exc), value) from None


def _note(scope: str, key: str) -> str:
    """A line for the version message: what was edited."""
    parts = scope.split("/")
    if parts[0] == "node":
        return f"Edited {parts[1]}" + (" routes" if len(parts) > 2 else f" {key}")
    if parts[0] == "graph":
        return f"Edited graph {key.replace('.', ' ')}"
    return f"Edited {parts[0]}"


def _versions_or(current: list[VersionRow], graph_id: str) -> list[VersionRow]:
    try:
        return builder.list_versions(graph_id)
    except OrchestrallError:
        return current
