"""Tools agents can call: the built-in registry, and spec tools resolved for the runtime.

``resolve_tool(spec, secrets)`` turns a spec's built-in or HTTP tool into a
``ResolvedTool`` whose async ``invoke`` returns text and never raises for the
tool's own failures (those come back as ``error: ...``).
"""

from agent_runtime.tools._builtin import BUILTIN_TOOLS, BuiltinTool
from agent_runtime.tools._runtime import ResolvedTool, resolve_tool

__all__ = ["BUILTIN_TOOLS", "BuiltinTool", "ResolvedTool", "resolve_tool"]
