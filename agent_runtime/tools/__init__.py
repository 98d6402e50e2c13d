"""Tools agents can call: the built-in registry (HTTP tools are declared in specs)."""

from agent_runtime.tools._builtin import BUILTIN_TOOLS, BuiltinTool

__all__ = ["BUILTIN_TOOLS", "BuiltinTool"]
