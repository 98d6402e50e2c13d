"""Reading through agent frameworks' own prompt wrappers, so rules see the real task.

CrewAI does not send an agent's task as it is: the last user message reads
``Current Task: <task>``, then its expected-output criteria (and sometimes the
conversation so far, earlier tasks' context, and a closing line), and after
the tool rounds allowed it appends a user turn asking for the final answer
now. The demo model answers the task, not the wrapper, and answers that last
turn from the conversation before it, as a model asked to wrap up would.
Recognised by CrewAI's fixed English texts only; anything else is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["unwrap_task", "without_final_answer_request"]

_CREWAI_TASK = re.compile(
    r"\A\s*Current Task: (?P<task>.*?)"
    r"(?:\n\nThis is the expected criteria for your final answer:"
    r"|\n\nProvide your complete response:"
    r"|\n\nBegin! This is VERY important to you)",
    re.S,
)
_CREWAI_HISTORY = "\n\nYou are a member of a crew collaborating to achieve a common goal."
_CREWAI_FINAL_ANSWER = "Now it's time you MUST give your absolute best final answer."


def unwrap_task(text: str) -> str:
    """The task inside a CrewAI task prompt (without its conversation history); else ``text``."""
    found = _CREWAI_TASK.match(text)
    if found is None:
        return text
    return found.group("task").split(_CREWAI_HISTORY, 1)[0]


def without_final_answer_request(
    messages: Sequence[Mapping[str, Any]],
) -> Sequence[Mapping[str, Any]]:
    """``messages`` without a trailing CrewAI "give your final answer now" user turn.

    Only after the model's own turns (tool calls and their results): on its own the
    text is an ordinary task.
    """
    if len(messages) < 2 or messages[-2].get("role") not in ("assistant", "tool", "function"):
        return messages
    last = messages[-1]
    content = last.get("content")
    asks = isinstance(content, str) and content.startswith(_CREWAI_FINAL_ANSWER)
    return messages[:-1] if last.get("role") == "user" and asks else messages
