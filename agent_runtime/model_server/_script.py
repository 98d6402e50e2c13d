"""The model script: ordered rules that decide what the demo model answers.

A script is JSON or YAML (see ``docs/model-server.md``)::

    version: 1
    models: [orchestrall-demo]
    rules:
      - name: weather
        when: {last_message: {regex: "weather in (?P<city>\\w+)"}, last_role: user}
        tool_calls: [{name: get_weather, arguments: {city: "{city}"}}]

Parsing is strict (unknown keys are errors) and every problem is reported as a
:class:`~agent_runtime.errors.ScriptError` naming the rule index and field.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from agent_runtime.errors import ScriptError

from ._templates import TEMPLATE_NAMES, check_template

__all__ = [
    "DEMO_MODEL",
    "MAX_DELAY_SECONDS",
    "Rule",
    "Script",
    "ScriptSource",
    "TextMatch",
    "When",
    "load_script",
]

#: Model id the offline demo model answers to unless a script lists others.
DEMO_MODEL = "orchestrall-demo"

#: Upper bound of a rule's ``delay_seconds``.
MAX_DELAY_SECONDS = 60

_TOOL_NAME = r"^[A-Za-z0-9_-]{1,64}$"
_ROLES = Literal["system", "developer", "user", "assistant", "tool"]
_TEXT_FIELDS = ("system", "last_message", "task")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextMatch(_Strict):
    """One text test: exactly one of ``contains``, ``equals`` or ``regex``.

    A bare string is shorthand for ``{contains: <string>}``. Matching ignores
    case unless ``ignore_case: false``; ``equals`` ignores surrounding
    whitespace; ``regex`` uses ``re.search`` and its named groups become
    template names.
    """

    contains: str | None = None
    equals: str | None = None
    regex: str | None = Field(default=None, max_length=1000)
    ignore_case: bool = True
    _pattern: re.Pattern[str] | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"contains": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _exactly_one(self) -> TextMatch:
        given = [k for k in ("contains", "equals", "regex") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'contains', 'equals' or 'regex'")
        if self.regex is not None:
            try:
                self._pattern = re.compile(self.regex, re.IGNORECASE if self.ignore_case else 0)
            except re.error as exc:
                raise ValueError(f"invalid regex {self.regex!r}: {exc}") from None
        return self

    @property
    def group_names(self) -> frozenset[str]:
        return frozenset(self._pattern.groupindex) if self._pattern else frozenset()

    def search(self, text: str) -> dict[str, str] | None:
        """Named groups (possibly empty) when ``text`` matches, else ``None``."""
        if self._pattern is not None:
            found = self._pattern.search(text)
            if found is None:
                return None
            return {k: v for k, v in found.groupdict().items() if v is not None}
        fold = str.casefold if self.ignore_case else str
        if self.contains is not None:
            return {} if fold(self.contains) in fold(text) else None
        return {} if fold(str(self.equals).strip()) == fold(text.strip()) else None


class When(_Strict):
    """Conditions of a rule; all given ones must hold. None given = always.

    ``system`` tests the system prompt, ``last_message`` the last message of any
    role, ``task`` the last user message; ``last_role`` the last message's role
    and ``tool_name`` that the last message is a result of that tool.
    """

    system: TextMatch | None = None
    last_message: TextMatch | None = None
    task: TextMatch | None = None
    last_role: _ROLES | None = None
    tool_name: str | None = Field(default=None, pattern=_TOOL_NAME)

    def text_matches(self) -> list[tuple[str, TextMatch]]:
        return [(f, m) for f in _TEXT_FIELDS if (m := getattr(self, f)) is not None]


class ToolCallSpec(_Strict):
    """One scripted call: a tool name and JSON-object arguments (strings are templates)."""

    name: str = Field(pattern=_TOOL_NAME)
    arguments: dict[str, Any] = Field(default_factory=dict)


class Rule(_Strict):
    """``when`` the conditions hold, answer ``content`` or ``tool_calls`` (exactly one).

    ``delay_seconds`` (0 to 60) makes the server wait that long before it
    answers, to simulate a slow model in timeout and cancellation tests.
    """

    name: str | None = None
    when: When = Field(default_factory=When)
    content: str | None = None
    tool_calls: list[ToolCallSpec] | None = Field(default=None, min_length=1)
    once: bool = False
    delay_seconds: float = Field(default=0.0, ge=0, le=MAX_DELAY_SECONDS, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_reply(self) -> Rule:
        if (self.content is None) == (self.tool_calls is None):
            raise ValueError("give exactly one of 'content' or 'tool_calls'")
        return self

    def template_names(self) -> frozenset[str]:
        groups = frozenset().union(*(m.group_names for _, m in self.when.text_matches()))
        return TEMPLATE_NAMES | groups


class Script(_Strict):
    """A versioned list of rules; the first rule whose conditions hold answers."""

    version: Literal[1] = 1
    models: list[str] = Field(default_factory=lambda: [DEMO_MODEL], min_length=1)
    rules: list[Rule] = Field(default_factory=list)


ScriptSource = Script | Mapping[str, Any] | list[Any] | str | os.PathLike[str] | None


def _path(parts: tuple[int | str, ...]) -> str:
    """``tool_calls[0].name`` for ``("tool_calls", 0, "name")``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.startswith("function-"):  # pydantic's validator markers
            out += f".{part}" if out else part
    return out


