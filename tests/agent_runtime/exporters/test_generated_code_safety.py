"""Spec text can never become code in an export, and the built-in tools stay safe there."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import yaml

from agent_runtime.compiler import agent_system_prompt
from agent_runtime.exporters import export_graph
from agent_runtime.spec import AgentNode
from tests.agent_runtime.conformance._graphs import agent, builtin_tool, linear
from tests.agent_runtime.exporters._frameworks import load_langgraph

HOSTILE = [
    'Evil"""\nimport os; os.system("touch /tmp/pwned")\n"""',
    "back\\slash \\n and a quote'\"",
    "line\u2028separator and \x1b escape",
    'ends with a quote"',
    "{{ input.message }} } { ]",
]


def hostile_spec(texts: list[str] = HOSTILE) -> dict:
    agents = [
        agent(
            f"a{i}",
            text[:100],
            role=text,
            goal=text,
            instructions=text,
            tools=["web"],
        )
        for i, text in enumerate(texts)
    ]
    spec = linear('Name with """ quotes \\ and\nnewline', *agents)
    spec["description"] = HOSTILE[0]
    spec["tools"] = [
        {**builtin_tool("web", "http_request"), "allowed_hosts": ["api.example.com"],
         "description": HOSTILE[0]},
    ]  # fmt: skip
    return spec


def test_hostile_text_stays_inside_string_literals(tmp_path: Path) -> None:
    spec = hostile_spec()
    export_graph(spec, "langgraph").write(tmp_path)
    source = (tmp_path / "graph.py").read_text()
    tree = ast.parse(source)  # valid Python
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert not any(getattr(c.func, "attr", None) == "system" for c in calls)
    assert "import os; os.system" not in [
        ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Expr)
    ]
    with load_langgraph(tmp_path, "module") as module:
        for i, node in enumerate(spec["nodes"][1:-1]):
            constant = getattr(module, f"A{i}_PROMPT")
            assert constant == agent_system_prompt(AgentNode.model_validate(node))
    assert not Path("/tmp/pwned").exists()


def test_hostile_text_round_trips_through_yaml_and_json() -> None:
    spec = hostile_spec([text for text in HOSTILE if "{" not in text])  # CrewAI: see its tests
    crewai = export_graph(spec, "crewai").files
    [agents] = [v for k, v in crewai.items() if k.endswith("agents.yaml")]
    loaded = yaml.safe_load(agents)
    assert [a["role"] for a in loaded.values()] == [
        n["name"] for n in spec["nodes"] if n["kind"] == "agent"
    ]
    for name, text in crewai.items():
        if name.endswith(".py"):
            ast.parse(text)
    team = json.loads(next(iter(export_graph(spec, "autogen").files.values())))
    [tool] = team["config"]["participants"][0]["config"]["workbench"][0]["config"]["tools"]
    ast.parse(tool["config"]["source_code"])


def test_the_exported_tools_refuse_what_ours_refuse(tmp_path: Path) -> None:
    spec = linear("Tools", agent("a", "A", tools=["calc", "web"]))
    spec["tools"] = [
        builtin_tool("calc", "calculator"),
        {**builtin_tool("web", "http_request"), "allowed_hosts": ["api.example.com"]},
    ]
    export_graph(spec, "langgraph").write(tmp_path)
    with load_langgraph(tmp_path, "module") as module:
        calc, web = module.calc, module.web
        assert calc.invoke({"expression": "(2 + 3) * 4"}) == "20"
        assert calc.invoke({"expression": "__import__('os').system('x')"}).startswith(
            "error: only numbers"
        )
        assert calc.invoke({"expression": "9 ** 9999"}) == "error: exponent too large"
        assert calc.invoke({"expression": "1" * 201}).startswith("error: expression longer")
        assert web.invoke({"url": "https://evil.example.com/x"}) == (
            "error: host evil.example.com is not allowed for tool web"
        )
        assert web.invoke({"url": "file:///etc/passwd"}).startswith("error: only absolute http")
        assert web.invoke({"url": "https://api.example.com", "body": "x"}).startswith(
            "error: a GET request takes no body"
        )
