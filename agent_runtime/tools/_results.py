"""Tool result texts: how long they may be and how they are cut."""

from __future__ import annotations

MAX_RESULT_CHARS = 20_000
"""Tool results longer than this are cut (the model's context is not a dump)."""


def cut_result(text: str, *, incomplete: str = "") -> str:
    """``text`` in at most ``MAX_RESULT_CHARS`` characters, a note at the end when cut.

    ``incomplete`` says why the text is partial anyway (e.g. a response body that
    was not read to its end); it is noted even when the text itself is short.
    Cutting a result twice changes nothing.
    """
    if len(text) <= MAX_RESULT_CHARS and not incomplete:
        return text
    reasons = [incomplete] if incomplete else []
    if len(text) + len(_note(reasons)) > MAX_RESULT_CHARS:
        reasons.append(f"cut at {MAX_RESULT_CHARS} characters")
    note = _note(reasons)
    return text[: MAX_RESULT_CHARS - len(note)] + note


def _note(reasons: list[str]) -> str:
    return f"\n[... {'; '.join(reasons)}]"