def _describe(loc: tuple[int | str, ...], rules: list[Any]) -> str:
    """``rules[2] ('weather'), field 'when.system'`` for a pydantic error location."""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        index = loc[1]
        raw = rules[index] if index < len(rules) else None
        name = raw.get("name") if isinstance(raw, Mapping) else None
        where = f"rules[{index}]" + (f" ({name!r})" if isinstance(name, str) else "")
        field = _path(loc[2:])
        return f"{where}, field '{field}'" if field else where
    return f"field '{_path(loc)}'" if loc else "script"


def _template_strings(value: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in _template_strings(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _template_strings(v, f"{path}[{i}]")]
    return []


def _check_templates(script: Script) -> None:
    for index, rule in enumerate(script.rules):
        where = f"rules[{index}]" + (f" ({rule.name!r})" if rule.name else "")
        for field, match in rule.when.text_matches():
            clash = match.group_names & TEMPLATE_NAMES
            if clash:
                raise ScriptError(
                    f"Invalid model script: {where}, field 'when.{field}.regex': group name"
                    f" {sorted(clash)[0]!r} is reserved for a built-in template name"
                )
        texts = [("content", rule.content)] if rule.content is not None else []
        for i, call in enumerate(rule.tool_calls or []):
            texts += _template_strings(call.arguments, f"tool_calls[{i}].arguments")
        for field, text in texts:
            try:
                check_template(text, rule.template_names())
            except ValueError as exc:
                raise ScriptError(
                    f"Invalid model script: {where}, field '{field}': {exc}"
                ) from None


def parse_script(data: Any) -> Script:
    """Validate already-loaded script data (a mapping, or a bare list of rules)."""
    if isinstance(data, list):
        data = {"rules": data}
    if not isinstance(data, Mapping):
        raise ScriptError("Invalid model script: expected a mapping with a 'rules' list")
    rules = data.get("rules") if isinstance(data.get("rules"), list) else []
    try:
        script = Script.model_validate(dict(data))
    except ValidationError as exc:
        problems = [
            f"{_describe(tuple(e['loc']), rules)}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors(include_url=False)
        ]
        raise ScriptError("Invalid model script: " + "; ".join(problems)) from None
    _check_templates(script)
    return script


def _read_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScriptError(f"Cannot read model script {path}: {exc.strerror or exc}") from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ScriptError(f"Model script {path} is not valid JSON/YAML: {exc}") from None


def load_script(source: ScriptSource = None) -> Script:
    """A :class:`Script` from a file path (``.json``, else YAML), data, a script or ``None``.

    ``None`` gives the empty script (only the default answer). Raises
    :class:`~agent_runtime.errors.ScriptError` for anything malformed.
    """
    if source is None:
        return Script()
    if isinstance(source, Script):
        return source
    if isinstance(source, str | os.PathLike):
        return parse_script(_read_file(Path(source)))
    return parse_script(source)
