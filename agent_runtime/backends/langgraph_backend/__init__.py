"""LangGraph backend (imported only when a run asks for ``langgraph``)."""

from ._backend import LangGraphBackend, LangGraphExecutable, build_state_graph

BACKEND = LangGraphBackend()

__all__ = ["BACKEND", "LangGraphBackend", "LangGraphExecutable", "build_state_graph"]
