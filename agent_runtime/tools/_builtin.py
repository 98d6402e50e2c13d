"""Built-in tools, referred to from specs by registry name.

Each is a plain Python function with a JSON-schema of its arguments. Nothing
from a spec is ever evaluated: the calculator walks a parsed arithmetic tree and
accepts numbers and + - * / // % ** only.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}


@dataclass(frozen=True)
class BuiltinTool:
    """A tool the runtime can call directly: name, description, JSON-schema parameters, function."""

    name: str
    description: str
    parameters: Mapping[str, Any]
    function: Callable[..., str] = field(repr=False)


def _arith(node: ast.AST) -> float | int:
    if isinstance(node, ast.Expression):
        return _arith(node.body)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _arith(node.left), _arith(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 100:
            raise ValueError("exponent too large")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_arith(node.operand))
    raise ValueError("only numbers and + - * / // % ** ( ) are allowed")


def calculator(expression: str) -> str:
    """Evaluate an arithmetic expression such as ``(2 + 3) * 4``."""
    if len(expression) > 200:
        return "error: expression longer than 200 characters"
    try:
        result = _arith(ast.parse(expression, mode="eval"))
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError) as exc:
        return f"error: {exc}"
    return str(result)


def current_time() -> str:
    """The current UTC time in ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def word_count(text: str) -> str:
    """Number of words in a text."""
    return str(len(text.split()))


BUILTIN_TOOLS: Mapping[str, BuiltinTool] = {
    tool.name: tool
    for tool in (
        BuiltinTool(
            "calculator",
            "Evaluate an arithmetic expression, e.g. (2 + 3) * 4.",
            {
                "type": "object",
                "properties": {"expression": {"type": "string"}},
                "required": ["expression"],
            },
            calculator,
        ),
        BuiltinTool(
            "current_time",
            "The current date and time in UTC.",
            {"type": "object", "properties": {}},
            current_time,
        ),
        BuiltinTool(
            "word_count",
            "Count the words in a text.",
            {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
            word_count,
        ),
    )
}
