"""``EnvSecrets``: secrets read from the process environment, by name, on demand."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping

from agent_runtime.spec._models import SECRET_NAME_PATTERN

__all__ = ["EnvSecrets", "is_secret_name"]

_NAME = re.compile(SECRET_NAME_PATTERN)


def is_secret_name(name: object) -> bool:
    """True for a valid secret *name* (``UPPER_SNAKE``, 2-64 characters, like ``SHOP_TOKEN``)."""
    return isinstance(name, str) and _NAME.fullmatch(name) is not None


class EnvSecrets(Mapping[str, str]):
    """Read-only view of environment variables whose names are valid secret names.

    Nothing is copied or listed up front: each lookup reads ``os.environ``.
    """

    def __getitem__(self, name: str) -> str:
        if not is_secret_name(name) or name not in os.environ:
            raise KeyError(name)
        return os.environ[name]

    def __iter__(self) -> Iterator[str]:
        return (k for k in list(os.environ) if is_secret_name(k))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, name: object) -> bool:
        return is_secret_name(name) and name in os.environ

    def __repr__(self) -> str:
        return "EnvSecrets(<hidden>)"
