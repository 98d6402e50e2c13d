"""Tiny ``{name}`` templates for scripted replies.

Only plain names are allowed: no attribute access (``{a.b}``), no indexing
(``{a[0]}``), no positional fields (``{}``), no conversions (``{a!r}``) and no
format specs (``{a:>99}``). ``{{`` and ``}}`` stand for literal braces.
Templates are checked when a script loads and rendered by plain string
concatenation, never by ``str.format``.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping

__all__ = ["TEMPLATE_NAMES", "check_template", "render_template"]

#: Names every reply template may use (regex named groups add more per rule).
TEMPLATE_NAMES: frozenset[str] = frozenset(
    {"agent", "task", "last_message", "last_role", "tool_name", "tool_result", "model"}
)

_FORMATTER = string.Formatter()


def _fields(template: str) -> list[tuple[str, str | None]]:
    """Split ``template`` into (literal, field name or None) pairs; raise ``ValueError``."""
    parts: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in _FORMATTER.parse(template):
        if field is None:
            parts.append((literal, None))
            continue
        if not field.isidentifier():
            raise ValueError(
                f"template field {{{field}}} must be a plain name such as {{agent}}"
                " (no positions, attributes or indexes)"
            )
        if spec or conversion:
            raise ValueError(f"template field {{{field}}} may not use '!' or ':' options")
        parts.append((literal, field))
    return parts


def check_template(template: str, allowed: Iterable[str]) -> None:
    """Raise ``ValueError`` if ``template`` is malformed or uses a name not in ``allowed``."""
    allowed_set = set(allowed)
    try:
        parts = _fields(template)
    except ValueError as exc:
        raise ValueError(f"bad template: {exc}") from None
    for _, field in parts:
        if field is not None and field not in allowed_set:
            names = ", ".join(sorted(allowed_set))
            raise ValueError(f"unknown template name {{{field}}}; use one of: {names}")


def render_template(template: str, values: Mapping[str, str]) -> str:
    """Fill a checked template; unknown names render as an empty string."""
    out: list[str] = []
    for literal, field in _fields(template):
        out.append(literal)
        if field is not None:
            out.append(values.get(field, ""))
    return "".join(out)
