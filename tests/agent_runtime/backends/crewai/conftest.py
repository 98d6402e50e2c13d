"""The CrewAI backend's own tests run on CrewAI unless they name a backend.

The fixtures (the demo model, ``make_harness``) are in ``backends/conftest.py``.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def default_backend() -> str:
    return "crewai"
