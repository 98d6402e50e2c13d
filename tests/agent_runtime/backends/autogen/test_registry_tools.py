"""Registry tools as AutoGen FunctionTools: the registry's schema, its own argument checks."""

from __future__ import annotations

from autogen_core import CancellationToken
from autogen_core.tools import FunctionTool

from agent_runtime.backends.autogen_backend._tools import RegistryTool, registry_tools
from agent_runtime.spec import BuiltinToolSpec
from agent_runtime.tools import resolve_tool


def _calc() -> RegistryTool:
    return RegistryTool(
        resolve_tool(BuiltinToolSpec(kind="builtin", id="calc", name="calculator"), {})
    )


def test_the_model_sees_the_registry_schema_under_the_spec_id() -> None:
    resolved = resolve_tool(BuiltinToolSpec(kind="builtin", id="calc", name="calculator"), {})
    tool = RegistryTool(resolved)

    assert isinstance(tool, FunctionTool)
    assert tool.name == "calc"
    assert tool.schema["parameters"] == dict(resolved.parameters)
    assert tool.schema["description"] == resolved.description


async def test_arguments_reach_the_registry_tool_as_sent() -> None:
    tool = _calc()
    token = CancellationToken()

    assert tool.return_value_as_string(await tool.run_json({"expression": "6 * 7"}, token)) == "42"
    missing = await tool.run_json({}, token)
    assert missing.startswith("error: missing argument(s) expression")
    wrong = await tool.run_json({"expression": "2 +* 3"}, token)
    assert wrong.startswith("error:")


def test_tools_are_built_once_per_compiled_graph() -> None:
    resolved = resolve_tool(BuiltinToolSpec(kind="builtin", id="calc", name="calculator"), {})
    cache: dict[str, RegistryTool] = {}

    first = registry_tools((resolved,), cache)
    again = registry_tools((resolved,), cache)

    assert first[0] is again[0]
