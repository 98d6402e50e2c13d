"""Explicit, ordered upgrade steps for graph specs.

A step upgrades a spec from version ``n`` to ``n + 1`` and is registered in
``STEPS`` under ``n``. ``migrate`` applies the steps in order; it never guesses:
a spec without a usable ``schema_version``, older than the first supported
version, or newer than this code is refused with a message that says so.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from agent_runtime.errors import SpecParseError, SpecVersionError
from agent_runtime.spec._models import SCHEMA_VERSION

MigrationStep = Callable[[dict[str, Any]], dict[str, Any]]

STEPS: dict[int, MigrationStep] = {}
"""Upgrade steps keyed by the version they upgrade *from*. v1 is the first version: none yet."""

FIRST_VERSION = 1


class Migrator:
    """Applies upgrade steps ``first → … → current``."""

    def __init__(
        self, current: int, steps: Mapping[int, MigrationStep], first: int = FIRST_VERSION
    ):
        missing = [v for v in range(first, current) if v not in steps]
        if missing:
            raise ValueError(f"no migration step from version(s) {missing}")
        self.current, self.first, self.steps = current, first, dict(steps)

    def version_of(self, data: Any) -> int:
        """The spec's ``schema_version``; SpecParseError/SpecVersionError name what is wrong."""
        if not isinstance(data, dict):
            raise SpecParseError(f"A graph spec must be a JSON object, not {_json_type(data)}.")
        if "schema_version" not in data:
            raise SpecVersionError('The spec has no schema_version; add "schema_version": 1.')
        version = data["schema_version"]
        if isinstance(version, bool) or not isinstance(version, int):
            raise SpecVersionError(f"schema_version must be a whole number, not {version!r}.")
        if version > self.current:
            raise SpecVersionError(
                f"This spec uses schema_version {version}, newer than this Orchestrall "
                f"understands (up to {self.current}). Upgrade Orchestrall to open it."
            )
        if version < self.first:
            raise SpecVersionError(
                f"schema_version {version} is not a known version (the first is {self.first})."
            )
        return version

    def migrate(self, data: Any) -> dict[str, Any]:
        """A new dict upgraded to the current version; the input is never modified.

        Already current: a shallow copy (callers must not mutate nested values).
        """
        version = self.version_of(data)
        if version == self.current:
            return dict(data)
        result = copy.deepcopy(data)
        while version < self.current:
            result = self.steps[version](result)
            version += 1
            result["schema_version"] = version
        return result


def _json_type(value: Any) -> str:
    names = {
        list: "an array",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
    }
    return "null" if value is None else names.get(type(value), type(value).__name__)


_DEFAULT = Migrator(SCHEMA_VERSION, STEPS)


def migrate(data: Any) -> dict[str, Any]:
    """Upgrade a spec dict to the current schema version (see module docstring)."""
    return _DEFAULT.migrate(data)
