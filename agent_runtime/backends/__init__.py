"""Execution backends behind one protocol, looked up by name and imported lazily."""

from agent_runtime.backends._registry import BACKEND_NAMES, get_backend

__all__ = ["BACKEND_NAMES", "get_backend"]
