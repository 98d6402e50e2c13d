"""State of the home page: the saved graphs and the New graph action."""

from __future__ import annotations

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.services import graphs
from app.services.graphs import GraphCard


class HomeState(rx.State):
    """Lists saved graphs and creates new ones; the store work happens in the service."""

    graphs: list[GraphCard] = []
    loaded: bool = False
    creating: bool = False
    error: str = ""

    @rx.var
    def has_graphs(self) -> bool:
        return len(self.graphs) > 0

    @rx.event
    def load_graphs(self):
        """Read the saved graphs (on page load)."""
        try:
            self.graphs = graphs.list_graphs()
            self.error = ""
        except OrchestrallError as exc:
            self.error = f"Could not load your graphs: {exc.message}"
        self.loaded = True

    @rx.event
    def create_graph(self):
        """Save a new empty graph and show it at the top of the list."""
        if self.creating:
            return
        self.creating = True
        yield
        try:
            card = graphs.create_graph()
            self.graphs = [card, *(g for g in self.graphs if g.id != card.id)]
            self.error = ""
        except OrchestrallError as exc:
            self.error = f"Could not create a graph: {exc.message}"
        finally:
            self.creating = False
