"""The AutoGen backend's own tests run on AutoGen unless they name a backend.

The fixtures (the demo model, ``make_harness``) are in ``backends/conftest.py``.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def default_backend() -> str:
    return "autogen"
