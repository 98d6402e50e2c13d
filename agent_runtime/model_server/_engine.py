"""Deciding the reply: the conversation view, rule matching and the default answer.

Everything here is a pure function of the request, so the same request always
gets the same answer (no state is kept between requests).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ._frameworks import unwrap_task, without_final_answer_request
from ._script import Rule, Script
from ._templates import render_template

__all__ = [
    "Conversation",
    "Reply",
    "ToolCall",
    "agent_name",
    "choose_reply",
    "message_text",
    "tool_calls_of",
]

_ECHO_LIMIT = 200
_NAME_LIMIT = 60
_NAME_LINE = re.compile(r"^\s*(?:agent[ _]?)?name\s*[:=]\s*(\S.*?)\s*$", re.I | re.M)
_YOU_ARE = re.compile(r"\byou are\s+(?:(?:an?|the)\s+)?([^.,;:!?\n]+)", re.I)


def message_text(message: Mapping[str, Any]) -> str:
    """The text of a message: its string content, or its text parts joined by newlines."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(p.get("text", "")) for p in content if isinstance(p, Mapping) and "text" in p
        )
    return ""


def tool_calls_of(message: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The function parts (``{name, arguments}``) of an assistant message's tool calls."""
    if message.get("role") != "assistant" or not isinstance(message.get("tool_calls"), list):
        return []
    return [
        {**fn, "id": call.get("id")}
        for call in message["tool_calls"]
        if isinstance(call, Mapping) and isinstance(fn := call.get("function"), Mapping)
    ]


def agent_name(system_prompt: str) -> str:
    """Guess the agent's name from its system prompt.

    First a line ``name: X`` (or ``agent name: X``), else the words after the
    first "You are" up to punctuation (a leading a/an/the dropped), else
    ``"assistant"``. Cut to 60 characters.
    """
    found = _NAME_LINE.search(system_prompt) or _YOU_ARE.search(system_prompt)
    name = found.group(1).strip() if found else ""
    return name[:_NAME_LIMIT].rstrip() or "assistant"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _ECHO_LIMIT else text[: _ECHO_LIMIT - 1] + "…"


def _trailing_tool_results(messages: Sequence[Mapping[str, Any]]) -> tuple[tuple[str, str], ...]:
    """(tool name, result text) for the tool messages that end the conversation."""
    names = {str(c["id"]): str(c.get("name")) for m in messages for c in tool_calls_of(m)}
    results: list[tuple[str, str]] = []
    for m in reversed(messages):
        if m.get("role") == "tool":
            name = names.get(str(m.get("tool_call_id")), "tool")
        elif m.get("role") == "function":
            name = str(m.get("name") or "tool")
        else:
            break
        results.append((name, message_text(m)))
    return tuple(reversed(results))


@dataclass(frozen=True)
class ToolCall:
    """A tool call the model makes; ``arguments`` is a JSON object string."""

    name: str
    arguments: str


@dataclass(frozen=True)
class Reply:
    """What the model answers: ``content`` or ``tool_calls``; ``rule`` is the rule index.

    ``delay`` is how many seconds the server waits before answering.
    """

    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    rule: int | None = None
    delay: float = 0.0


@dataclass(frozen=True)
class Conversation:
    """The parts of a chat request that rules look at (build with :meth:`build`)."""

    model: str
    messages: Sequence[Mapping[str, Any]]
    system: str
    last_role: str
    last_message: str
    task: str
    tool_results: tuple[tuple[str, str], ...]
    offered_tools: frozenset[str] = frozenset()
    tools_disabled: bool = False

    @classmethod
    def build(
        cls,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        offered_tools: frozenset[str] = frozenset(),
        tools_disabled: bool = False,
    ) -> Conversation:
        """``system`` joins system/developer messages; ``task`` is the last user message.

        Framework wrappers are read through (``_frameworks``): CrewAI's task prompt
        gives its task, and its closing "final answer now" turn is not a new task.
        """
        messages = without_final_answer_request(messages)
        last = messages[-1] if messages else {}
        role = str(last.get("role", ""))
        users = [message_text(m) for m in messages if m.get("role") == "user"]
        return cls(
            model=model,
            messages=messages,
            system="\n".join(
                message_text(m) for m in messages if m.get("role") in ("system", "developer")
            ),
            last_role="tool" if role == "function" else role,
            last_message=message_text(last),
            task=unwrap_task(users[-1]) if users else "",
            tool_results=_trailing_tool_results(messages),
            offered_tools=offered_tools,
            tools_disabled=tools_disabled,
        )

    @property
    def agent(self) -> str:
        return agent_name(self.system)

    def template_values(self) -> dict[str, str]:
        name, result = self.tool_results[-1] if self.tool_results else ("", "")
        return {
            "agent": self.agent,
            "task": self.task,
            "last_message": self.last_message,
            "last_role": self.last_role,
            "tool_name": name,
            "tool_result": result,
            "model": self.model,
        }

    def already_said(self, reply: Reply) -> bool:
        """True if an earlier assistant turn gave this content or made all these calls."""
        past = [m for m in self.messages if m.get("role") == "assistant"]
        if reply.content is not None:
            return any(message_text(m) == reply.content for m in past)
        made = {
            (str(c.get("name")), _canonical(c.get("arguments")))
            for m in past
            for c in tool_calls_of(m)
        }
        return all((c.name, _canonical(c.arguments)) in made for c in reply.tool_calls)


def _canonical(arguments: Any) -> str:
    try:
        value = json.loads(arguments) if isinstance(arguments, str) else arguments
        return json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):
        return str(arguments)


