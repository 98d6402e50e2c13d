"""Shared run semantics: value references, templates, router conditions, LLM route choice."""

from __future__ import annotations

from typing import Any

import pytest

from agent_runtime.compiler import as_text, choose_llm_route, matches, render, render_value
from agent_runtime.spec import ContainsCondition, EqualsCondition, RegexCondition

SCOPE: dict[str, Any] = {
    "last_output": "The order #42 needs a Refund",
    "inputs": {"tier": "Gold", "count": 3, "urgent": True, "tags": ["a", "b"]},
    "state": {"retrieved": ["one", "two"], "score": 0.5},
}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("plain", "plain"),
        (3, "3"),
        (True, "true"),
        (["a", "b"], "a\n\nb"),
        ({"b": 1, "a": [1, 2]}, '{"a": [1, 2], "b": 1}'),
        ([1, "x"], '[1, "x"]'),
    ],
)
def test_as_text(value: Any, text: str) -> None:
    assert as_text(value) == text


@pytest.mark.parametrize(
    ("cond", "value", "expected"),
    [
        (EqualsCondition(value="gold"), "Gold", True),  # case-insensitive by default
        (EqualsCondition(value="gold"), "  gold \n", True),  # surrounding space ignored
        (EqualsCondition(value="gold", case_sensitive=True), "Gold", False),
        (EqualsCondition(value="gold"), "golden", False),
        (EqualsCondition(value=3), 3, True),
        (EqualsCondition(value=3), 3.0, True),
        (EqualsCondition(value=3), "3", True),  # text and number compare as text
        (EqualsCondition(value=True), True, True),
        (EqualsCondition(value=1), True, False),  # a boolean is not a number
        (EqualsCondition(value=True), 1, False),
        (EqualsCondition(value="x"), None, False),
        (ContainsCondition(value="refund"), "I want a REFUND", True),
        (ContainsCondition(value="refund", case_sensitive=True), "I want a REFUND", False),
        (ContainsCondition(value="refund"), "nothing here", False),
        (ContainsCondition(value="a"), ["x", "bay"], True),  # lists are joined
        (RegexCondition(pattern=r"order\s+#?\d+"), "Where is ORDER #12?", True),
        (RegexCondition(pattern=r"order\s+#?\d+", case_sensitive=True), "ORDER 12", False),
        (RegexCondition(pattern=r"^\d+$"), 42, True),
        (RegexCondition(pattern=r"^\d+$"), "4 2", False),
    ],
)
def test_matches(cond: Any, value: Any, expected: bool) -> None:
    assert matches(cond, value) is expected


def test_render_fills_references_and_keeps_the_rest() -> None:
    text = "{{ input.tier }} / {{input.count}} / {{ last_output }} / {{ state.score }}"
    assert render(text, **SCOPE) == "Gold / 3 / The order #42 needs a Refund / 0.5"
    assert render("{{ state.retrieved }}", **SCOPE) == "one\n\ntwo"
    assert render("[{{ input.missing }}]", **SCOPE) == "[]"  # a missing value is empty
    assert render("no templates {here}", **SCOPE) == "no templates {here}"
    assert render("{{ input.tier.__class__ }}", **SCOPE) == ""  # nothing is evaluated


def test_render_value_keeps_types_of_lone_references() -> None:
    arguments = {
        "count": "{{ input.count }}",
        "urgent": " {{ input.urgent }} ",
        "tags": "{{ input.tags }}",
        "text": "count={{ input.count }}",
        "nested": {"list": ["{{ input.tier }}", 7, None], "flag": False},
        "plain": 1.5,
    }
    assert render_value(arguments, **SCOPE) == {
        "count": 3,
        "urgent": True,
        "tags": ["a", "b"],
        "text": "count=3",
        "nested": {"list": ["Gold", 7, None], "flag": False},
        "plain": 1.5,
    }
    assert render_value("{{ input.missing }}", **SCOPE) is None


ROUTES = ["billing", "tech", "tech_support"]


@pytest.mark.parametrize(
    ("answer", "route"),
    [
        ("billing", "billing"),
        ("  Billing.\n", "billing"),
        ('"tech"', "tech"),
        ("`tech_support`", "tech_support"),
        ("I would pick tech_support here", "tech_support"),  # the longer name wins
        ("Route: TECH, clearly", "tech"),
        ("technically I am not sure", "general"),  # a word inside another is no mention
        ("", "general"),
        ("something else", "general"),
    ],
)
def test_choose_llm_route(answer: str, route: str) -> None:
    assert choose_llm_route(answer, ROUTES, "general") == route
