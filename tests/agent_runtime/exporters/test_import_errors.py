"""Importing AutoGen and CrewAI files: what maps, what is refused (clearly), what never runs."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from agent_runtime.errors import ImportFormatError, SpecParseError
from agent_runtime.exporters import MAX_IMPORT_BYTES, import_autogen, import_crewai, import_files
from agent_runtime.spec import validate

CREWAI_TEMPLATES = Path(__import__("crewai_cli").__file__).parent / "templates" / "crew" / "config"


def component(provider: str, config: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "provider": provider,
        "component_type": extra.pop("kind", "agent"),
        "config": config,
        **extra,
    }


def openai_client(model: str = "gpt-4o-mini", **config: Any) -> dict[str, Any]:
    return component(
        "autogen_ext.models.openai.OpenAIChatCompletionClient",
        {"model": model, **config},
        kind="model",
    )


def function_tool(name: str, source: str, label: str = "FunctionTool") -> dict[str, Any]:
    return component(
        "autogen_core.tools.FunctionTool",
        {"name": name, "description": "A tool.", "source_code": source, "global_imports": []},
        kind="tool",
        label=label,
    )


def assistant(name: str, *, tools=(), client=None, system: str | None = None, **config) -> dict:
    return component(
        "autogen_agentchat.agents.AssistantAgent",
        {
            "name": name,
            "model_client": client or openai_client(),
            "tools": list(tools),
            "system_message": system,
            **config,
        },
    )


def team(
    *participants: dict, provider: str = "autogen_agentchat.teams.RoundRobinGroupChat", **config
):
    return component(
        provider, {"participants": list(participants), **config}, kind="team", label="My team"
    )


def studio_team(marker: Path) -> dict[str, Any]:
    """The shape AutoGen Studio saves: one assistant with a calculator, until TERMINATE."""
    evil = (
        "def calculator(a: float, b: float, operator: str) -> str:\n"
        f"    open({str(marker)!r}, 'w')\n"
        "    return ''\n"
    )
    termination = component(
        "autogen_agentchat.base.OrTerminationCondition",
        {
            "conditions": [
                component(
                    "autogen_agentchat.conditions.TextMentionTermination", {"text": "TERMINATE"}
                ),
                component(
                    "autogen_agentchat.conditions.MaxMessageTermination", {"max_messages": 10}
                ),
            ]
        },
        kind="termination",
    )
    agent = assistant(
        "assistant_agent",
        tools=[function_tool("calculator", evil)],
        system="You are a helpful assistant. Solve tasks carefully. When done, say TERMINATE.",
        description="An agent that provides assistance with ability to use tools.",
        reflect_on_tool_use=False,
        tool_call_summary_format="{result}",
    )
    return team(agent, termination_condition=termination)


# ------------------------------------------------------------------ AutoGen ---


def test_an_autogen_studio_team_imports_without_running_its_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    result = import_autogen(json.dumps(studio_team(marker)))

    assert not marker.exists()  # the tool's source_code was never executed
    assert validate(result.spec) == []
    spec = result.spec
    assert spec["name"] == "My team"
    [agent] = [n for n in spec["nodes"] if n["kind"] == "agent"]
    assert agent["name"] == "assistant_agent"
    assert agent["instructions"].startswith("You are a helpful assistant.")
    assert agent["tools"] == ["calculator"]
    assert spec["tools"] == [{"kind": "builtin", "id": "calculator", "name": "calculator"}]
    assert spec["models"] == [
        {
            "id": "gpt-4o-mini",
            "provider": "openai",
            "model": "gpt-4o-mini",
            "api_key_secret": "OPENAI_API_KEY",
        }
    ]
    assert any("repeats its turns" in w for w in result.warnings)
    assert "def calculator" not in json.dumps(spec)


def test_unknown_tools_are_left_out_with_a_warning_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    source = f"import os\ndef fetch(url: str) -> str:\n    os.system('touch {marker}')\n"
    agent = assistant("researcher", tools=[function_tool("fetch_webpage", source)])
    result = import_autogen(json.dumps(team(agent)))
    assert not marker.exists()
    assert result.spec["tools"] == []
    [warning] = [w for w in result.warnings if "fetch_webpage" in w]
    assert "was not imported" in warning and "the code in the file was not read" in warning


def test_an_api_key_in_the_file_is_not_imported(tmp_path: Path) -> None:
    key = "sk-live-abc123abc123abc123"
    agent = assistant("a", client=openai_client(api_key=key))
    result = import_autogen(json.dumps(team(agent)))
    assert key not in json.dumps(result.spec) and key not in " ".join(result.warnings)
    assert any("API key in the file was not imported" in w for w in result.warnings)


def test_a_user_proxy_becomes_a_human_input_step() -> None:
    proxy = component(
        "autogen_agentchat.agents.UserProxyAgent", {"name": "user", "description": "Your feedback?"}
    )
    result = import_autogen(json.dumps(team(assistant("writer"), proxy, assistant("editor"))))
    kinds = [(n["kind"], n.get("mode")) for n in result.spec["nodes"]]
    assert kinds[2] == ("human", "input")
    assert result.spec["nodes"][2]["prompt"] == "Your feedback?"


def test_a_single_agent_component_is_a_one_agent_graph() -> None:
    result = import_autogen(json.dumps(assistant("helper", system="Be brief.")))
    assert [n["kind"] for n in result.spec["nodes"]] == ["input", "agent", "output"]
    assert result.spec["name"] == "helper"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "not valid JSON: "),
        ("[1, 2]", "not an AutoGen component (expected a JSON object)"),
        ('{"schema": 1}', "it needs a 'provider' name and a 'config' object"),
        (
            team(assistant("a"), provider="autogen_agentchat.teams.SelectorGroupChat"),
            "a SelectorGroupChat team cannot be imported: only RoundRobinGroupChat teams",
        ),
        (
            team(assistant("a"), provider="evil_pkg.teams.Team"),
            "unknown component provider 'evil_pkg.teams.Team'",
        ),
        (team(), "the team has no participants"),
        (
            team(
                component("autogen_ext.agents.web_surfer.MultimodalWebSurfer", {"name": "surfer"})
            ),
            "a MultimodalWebSurfer agent cannot be imported",
        ),
        (
            team(
                assistant(
                    "a",
                    client=component(
                        "autogen_ext.models.anthropic.AnthropicChatCompletionClient",
                        {"model": "claude"},
                        kind="model",
                    ),
                )
            ),
            "AnthropicChatCompletionClient is not supported; Orchestrall calls OpenAI-compatible",
        ),
        (
            team(component("autogen_agentchat.agents.AssistantAgent", {"name": "a"})),
            "participant 1 ('a'): model_client: not an AutoGen component",
        ),
        (
            team(assistant("a", client=openai_client(base_url="ftp://x"))),
            "'ftp://x' is not an http(s) URL",
        ),
        (
            team(component("autogen_agentchat.agents.AssistantAgent", {"name": ["a"]})),
            "'name' must be text, not list",
        ),
        (
            component(
                "autogen_agentchat.conditions.TextMentionTermination",
                {"text": "x"},
                kind="termination",
            ),
            "a TextMentionTermination component is not a team or an agent",
        ),
    ],
)
def test_malformed_autogen_files_get_a_clear_error(document: Any, message: str) -> None:
    text = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(ImportFormatError) as caught:
        import_autogen(text, source="team.json")
    assert caught.value.code == "import_format_error"
    assert caught.value.message.startswith("team.json")
    assert message in caught.value.message


def test_too_large_deeply_nested_and_binary_files_are_refused() -> None:
    with pytest.raises(ImportFormatError, match="too large; files to import are limited to 5 MB"):
        import_autogen(b" " * (MAX_IMPORT_BYTES + 1))
    with pytest.raises(ImportFormatError, match="nested too deeply"):
        import_autogen("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ImportFormatError, match="not UTF-8 text"):
        import_autogen(b"\xff\xfe\x00garbage")


# ------------------------------------------------------------------- CrewAI ---


def test_the_crewai_template_imports_with_its_placeholders_as_input_fields() -> None:
    result = import_crewai(
        (CREWAI_TEMPLATES / "agents.yaml").read_bytes(),
        (CREWAI_TEMPLATES / "tasks.yaml").read_bytes(),
        name="Latest AI news",
    )
    spec = result.spec
    assert validate(spec) == []
    assert [f["name"] for f in spec["nodes"][0]["fields"]] == ["topic", "current_year"]
    agents = [n for n in spec["nodes"] if n["kind"] == "agent"]
    assert [a["id"] for a in agents] == ["researcher", "reporting_analyst"]
    assert agents[0]["name"] == "{topic} Senior Data Researcher"
    assert agents[0]["role"].startswith("You're a seasoned researcher")
    assert agents[0]["instructions"].startswith("Conduct a thorough research about {topic}")
    assert "Expected output: A list with 10 bullet points" in agents[0]["instructions"]
    assert any("{topic}, {current_year} became the input's fields" in w for w in result.warnings)


def test_unknown_tools_and_models_are_left_out_with_warnings() -> None:
    agents = (
        "writer:\n  role: Writer\n  goal: Write\n  backstory: Good\n  llm: my_llm\n"
        "  tools: [serper_dev_tool, calculator]\n"
    )
    tasks = "write:\n  description: Write it\n  expected_output: Text\n  agent: writer\n"
    result = import_crewai(agents, tasks)
    [agent] = [n for n in result.spec["nodes"] if n["kind"] == "agent"]
    assert agent["tools"] == ["calculator"]
    assert "model" not in agent and result.spec["default_model"] == "demo"
    text = " ".join(result.warnings)
    assert "tool 'serper_dev_tool' was not imported" in text
    assert "llm 'my_llm' is defined in crew.py" in text


def test_openai_model_strings_become_openai_models() -> None:
    agents = "a:\n  role: A\n  llm: openai/gpt-4o\nb:\n  role: B\n  llm: gpt-4o\n"
    tasks = "t1:\n  description: x\n  agent: a\nt2:\n  description: y\n  agent: b\n"
    spec = import_crewai(agents, tasks).spec
    assert spec["default_model"] == "gpt-4o"
    assert spec["models"] == [
        {
            "id": "gpt-4o",
            "provider": "openai",
            "model": "gpt-4o",
            "api_key_secret": "OPENAI_API_KEY",
        }
    ]


@pytest.mark.parametrize(
    ("agents", "tasks", "where", "message"),
    [
        ("a: [unclosed", "t: {}", "agents.yaml", "not valid YAML: "),
        (
            "base: &b {role: A}\na: *b",
            "t: {}",
            "agents.yaml",
            "anchors and aliases (&, *) are not accepted",
        ),
        (
            "a: !!python/object/apply:os.system ['touch /tmp/x']",
            "t: {}",
            "agents.yaml",
            "not valid YAML",
        ),
        ("- a\n- b", "t: {}", "agents.yaml", "expected a mapping of agent names to settings"),
        ("a: {role: A}", "- t", "tasks.yaml", "expected a mapping of task names to settings"),
        (
            "a: {role: A}",
            "t: x",
            "tasks.yaml",
            "'t' must be a task name with a mapping of settings",
        ),
        ("a: {role: A}", "", "tasks.yaml", "there are no tasks"),
        ("a: {role: A}", "t: {description: x}", "tasks.yaml", "names no agent; hierarchical crews"),
        (
            "a: {role: A}",
            "t: {description: x, agent: b}",
            "tasks.yaml",
            "agent 'b' is not in agents.yaml",
        ),
        (
            "a: {goal: G}",
            "t: {description: x, agent: a}",
            "agents.yaml",
            "agent 'a': 'role' is missing",
        ),
        (
            "a: {role: [A]}",
            "t: {description: x, agent: a}",
            "agents.yaml",
            "'role' must be text, not list",
        ),
        ("a: {role: A}", "t: {agent: a}", "tasks.yaml", "task 't': 'description' is missing"),
        (
            "a: {role: A, tools: calculator}",
            "t: {description: x, agent: a}",
            "agents.yaml",
            "'tools' must be a list",
        ),
    ],
)
def test_malformed_crewai_files_get_a_clear_error(
    agents: str, tasks: str, where: str, message: str
) -> None:
    with pytest.raises(ImportFormatError) as caught:
        import_crewai(agents, tasks)
    assert caught.value.message.startswith(where), caught.value.message
    assert message in caught.value.message


# -------------------------------------------------------------- which files ---


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_the_two_crewai_files_are_told_apart_by_name_or_content() -> None:
    agents = b"a:\n  role: A\n"
    tasks = b"t:\n  description: x\n  agent: a\n"
    for files in (
        {"tasks.yaml": tasks, "agents.yaml": agents},
        {"one.yml": tasks, "two.yml": agents},
    ):
        assert import_files(files).format == "crewai"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "No file was given"),
        ({"a.yaml": b"", "b.yaml": b"", "c.yaml": b""}, "Import one file, or the two YAML files"),
        ({"agents.yaml": b"a: {role: A}"}, "two YAML files: agents.yaml and tasks.yaml"),
        ({"agents.yaml": b"a: {}", "notes.txt": b"hi"}, "two YAML files"),
        ({"one.yaml": b"x: 1", "two.yaml": b"y: 2"}, "name them agents.yaml and tasks.yaml"),
        ({"crew.zip": b"PK\x03\x04 broken"}, "crew.zip: not a valid zip file"),
        ({"crew.zip": _zip({"README.md": b"hi"})}, "neither a CrewAI project"),
        (
            {"crew.zip": _zip({f"f{i}.txt": b"" for i in range(501)})},
            "more than 500 files in the zip",
        ),
        (
            {
                "crew.zip": _zip(
                    {
                        "a/config/agents.yaml": b"",
                        "b/config/agents.yaml": b"",
                        "a/config/tasks.yaml": b"",
                    }
                )
            },
            "Several agents.yaml or tasks.yaml files",
        ),
    ],
)
def test_uploads_that_are_no_known_format_are_refused(files: dict, message: str) -> None:
    with pytest.raises(ImportFormatError, match=None) as caught:
        import_files(files)
    assert message in caught.value.message


def test_a_zip_bomb_is_refused_without_inflating_it_all() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("crew/config/agents.yaml", b" " * (MAX_IMPORT_BYTES + 10))
        archive.writestr("crew/config/tasks.yaml", b"t: {}")
    assert len(buffer.getvalue()) < 50_000
    with pytest.raises(ImportFormatError, match=r"crew/config/agents\.yaml is too large"):
        import_files({"crew.zip": buffer.getvalue()})


def test_a_spec_is_passed_through_and_a_non_object_is_not_a_spec() -> None:
    spec = {"schema_version": 1, "name": "Mine", "nodes": []}
    result = import_files({"mine.json": json.dumps(spec).encode()})
    assert result.format == "spec" and result.spec["name"] == "Mine"
    with pytest.raises(SpecParseError, match="not a graph spec"):
        import_files({"list.json": b"[1]"})
