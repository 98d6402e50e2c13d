"""The whole suite: browser journeys run last.

Playwright's sync API keeps an event loop running in the main thread for as long as
its session fixture lives, so async tests collected after ``tests/e2e`` (say
``tests/marketplace``) could not start their own loop. Moving the journeys to the
end keeps every other test independent of them.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser = [item for item in items if "e2e" in item.path.parts]
    if browser:
        rest = [item for item in items if "e2e" not in item.path.parts]
        items[:] = rest + browser
