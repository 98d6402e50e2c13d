"""How much of a thread's history an agent sees (the same policy on every backend)."""

from __future__ import annotations

from agent_runtime.compiler import HISTORY_TOKEN_BUDGET, MAX_TURNS, trim_history
from agent_runtime.compiler._history import estimate_tokens


def _turns(count: int, size: int = 40) -> list[tuple[str, str]]:
    messages = []
    for i in range(count):
        messages += [("user", f"q{i}".ljust(size, ".")), ("assistant", f"a{i}".ljust(size, "."))]
    return messages


def test_estimate_tokens() -> None:
    assert estimate_tokens("") == 1
    assert estimate_tokens("abcd" * 10) == 10


def test_short_history_is_kept_whole() -> None:
    messages = _turns(3)
    assert trim_history(messages) == messages
    assert trim_history([]) == []


def test_the_budget_drops_the_oldest_whole_turns() -> None:
    messages = _turns(10, size=40)  # each turn: two messages of 10 tokens

    kept = trim_history(messages, budget_tokens=65)

    assert kept == messages[-6:]  # three newest turns (60 tokens); a fourth would exceed
    assert kept[0][0] == "user"  # always starts with a whole turn


def test_max_turns_caps_the_count() -> None:
    messages = _turns(60, size=4)
    kept = trim_history(messages)
    assert len(kept) == 2 * MAX_TURNS
    assert kept == messages[-2 * MAX_TURNS :]
    assert trim_history(messages, max_turns=2) == messages[-4:]


def test_the_newest_turn_is_kept_even_when_over_budget() -> None:
    huge = [("user", "x" * 4 * (HISTORY_TOKEN_BUDGET + 10)), ("assistant", "ok")]
    messages = [*_turns(2), *huge]
    assert trim_history(messages) == huge


def test_turns_keep_every_message_until_the_next_user_message() -> None:
    messages = [
        ("assistant", "a greeting before any question"),
        ("user", "q1"),
        ("assistant", "a1"),
        ("assistant", "a1 continued"),
        ("user", "q2"),
    ]
    assert trim_history(messages) == messages
    assert trim_history(messages, max_turns=2) == messages[1:]