def _render(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return render_template(value, values)
    if isinstance(value, Mapping):
        return {k: _render(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, values) for v in value]
    return value


def _match(rule: Rule, conv: Conversation) -> dict[str, str] | None:
    """Template values from the rule's regex groups if every condition holds, else None."""
    when = rule.when
    if when.last_role is not None and when.last_role != conv.last_role:
        return None
    if when.tool_name is not None and (
        not conv.tool_results or conv.tool_results[-1][0] != when.tool_name
    ):
        return None
    groups: dict[str, str] = {}
    for name, match in when.text_matches():
        found = match.search(getattr(conv, name))
        if found is None:
            return None
        groups.update(found)
    return groups


def _try_rule(index: int, rule: Rule, conv: Conversation) -> Reply | None:
    groups = _match(rule, conv)
    if groups is None:
        return None
    if rule.tool_calls is not None:
        names = {c.name for c in rule.tool_calls}
        if conv.tools_disabled or not names <= conv.offered_tools:
            return None
    values = {**groups, **conv.template_values()}
    if rule.content is not None:
        reply = Reply(content=render_template(rule.content, values), rule=index)
    else:
        calls = tuple(
            ToolCall(c.name, json.dumps(_render(c.arguments, values), ensure_ascii=False))
            for c in rule.tool_calls or ()
        )
        reply = Reply(tool_calls=calls, rule=index)
    if rule.once and conv.already_said(reply):
        return None
    return replace(reply, delay=rule.delay_seconds) if rule.delay_seconds else reply


def default_reply(conv: Conversation) -> Reply:
    """The answer when no rule matches; it always ends a tool loop."""
    prefix = f"[demo model] {conv.agent}:"
    if conv.last_role == "tool" and conv.tool_results:
        parts = [f'{name} returned "{_short(result)}"' for name, result in conv.tool_results]
        return Reply(content=f"{prefix} {'; '.join(parts)}")
    return Reply(content=f'{prefix} received "{_short(conv.task or conv.last_message)}"')


def choose_reply(script: Script, conv: Conversation) -> Reply:
    """The first matching rule's reply, or the default answer."""
    for index, rule in enumerate(script.rules):
        reply = _try_rule(index, rule, conv)
        if reply is not None:
            return reply
    return default_reply(conv)
