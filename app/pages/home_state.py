"""State of the home page: the saved graphs, search, and rename, duplicate, delete with undo.

Every store call goes through ``app.services.graphs`` and takes milliseconds, so the
handlers are ordinary (foreground) events: they run in order per tab, which is what
makes "delete, then Undo" safe without extra locking.
"""

from __future__ import annotations

import contextlib

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.services import graphs
from app.services.graphs import DeletedGraph, GraphCard

KEEP_DELETED_SECONDS = 10 * graphs.UNDO_SECONDS
"""Deleted graphs whose toast never reported closing (a closed tab) are dropped after this."""


class HomeState(rx.State):
    """Lists, searches, creates, renames, duplicates and deletes graphs via the service."""

    graphs: list[GraphCard] = []
    search: str = ""
    loaded: bool = False
    creating: bool = False
    error: str = ""

    # The rename dialog: open while ``rename_id`` is set.
    rename_id: str = ""
    rename_name: str = ""
    rename_error: str = ""

    # The delete confirmation: open while ``delete_id`` is set.
    delete_id: str = ""
    delete_name: str = ""

    # Graphs deleted from this tab that Undo can still bring back, by id.
    _deleted: dict[str, DeletedGraph] = {}

    @rx.var
    def has_graphs(self) -> bool:
        return len(self.graphs) > 0

    @rx.var
    def searching(self) -> bool:
        return self.search.strip() != ""

    @rx.var
    def renaming(self) -> bool:
        return self.rename_id != ""

    @rx.var
    def confirming_delete(self) -> bool:
        return self.delete_id != ""

    def _refresh(self) -> None:
        """Re-read the list (with the current search) from the store."""
        self.graphs = graphs.list_graphs(search=self.search)

    def _name_of(self, graph_id: str) -> str:
        return next((g.name for g in self.graphs if g.id == graph_id), "")

    def _failed(self, doing: str, exc: OrchestrallError) -> None:
        """Show what failed on the page; the list is re-read in case another tab changed it."""
        self.error = f"Could not {doing}: {exc.message}"
        with contextlib.suppress(OrchestrallError):  # the error above is the one to show
            self._refresh()

    def _load(self) -> None:
        try:
            self._refresh()
            self.error = ""
        except OrchestrallError as exc:
            self.error = f"Could not load your graphs: {exc.message}"
        self.loaded = True

    @rx.event
    def load_graphs(self):
        """Read the saved graphs (on page load)."""
        self._load()

    @rx.event
    def search_graphs(self, value: str):
        """Show only graphs whose name or description contains ``value`` (debounced input)."""
        self.search = value
        self._load()

    @rx.event
    def clear_search(self):
        self.search = ""
        self._load()

    @rx.event
    def create_graph(self):
        """Save a new empty graph and show it at the top of the list.

        The service returns the new card, so its ``id`` is at hand: opening the
        builder right away is one ``rx.redirect(builder_path(card.id))`` away.
        """
        if self.creating:
            return
        self.creating = True
        yield
        try:
            card = graphs.create_graph()
            self.search = ""  # a new graph is never hidden by a search
            self._refresh()
            if all(g.id != card.id for g in self.graphs):
                self.graphs = [card, *self.graphs]
            self.error = ""
        except OrchestrallError as exc:
            self.error = f"Could not create a graph: {exc.message}"
        finally:
            self.creating = False

    @rx.event
    def open_rename(self, graph_id: str):
        """Open the rename dialog for one graph, its current name filled in."""
        self.rename_id = graph_id
        self.rename_name = self._name_of(graph_id)
        self.rename_error = ""

    @rx.event
    def rename_dialog_changed(self, is_open: bool):
        """Closing the dialog (Cancel, Escape, a click outside) forgets the edit."""
        if not is_open:
            self.rename_id = ""
            self.rename_error = ""

    @rx.event
    def save_rename(self, form_data: dict):
        """Rename the graph from the dialog's form; a bad name keeps the dialog open."""
        graph_id, name = self.rename_id, str(form_data.get("name", ""))
        if not graph_id:
            return
        if name.strip() == self._name_of(graph_id):  # unchanged: no new version
            self.rename_id = ""
            return
        try:
            graphs.rename_graph(graph_id, name)
        except OrchestrallError as exc:
            if exc.code == "invalid_name":
                self.rename_error = exc.message
                return
            self.rename_id = ""
            self._failed("rename the graph", exc)
            return
        self.rename_id = ""
        self.rename_error = ""
        self.error = ""
        self._refresh()

    @rx.event
    def duplicate_graph(self, graph_id: str):
        """Copy a graph's current spec into a new graph, ``<name> (copy)``."""
        try:
            card = graphs.duplicate_graph(graph_id)
            self.error = ""
            self._refresh()
        except OrchestrallError as exc:
            self._failed("duplicate the graph", exc)
            return None
        return rx.toast.success(f"Created {card.name}", duration=4000)

    @rx.event
    def ask_delete(self, graph_id: str):
        """Open the delete confirmation for one graph."""
        self.delete_id = graph_id
        self.delete_name = self._name_of(graph_id)

    @rx.event
    def delete_dialog_changed(self, is_open: bool):
        if not is_open:
            self.delete_id = ""

    @rx.event
    def delete_graph(self):
        """Delete the graph being confirmed; a toast offers Undo for ``UNDO_SECONDS``."""
        graph_id, self.delete_id = self.delete_id, ""
        if not graph_id:
            return None
        try:
            deleted = graphs.delete_graph(graph_id)
            self.error = ""
        except OrchestrallError as exc:
            self._failed("delete the graph", exc)
            return None
        self._deleted = {
            **{k: d for k, d in self._deleted.items() if d.age() < KEEP_DELETED_SECONDS},
            graph_id: deleted,
        }
        self.graphs = [g for g in self.graphs if g.id != graph_id]
        forget = HomeState.forget_deleted(graph_id)
        return rx.toast(
            f"Deleted {deleted.name}",
            id=f"deleted-{graph_id}",
            duration=graphs.UNDO_SECONDS * 1000,
            action={"label": "Undo", "on_click": HomeState.undo_delete(graph_id)},
            on_auto_close=forget,
            on_dismiss=forget,
        )

    @rx.event
    def undo_delete(self, graph_id: str):
        """Bring back a graph deleted from this tab, with its whole version history."""
        deleted = self._deleted.get(graph_id)
        if deleted is None:
            return rx.toast.error("That delete can no longer be undone.")
        try:
            graphs.restore_graph(deleted)
            self.error = ""
        except OrchestrallError as exc:
            self._failed(f"restore {deleted.name}", exc)
            return None
        self._deleted = {k: d for k, d in self._deleted.items() if k != graph_id}
        self._load()
        return None

    @rx.event
    def forget_deleted(self, graph_id: str):
        """The Undo toast closed: the deleted graph's copy is no longer needed."""
        if graph_id in self._deleted:
            self._deleted = {k: d for k, d in self._deleted.items() if k != graph_id}
