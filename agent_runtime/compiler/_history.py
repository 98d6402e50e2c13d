"""Conversation threads: how much of a thread's history an agent sees.

Policy (the same on every backend): a thread keeps every turn in its
checkpoint. An agent sees the most recent turns, at most ``MAX_TURNS`` (50),
dropping the oldest until their estimated size fits ``HISTORY_TOKEN_BUDGET``
(12,000 tokens, estimated as characters / 4). Turns are kept whole, so the
history always starts with a user message. The current run's input is not part
of the history: agents receive it as their task.
"""

from __future__ import annotations

MAX_TURNS = 50
HISTORY_TOKEN_BUDGET = 12_000


def estimate_tokens(text: str) -> int:
    """A model-independent estimate: one token per four characters (at least one)."""
    return max(1, len(text) // 4)


def trim_history(
    messages: list[tuple[str, str]],
    *,
    max_turns: int = MAX_TURNS,
    budget_tokens: int = HISTORY_TOKEN_BUDGET,
) -> list[tuple[str, str]]:
    """The (role, text) messages an agent sees, per the module's policy."""
    turns: list[list[tuple[str, str]]] = []
    for role, text in messages:
        if role == "user" or not turns:
            turns.append([])
        turns[-1].append((role, text))
    kept: list[list[tuple[str, str]]] = []
    used = 0
    for turn in reversed(turns[-max_turns:]):
        size = sum(estimate_tokens(text) for _, text in turn)
        if kept and used + size > budget_tokens:
            break
        kept.append(turn)
        used += size
    return [message for turn in reversed(kept) for message in turn]
