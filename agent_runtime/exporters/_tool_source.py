"""Built-in tools as plain, self-contained Python source, for generated code.

Each function needs only the standard library (``http_request`` also needs
httpx, which every framework's OpenAI client installs) and imports what it uses
inside its body, so the same text works as a module function (LangGraph,
CrewAI) and as an AutoGen ``FunctionTool``'s ``source_code``. They behave like
``agent_runtime.tools._builtin``: the calculator walks a parsed arithmetic tree
(numbers and + - * / // % ** only; never ``eval``), ``http_request`` calls only
its allowed hosts, follows no redirects, and reads at most 1 MiB. Failures are
returned as text starting with ``error:``.
"""

from __future__ import annotations

from agent_runtime.exporters._bundle import lit, py_str
from agent_runtime.spec import BuiltinToolSpec
from agent_runtime.tools import BUILTIN_TOOLS

_SIGNATURES = {
    "calculator": "expression: str",
    "current_time": "",
    "word_count": "text: str",
    "http_request": 'url: str, method: str = "GET", body: str | dict | None = None',
}

_BODIES = {
    "calculator": """
import ast
import operator

binary = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod, ast.Pow: operator.pow,
}
unary = {ast.UAdd: operator.pos, ast.USub: operator.neg}

def arith(node):
    if isinstance(node, ast.Expression):
        return arith(node.body)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in binary:
        left, right = arith(node.left), arith(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 100:
            raise ValueError("exponent too large")
        return binary[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in unary:
        return unary[type(node.op)](arith(node.operand))
    raise ValueError("only numbers and + - * / // % ** ( ) are allowed")

if len(expression) > 200:
    return "error: expression longer than 200 characters"
try:
    return str(arith(ast.parse(expression, mode="eval")))
except (SyntaxError, ValueError, ZeroDivisionError, OverflowError) as exc:
    return f"error: {exc}"
""",
    "current_time": """
from datetime import datetime, timezone

return datetime.now(timezone.utc).isoformat(timespec="seconds")
""",
    "word_count": """
return str(len(text.split()))
""",
    "http_request": """
import json

import httpx

allowed_hosts = {hosts}
verb = method.upper() if isinstance(method, str) else ""
if verb not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
    return "error: method must be one of GET, POST, PUT, PATCH, DELETE"
if body in ("", {{}}):
    body = None
if body is not None and verb == "GET":
    return "error: a GET request takes no body; use POST, PUT, PATCH or DELETE"
try:
    target = httpx.URL(url)
except (httpx.InvalidURL, TypeError):
    return "error: the URL is not valid"
if target.scheme not in ("http", "https"):
    return "error: only absolute http:// and https:// URLs are allowed"
if target.host.lower() not in allowed_hosts:
    return f"error: host {{target.host}} is not allowed for tool {tool}"
options = {{}}
if isinstance(body, dict):
    options["json"] = body
elif isinstance(body, str):
    try:
        json.loads(body)
        kind = "application/json"
    except ValueError:
        kind = "text/plain"
    options.update(content=body, headers={{"Content-Type": kind}})
try:
    with httpx.Client(timeout=20.0, follow_redirects=False) as client:
        with client.stream(verb, target, **options) as response:
            data = b""
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) >= 1024 * 1024:
                    break
            text = data[: 1024 * 1024].decode(response.encoding or "utf-8", "replace")
except httpx.HTTPError as exc:
    return f"error: the request to {{target.host}} failed ({{type(exc).__name__}})"
return f"HTTP {{response.status_code}}\\n{{text[:20000]}}"
""",
}


def tool_description(spec: BuiltinToolSpec) -> str:
    """What the model reads about the tool (the spec's description, else the built-in's)."""
    return spec.description or BUILTIN_TOOLS[spec.name].description


def tool_parameters(spec: BuiltinToolSpec) -> str:
    """The Python parameter list of the tool's function."""
    return _SIGNATURES[spec.name]


def tool_function(spec: BuiltinToolSpec, func_name: str, *, decorator: str = "") -> str:
    """The source of one self-contained function implementing ``spec`` as ``func_name``."""
    body = _BODIES[spec.name].strip("\n")
    if spec.name == "http_request":
        hosts = tuple(sorted({h.lower() for h in spec.allowed_hosts}))
        body = body.format(hosts=lit(hosts), tool=spec.id.replace("{", "").replace("}", ""))
    lines = [decorator] if decorator else []
    lines.append(f"def {func_name}({_SIGNATURES[spec.name]}) -> str:")
    lines.append(f"    {py_str(tool_description(spec))}")
    lines.extend(f"    {line}" if line else "" for line in body.split("\n"))
    return "\n".join(lines) + "\n"
