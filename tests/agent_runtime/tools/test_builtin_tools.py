"""Built-in tools do what they say and never evaluate code."""

from __future__ import annotations

import pytest

from agent_runtime.spec import BuiltinToolSpec
from agent_runtime.tools import BUILTIN_TOOLS, resolve_tool
from agent_runtime.tools._results import MAX_RESULT_CHARS, cut_result


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


def test_only_http_request_is_async_and_it_needs_a_url():
    assert [name for name, tool in BUILTIN_TOOLS.items() if tool.is_async] == ["http_request"]
    schema = BUILTIN_TOOLS["http_request"].parameters
    assert schema["required"] == ["url"]
    assert schema["properties"]["method"]["enum"] == ["GET", "POST", "PUT", "PATCH", "DELETE"]


async def test_builtins_resolve_to_invokable_tools():
    calc = resolve_tool(BuiltinToolSpec(id="calc", name="calculator"), {})
    assert (calc.name, calc.description) == ("calc", BUILTIN_TOOLS["calculator"].description)
    assert await calc.invoke({"expression": "6 * 7", "ignored": 1}) == "42"
    assert await calc.invoke({}) == "error: missing argument(s) expression for calc"
    assert (await calc.invoke({"expression": "x"})).startswith("error:")


def test_results_are_cut_once_and_say_so():
    long = "x" * (MAX_RESULT_CHARS + 10)
    cut = cut_result(long)
    assert len(cut) == MAX_RESULT_CHARS and cut.endswith(f"cut at {MAX_RESULT_CHARS} characters]")
    assert cut_result(cut) == cut
    partial = cut_result("short", incomplete="not read to the end")
    assert partial == "short\n[... not read to the end]" and cut_result(partial) == partial
    assert cut_result("short") == "short"
