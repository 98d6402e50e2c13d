"""The fixed backend registry: names map to modules in this package, imported on first use.

Names never come from a spec as import paths: only these entries exist. A
backend whose packages are missing fails with the exact install command.
"""

from __future__ import annotations

import importlib
from typing import Any

from agent_runtime.errors import BackendUnavailableError, UnknownBackendError

_MODULES: dict[str, tuple[str, str]] = {
    "langgraph": ("agent_runtime.backends.langgraph_backend", "langgraph langchain-openai"),
    "crewai": ("agent_runtime.backends.crewai_backend", "crewai"),
    "autogen": ("agent_runtime.backends.autogen_backend", "autogen-agentchat autogen-ext[openai]"),
}

BACKEND_NAMES: tuple[str, ...] = tuple(_MODULES)
_loaded: dict[str, Any] = {}


def get_backend(name: str) -> Any:
    """The backend called ``name`` (its module is imported now if it was not yet)."""
    if name not in _MODULES:
        known = ", ".join(BACKEND_NAMES)
        raise UnknownBackendError(f"There is no backend called {name!r}; choose one of: {known}.")
    if name not in _loaded:
        module_name, packages = _MODULES[name]
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise BackendUnavailableError(
                f"The {name} backend needs packages that are not installed ({exc.name}). "
                f"Install them with: pip install {packages}"
            ) from exc
        _loaded[name] = module.BACKEND
    return _loaded[name]
