"""Migrations: explicit steps, applied in order, never guessed."""

from __future__ import annotations

import pytest

from agent_runtime.errors import SpecParseError, SpecVersionError
from agent_runtime.spec import SCHEMA_VERSION, Migrator, migrate, new_graph_spec


def test_current_version_passes_through_as_a_copy():
    spec = new_graph_spec("x")
    upgraded = migrate(spec)
    assert upgraded == spec and upgraded is not spec
    assert upgraded["schema_version"] == SCHEMA_VERSION


def test_steps_apply_in_order_and_set_the_version():
    def rename_title(d):
        return {**{k: v for k, v in d.items() if k != "title"}, "name": d["title"]}

    def add_tags(d):
        return {**d, "tags": []}

    migrator = Migrator(current=3, steps={1: rename_title, 2: add_tags})
    old = {"schema_version": 1, "title": "Old graph"}
    assert migrator.migrate(old) == {"schema_version": 3, "name": "Old graph", "tags": []}
    assert old == {"schema_version": 1, "title": "Old graph"}  # input untouched
    assert migrator.migrate({"schema_version": 2, "name": "n"}) == {
        "schema_version": 3,
        "name": "n",
        "tags": [],
    }


def test_a_gap_in_the_chain_is_a_programming_error():
    with pytest.raises(ValueError, match="no migration step"):
        Migrator(current=3, steps={1: dict})


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        ({"schema_version": SCHEMA_VERSION + 1}, SpecVersionError, "newer"),
        ({"schema_version": 0}, SpecVersionError, "not a known version"),
        ({"schema_version": "1"}, SpecVersionError, "whole number"),
        ({"schema_version": True}, SpecVersionError, "whole number"),
        ({"name": "no version"}, SpecVersionError, "no schema_version"),
        ([], SpecParseError, "JSON object"),
        ("text", SpecParseError, "JSON object"),
    ],
)
def test_unusable_versions_are_refused_clearly(data, error, words):
    with pytest.raises(error, match=words):
        migrate(data)
