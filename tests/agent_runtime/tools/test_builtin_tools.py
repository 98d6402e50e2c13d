"""Built-in tools do what they say and never evaluate code."""

from __future__ import annotations

import pytest

from agent_runtime.tools import BUILTIN_TOOLS


def call(name, **kwargs):
    return BUILTIN_TOOLS[name].function(**kwargs)


@pytest.mark.parametrize(
    ("expression", "result"),
    [("(2 + 3) * 4", "20"), ("2 ** 10", "1024"), ("-7 // 2", "-4"), ("10 / 4", "2.5")],
)
def test_calculator(expression, result):
    assert call("calculator", expression=expression) == result


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os').system('true')",
        "open('/etc/passwd')",
        "x + 1",
        "9 ** 9999",
        "1/0",
        "(" * 300,
    ],
)
def test_calculator_refuses_anything_but_arithmetic(expression):
    assert call("calculator", expression=expression).startswith("error:")


def test_other_tools_and_schemas():
    assert call("word_count", text="one two  three") == "3"
    assert call("current_time").endswith("+00:00")
    for tool in BUILTIN_TOOLS.values():
        assert tool.parameters["type"] == "object" and tool.description
