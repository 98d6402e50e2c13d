"""docs/backends.md is generated from the backends' capability declarations and is current."""

from __future__ import annotations

from agent_runtime.backends import BACKEND_NAMES, get_backend
from agent_runtime.backends._table import DOC_PATH, backends_markdown
from agent_runtime.compiler import FEATURES


def test_the_published_table_is_current() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == backends_markdown(), (
        "docs/backends.md is stale: run `python -m agent_runtime.backends --write`"
    )


def test_every_backend_declares_only_known_features() -> None:
    for name in BACKEND_NAMES:
        backend = get_backend(name)
        assert backend.name == name
        assert backend.capabilities <= set(FEATURES), backend.capabilities - set(FEATURES)
        assert {"node.input", "node.output", "node.agent"} <= backend.capabilities
