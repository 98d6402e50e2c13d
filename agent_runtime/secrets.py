"""Secrets by name. Specs name secrets (``OPENAI_API_KEY``); a run gets their values here.

``EnvSecrets`` reads them from the process environment, on demand, so nothing is
copied or listed. (Encrypted secrets stored by the app come with the settings page.)
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping

from agent_runtime.spec._models import SECRET_NAME_PATTERN

__all__ = ["EnvSecrets"]


class EnvSecrets(Mapping[str, str]):
    """Read-only view of environment variables whose names are valid secret names."""

    def __getitem__(self, name: str) -> str:
        if not re.fullmatch(SECRET_NAME_PATTERN, name) or name not in os.environ:
            raise KeyError(name)
        return os.environ[name]

    def __iter__(self) -> Iterator[str]:
        return (k for k in os.environ if re.fullmatch(SECRET_NAME_PATTERN, k))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return "EnvSecrets(<hidden>)"
