"""Importing the runtime never imports an agent framework; backends load on first use."""

from __future__ import annotations

import subprocess
import sys

FRAMEWORKS = {
    "langgraph",
    "langchain_core",
    "langchain_openai",
    "crewai",
    "autogen_agentchat",
    "autogen_ext",
    "autogen_core",
    "chromadb",
    "celery",
}


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_runtime_imports_no_framework():
    modules = loaded_after(
        "import agent_runtime, agent_runtime.runtime, agent_runtime.compiler, "
        "agent_runtime.backends, agent_runtime.cli, agent_runtime.store"
    )
    assert not modules & FRAMEWORKS, modules & FRAMEWORKS


def test_what_the_backends_share_imports_no_framework():
    modules = loaded_after(
        "import agent_runtime.backends._errors, agent_runtime.backends._events, "
        "agent_runtime.backends._steps, agent_runtime.backends._usage"
    )
    assert not modules & FRAMEWORKS, modules & FRAMEWORKS


def test_the_ui_services_import_no_framework():
    """The import contract allows the UI to reach the runtime; frameworks still load lazily."""
    modules = loaded_after("import app.services.runs, app.services.builder, app.services.settings")
    assert not modules & FRAMEWORKS, modules & FRAMEWORKS


def test_a_backend_loads_its_framework_when_asked():
    modules = loaded_after(
        "from agent_runtime.backends import get_backend; get_backend('langgraph')"
    )
    assert "langgraph" in modules
    assert not modules & {"crewai", "autogen_agentchat", "chromadb", "celery"}


def test_unknown_backend_is_a_clear_error():
    import pytest

    from agent_runtime.backends import get_backend
    from agent_runtime.errors import UnknownBackendError

    with pytest.raises(UnknownBackendError, match="choose one of: langgraph"):
        get_backend("dask")
