"""Validation problems, and turning pydantic errors into problems a person can act on."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

_DISCRIMINATORS = ("kind", "op")


class Problem(BaseModel):
    """One thing wrong with a spec: where (node/edge id and JSON path), what, and how to fix it."""

    model_config = ConfigDict(frozen=True)

    code: str
    message: str
    hint: str = ""
    path: str = "$"
    node_id: str | None = None
    edge_id: str | None = None

    def where(self) -> str:
        """``node 'x'`` / ``edge 'e1'`` / the JSON path."""
        if self.node_id:
            return f"node '{self.node_id}'"
        if self.edge_id:
            return f"edge '{self.edge_id}'"
        return self.path

    def one_line(self) -> str:
        """``node 'x' ($.nodes[1].model): message (hint)`` on one line."""
        where = self.where()
        location = where if where == self.path else f"{where} ({self.path})"
        hint = f" Hint: {self.hint}" if self.hint else ""
        return f"{location}: {self.message}{hint}".replace("\n", " ")


def json_path(parts: tuple[Any, ...] | list[Any]) -> str:
    """``('nodes', 2, 'name')`` → ``$.nodes[2].name``."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _strip_tags(raw: Any, loc: tuple[Any, ...]) -> list[Any]:
    """Drop the discriminator values pydantic inserts into error locations."""
    parts: list[Any] = []
    current = raw
    for part in loc:
        is_tag = isinstance(current, dict) and part not in current
        if is_tag and any(current.get(tag) == part for tag in _DISCRIMINATORS):
            continue
        parts.append(part)
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            current = current[part]
        else:
            current = None
    return parts


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def problems_from_validation_error(
    exc: ValidationError,
    raw: Any,
    prefix: tuple[Any, ...] = (),
    node_id: str | None = None,
    edge_id: str | None = None,
    allowed: dict[str, tuple[str, ...]] | None = None,
    noun: str = "",
) -> list[Problem]:
    """Problems for each pydantic error, with JSON paths relative to the whole spec."""
    problems = []
    for err in exc.errors(include_url=False):
        parts = _strip_tags(raw, tuple(err["loc"]))
        path = json_path([*prefix, *parts])
        kind, ctx = err["type"], err.get("ctx") or {}
        field = next((p for p in reversed(parts) if isinstance(p, str)), "value")
        if kind == "extra_forbidden":
            code, message = "unknown_field", f"Unknown field '{field}'."
            hint = "Remove it; specs hold only the documented fields (see docs/spec.md)."
        elif kind == "missing":
            code, message = "missing_field", f"Missing required field '{field}'."
            hint = "Add it."
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            tag = ctx.get("discriminator", "kind").strip("'")
            expected = ctx.get("expected_tags", "")
            got = ctx.get("tag")
            code = "unknown_kind"
            what = f"{noun} {tag}" if noun and not parts else tag
            message = f"Unknown {what} {got!r}." if got is not None else f"Missing '{tag}'."
            hint = f"Use one of: {expected}." if expected else ""
            if kind == "union_tag_not_found":
                code = "missing_field"
        elif kind == "literal_error" and field == "schema_version":
            code, message, hint = "version", "Unsupported schema_version.", "Use 1."
        elif kind.endswith("_type") or kind in ("model_type", "dict_type", "list_type"):
            code = "wrong_type"
            got = _describe(err.get("input"))
            message = f"'{field}' has the wrong type: {err['msg'].lower()} (got {got})."
            hint = ""
        else:
            code = "invalid_value"
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            message = f"'{field}' is invalid: {msg[0].lower() + msg[1:]}."
            hint = (allowed or {}).get(field, ("",))[0]
        problems.append(
            Problem(
                code=code, message=message, hint=hint, path=path, node_id=node_id, edge_id=edge_id
            )
        )
    return problems
