"""Built-in tools, referred to from specs by registry name.

Each is a plain Python function with a JSON-schema of its arguments. Nothing
from a spec is ever evaluated: the calculator walks a parsed arithmetic tree and
accepts numbers and + - * / // % ** only. ``http_request`` calls only the hosts
its spec allows, under the rules of ``agent_runtime.tools._http``.
"""

from __future__ import annotations

import ast
import inspect
import json
import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agent_runtime.tools._http import METHODS, send_request

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
    """A tool the runtime can call directly: name, description, JSON-schema parameters, function.

    ``function`` takes the arguments as keywords and returns the result text. An
    async function (``is_async``) is awaited and also receives ``allowed_hosts``,
    the hosts its spec lets it call.
    """

    name: str
    description: str
    parameters: Mapping[str, Any]
    function: Callable[..., Any] = field(repr=False)

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.function)


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


async def http_request(
    url: Any, method: Any = "GET", body: Any = None, *, allowed_hosts: Collection[str]
) -> str:
    """Call a URL on one of the allowed hosts; ``HTTP <status>\n<body>`` or ``error: ...``.

    A JSON object ``body`` is sent as JSON; a string is sent as is (labelled JSON
    when it parses as JSON, plain text otherwise).
    """
    if not isinstance(url, str) or not url:
        return "error: url must be a non-empty string"
    verb = method.upper() if isinstance(method, str) else ""
    if verb not in METHODS:
        return f"error: method must be one of {', '.join(METHODS)}"
    body = None if body in ("", {}) else body
    if body is not None and verb == "GET":
        return "error: a GET request takes no body; use POST, PUT, PATCH or DELETE"
    if body is not None and not isinstance(body, str | dict):
        return "error: body must be a string or a JSON object"
    headers = {}
    if isinstance(body, str):
        headers["Content-Type"] = "application/json" if _is_json(body) else "text/plain"
    return await send_request(
        verb,
        url,
        tool="http_request",
        allowed_hosts=allowed_hosts,
        headers=headers,
        json_body=body if isinstance(body, dict) else None,
        content=body if isinstance(body, str) else None,
    )


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


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
        BuiltinTool(
            "http_request",
            "Send an HTTP request to an allowed host and return the status and response body.",
            {
                "type": "object",
                "properties": {
                    "url": {"type": "string", "description": "Absolute http(s) URL."},
                    "method": {"type": "string", "enum": list(METHODS), "default": "GET"},
                    "body": {
                        "anyOf": [{"type": "string"}, {"type": "object"}],
                        "description": "Request body (not for GET): a JSON object or text.",
                    },
                },
                "required": ["url"],
            },
            http_request,
        ),
    )
}
