"""Model scripts: loading, the errors a script author sees, and how rules match."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest

from agent_runtime.errors import ModelServerError, ScriptError
from agent_runtime.model_server import (
    DEMO_MODEL,
    Script,
    ScriptedModelServer,
    agent_name,
    count_tokens,
    create_app,
    load_script,
)

Start = Callable[[Any], ScriptedModelServer]
TOOL = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}


def chat(server: ScriptedModelServer, *messages: dict, **kwargs: Any) -> Any:
    with openai.OpenAI(base_url=server.base_url, api_key="demo", max_retries=0) as client:
        result = client.chat.completions.create(
            model=server.script.models[0], messages=list(messages), **kwargs
        )
    return result.choices[0].message


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


# --- loading -------------------------------------------------------------------------------


def test_example_script_loads(demo_script_path: Path) -> None:
    script = load_script(demo_script_path)
    assert isinstance(script, Script)
    assert script.models == [DEMO_MODEL]
    assert [r.name for r in script.rules][:2] == ["weather lookup", "weather answer"]


def test_none_is_the_empty_script() -> None:
    assert load_script(None) == Script()
    assert load_script(None).rules == []


def test_json_file_and_bare_rule_list(tmp_path: Path) -> None:
    path = tmp_path / "script.json"
    path.write_text(json.dumps([{"when": {"task": "ping"}, "content": "pong"}]))
    script = load_script(str(path))
    assert script.rules[0].content == "pong"
    assert script.rules[0].when.task is not None
    assert script.rules[0].when.task.contains == "ping"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rules: [\n  - {content: x\n", "not valid JSON/YAML"),
        ("- just\n- a list\n", "rules[0]"),
        ("just text\n", "expected a mapping"),
    ],
)
def test_bad_yaml_file(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "script.yaml"
    path.write_text(text)
    with pytest.raises(ScriptError) as caught:
        load_script(path)
    assert expected in caught.value.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="Cannot read model script") as caught:
        load_script(tmp_path / "nope.yaml")
    assert isinstance(caught.value, ModelServerError)
    assert caught.value.code == "script_error"


BAD_SCRIPTS: list[tuple[str, Any, list[str]]] = [
    ("rules not a list", {"rules": "x"}, ["field 'rules'"]),
    ("unknown version", {"version": 2, "rules": []}, ["field 'version'"]),
    ("unknown top key", {"rulez": []}, ["field 'rulez'"]),
    (
        "no reply",
        {"rules": [{"content": "ok"}, {"name": "empty", "when": {"task": "x"}}]},
        ["rules[1] ('empty')", "exactly one of 'content' or 'tool_calls'"],
    ),
    (
        "both replies",
        {"rules": [{"content": "a", "tool_calls": [{"name": "t"}]}]},
        ["rules[0]", "exactly one of 'content' or 'tool_calls'"],
    ),
    (
        "bad regex",
        {
            "rules": [
                {"content": "a"},
                {"content": "b"},
                {"when": {"last_message": {"regex": "(x"}}, "content": "c"},
            ]
        },
        ["rules[2]", "field 'when.last_message'", "invalid regex"],
    ),
    (
        "two match kinds",
        {"rules": [{"when": {"system": {"contains": "a", "equals": "b"}}, "content": "x"}]},
        ["rules[0]", "field 'when.system'", "exactly one of 'contains', 'equals' or 'regex'"],
    ),
    (
        "typo in a matcher",
        {"rules": [{"when": {"system": {"contians": "a"}}, "content": "x"}]},
        ["rules[0]", "field 'when.system.contians'"],
    ),
    (
        "bad role",
        {"rules": [{"when": {"last_role": "bot"}, "content": "x"}]},
        ["rules[0]", "field 'when.last_role'"],
    ),
    (
        "bad tool name",
        {"rules": [{"tool_calls": [{"name": "get weather"}]}]},
        ["rules[0]", "field 'tool_calls[0].name'"],
    ),
    (
        "arguments not an object",
        {"rules": [{"tool_calls": [{"name": "t", "arguments": "[]"}]}]},
        ["rules[0]", "field 'tool_calls[0].arguments'"],
    ),
    ("empty tool_calls", {"rules": [{"tool_calls": []}]}, ["rules[0]", "field 'tool_calls'"]),
    (
        "unknown template name",
        {"rules": [{"content": "a"}, {"name": "w", "content": "{city}"}]},
        ["rules[1] ('w')", "field 'content'", "unknown template name {city}"],
    ),
    (
        "attribute access",
        {"rules": [{"content": "{agent.__class__}"}]},
        ["rules[0]", "field 'content'", "plain name"],
    ),
    ("index access", {"rules": [{"content": "{agent[0]}"}]}, ["rules[0]", "plain name"]),
    ("positional field", {"rules": [{"content": "{}"}]}, ["rules[0]", "plain name"]),
    ("format spec", {"rules": [{"content": "{agent:>999}"}]}, ["rules[0]", "'!' or ':'"]),
    ("conversion", {"rules": [{"content": "{agent!r}"}]}, ["rules[0]", "'!' or ':'"]),
    ("lone brace", {"rules": [{"content": "a { b"}]}, ["rules[0]", "bad template"]),
    (
        "template in arguments",
        {"rules": [{"tool_calls": [{"name": "t", "arguments": {"q": {"deep": ["{nope}"]}}}]}]},
        ["rules[0]", "field 'tool_calls[0].arguments.q.deep[0]'", "{nope}"],
    ),
    (
        "reserved group name",
        {"rules": [{"when": {"task": {"regex": "(?P<agent>\\w+)"}}, "content": "{agent}"}]},
        ["rules[0]", "field 'when.task.regex'", "reserved"],
    ),
    ("no models", {"models": []}, ["field 'models'"]),
]


@pytest.mark.parametrize(
    ("data", "parts"), [c[1:] for c in BAD_SCRIPTS], ids=[c[0] for c in BAD_SCRIPTS]
)
def test_malformed_script_names_rule_and_field(data: Any, parts: list[str]) -> None:
    with pytest.raises(ScriptError) as caught:
        load_script(data)
    message = caught.value.message
    assert message.startswith("Invalid model script")
    for part in parts:
        assert part in message


def test_bad_script_fails_before_serving() -> None:
    bad = {"rules": [{"when": {"task": {"regex": "["}}, "content": "x"}]}
    with pytest.raises(ScriptError, match=r"rules\[0\]"):
        create_app(bad)
    with pytest.raises(ScriptError, match=r"rules\[0\]"):
        ScriptedModelServer(script=bad)


# --- matching over HTTP --------------------------------------------------------------------


def test_first_matching_rule_wins(make_server: Start) -> None:
    server = make_server(
        [
            {"when": {"task": "alpha"}, "content": "first"},
            {"when": {"task": "alpha beta"}, "content": "second"},
            {"content": "catch-all"},
        ]
    )
    assert chat(server, user("alpha beta")).content == "first"
    assert chat(server, user("beta")).content == "catch-all"


def test_match_kinds_and_case(make_server: Start) -> None:
    server = make_server(
        [
            {"when": {"last_message": {"equals": "Exact", "ignore_case": False}}, "content": "eq"},
            {
                "when": {"last_message": {"contains": "Mixed", "ignore_case": False}},
                "content": "cs",
            },
            {"when": {"last_message": {"regex": "^order (?P<num>\\d+)$"}}, "content": "#{num}"},
        ]
    )
    assert chat(server, user(" Exact\n")).content == "eq"
    assert chat(server, user("exact")).content.startswith("[demo model]")
    assert chat(server, user("a Mixed bag")).content == "cs"
    assert chat(server, user("a mixed bag")).content.startswith("[demo model]")
    assert chat(server, user("ORDER 42")).content == "#42"


def test_system_prompt_and_task_conditions_combine(make_server: Start) -> None:
    server = make_server(
        [
            {"when": {"system": "writer", "task": "poem"}, "content": "{agent} writes a poem"},
            {"when": {"system": {"regex": "name: (?P<who>\\w+)"}}, "content": "hi from {who}"},
        ]
    )
    writer = {"role": "system", "content": "You are the Writer, a careful poet."}
    assert chat(server, writer, user("a poem please")).content == "Writer writes a poem"
    assert chat(server, writer, user("an essay")).content.startswith("[demo model] Writer:")
    named = {"role": "developer", "content": "Agent profile\nname: Ada\n"}
    assert chat(server, named, user("x")).content == "hi from Ada"


def test_tool_result_rules_and_templates(make_server: Start) -> None:
    server = make_server(
        [
            {
                "when": {"last_role": "user", "task": "look"},
                "tool_calls": [
                    {
                        "name": "lookup",
                        "arguments": {"q": "{task}", "n": 3, "tags": ["{agent}", "x"]},
                    },
                ],
            },
            {
                "when": {"tool_name": "lookup"},
                "content": "{{done}} {tool_name} said {tool_result} for {task} ({last_role})",
            },
        ]
    )
    system = {"role": "system", "content": "You are Scout."}
    first = chat(server, system, user("look up cats"), tools=[TOOL])
    [call] = first.tool_calls
    assert json.loads(call.function.arguments) == {
        "q": "look up cats",
        "n": 3,
        "tags": ["Scout", "x"],
    }
    result = {"role": "tool", "tool_call_id": call.id, "content": "9 lives"}
    final = chat(
        server,
        system,
        user("look up cats"),
        first.model_dump(exclude_none=True),
        result,
        tools=[TOOL],
    )
    assert final.content == "{done} lookup said 9 lives for look up cats (tool)"


def test_once_rules_do_not_repeat(make_server: Start) -> None:
    server = make_server(
        [
            {"once": True, "tool_calls": [{"name": "lookup", "arguments": {"q": "x"}}]},
            {"once": True, "content": "only once"},
        ]
    )
    first = chat(server, user("go"), tools=[TOOL])
    result = {"role": "tool", "tool_call_id": first.tool_calls[0].id, "content": "r"}
    history = [user("go"), first.model_dump(exclude_none=True), result]
    second = chat(server, *history, tools=[TOOL])
    assert second.content == "only once"
    third = chat(
        server, *history, {"role": "assistant", "content": "only once"}, user("again"), tools=[TOOL]
    )
    assert third.content == '[demo model] assistant: received "again"'


def test_script_models_replace_the_default_model(make_server: Start) -> None:
    server = make_server({"models": ["demo-a", "demo-b"], "rules": [{"content": "ok"}]})
    with openai.OpenAI(base_url=server.base_url, api_key="demo", max_retries=0) as client:
        assert [m.id for m in client.models.list().data] == ["demo-a", "demo-b"]
        reply = client.chat.completions.create(model="demo-b", messages=[user("x")])
        assert reply.model == "demo-b"
        with pytest.raises(openai.NotFoundError):
            client.chat.completions.create(model=DEMO_MODEL, messages=[user("x")])


def test_long_tasks_are_shortened_in_the_default_answer(make_server: Start) -> None:
    server = make_server(None)
    content = chat(server, user("word " * 100)).content
    assert content.startswith('[demo model] assistant: received "word word')
    assert content.endswith('…"')
    assert len(content) < 260


# --- helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("You are Researcher. You dig into sources.", "Researcher"),
        ("You are a helpful AI assistant. Solve tasks.", "helpful AI assistant"),
        ("Intro line\nname: Data Analyst\nYou are the best.", "Data Analyst"),
        ("agent_name = Router", "Router"),
        ("Summarise things.", "assistant"),
        ("", "assistant"),
        ("You are " + "x" * 100, "x" * 60),
    ],
)
def test_agent_name_heuristic(prompt: str, name: str) -> None:
    assert agent_name(prompt) == name


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("", 0), ("hello", 1), ("Hello, world!", 4), ('{"city": "Paris"}', 9), ("a  b\nc", 3)],
)
def test_count_tokens(text: str, tokens: int) -> None:
    assert count_tokens(text) == tokens
