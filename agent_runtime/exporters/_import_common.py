"""What the importers share: size limits, safe decoding, and building a straight-path spec.

Decoding never runs anything: JSON with ``json``, YAML with a safe loader that
also refuses anchors and aliases (no "billion laughs"). Every problem is an
``ImportFormatError`` whose message names the file and the part that is wrong.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from agent_runtime.errors import ImportFormatError
from agent_runtime.spec import DEMO_MODEL_ID, SCHEMA_VERSION, auto_layout, validate

MAX_IMPORT_BYTES = 5 * 1024 * 1024
"""A file to import may be at most this large (as graph specs)."""
MAX_AGENTS = 100
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class ImportResult:
    """An imported graph: a valid spec dict, what kind of file it came from, and warnings."""

    spec: dict[str, Any]
    format: str  # "autogen", "crewai" or "spec"
    warnings: tuple[str, ...] = field(default=())


def decode_text(data: str | bytes, source: str) -> str:
    """UTF-8 text of an uploaded file, within the size limit."""
    size = len(data.encode() if isinstance(data, str) else data)
    if size > MAX_IMPORT_BYTES:
        raise ImportFormatError(
            f"{source}: {size / 1e6:.1f} MB is too large; "
            f"files to import are limited to {MAX_IMPORT_BYTES // 2**20} MB."
        )
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFormatError(f"{source}: not UTF-8 text.") from None


def load_json(data: str | bytes, source: str) -> Any:
    text = decode_text(data, source)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{source}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise ImportFormatError(f"{source}: nested too deeply.") from None


class _NoAliasLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses anchors and aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent) or getattr(self.peek_event(), "anchor", None):
            event = self.peek_event()
            raise yaml.YAMLError(
                f"anchors and aliases (&, *) are not accepted (line {event.start_mark.line + 1})"
            )
        return super().compose_node(parent, index)


def load_yaml(data: str | bytes, source: str) -> Any:
    text = decode_text(data, source)
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ImportFormatError(f"{source}: not valid YAML: {_yaml_problem(exc)}.") from None
    except RecursionError:
        raise ImportFormatError(f"{source}: nested too deeply.") from None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{problem} at line {mark.line + 1}" if mark is not None else problem


def text_field(data: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    """A string field (missing → "" unless required); anything else is a clear error."""
    value = data.get(key)
    if value is None:
        if required:
            raise ImportFormatError(f"{where}: '{key}' is missing.")
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ImportFormatError(f"{where}: '{key}' must be text, not {type(value).__name__}.")
    return value.strip()


def fresh_id(text: str, taken: set[str], fallback: str) -> str:
    """A spec id made from ``text``, unique within ``taken`` (which it joins)."""
    base = _NOT_ID.sub("-", text).strip("-_")[:56] or fallback
    if not base[0].isalpha():
        base = f"{fallback}-{base}"[:56]
    candidate, n = base, 2
    while candidate in taken or not _ID.match(candidate):
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def straight_spec(
    name: str,
    description: str,
    *,
    models: list[dict[str, Any]],
    tools: list[dict[str, Any]],
    steps: list[dict[str, Any]],
    fields: list[str] | None = None,
    source: str,
) -> dict[str, Any]:
    """A valid spec: input → steps in order → output (ImportFormatError listing problems).

    Agent steps name their ``model``; the one most of them use becomes the default.
    """
    if not steps:
        raise ImportFormatError(f"{source}: there are no agents to import.")
    if len(steps) > MAX_AGENTS:
        raise ImportFormatError(f"{source}: more than {MAX_AGENTS} agents.")
    input_node: dict[str, Any] = {"id": "input", "kind": "input", "label": "Input"}
    if fields and fields != ["message"]:
        input_node["fields"] = [{"name": f, "type": "text"} for f in fields]
    chain = [input_node, *steps, {"id": "output", "kind": "output", "label": "Output"}]
    edges = [
        {"id": f"e{i}", "source": a["id"], "target": b["id"]}
        for i, (a, b) in enumerate(itertools.pairwise(chain), start=1)
    ]
    default_model = _default_model(steps)
    used = {default_model} | {s["model"] for s in steps if s.get("model")}
    if DEMO_MODEL_ID in used and not any(m["id"] == DEMO_MODEL_ID for m in models):
        models = [{"id": DEMO_MODEL_ID, "provider": "demo", "model": "orchestrall-demo"}, *models]
    spec = {
        "schema_version": SCHEMA_VERSION,
        "name": (name.strip() or "Imported graph")[:200],
        "description": description[:5000],
        "default_model": default_model,
        "models": [m for m in models if m["id"] in used],
        "tools": tools,
        "memories": [],
        "nodes": chain,
        "edges": edges,
    }
    spec = auto_layout(spec)
    problems = validate(spec)
    if problems:
        listed = "; ".join(p.one_line() for p in problems[:3])
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        raise ImportFormatError(f"{source}: cannot be imported as a graph: {listed}{more}")
    return spec


def _default_model(steps: list[dict[str, Any]]) -> str:
    """The model most agents use becomes the default; their ``model`` fields are dropped."""
    counts: dict[str, int] = {}
    for step in steps:
        if step.get("model"):
            counts[step["model"]] = counts.get(step["model"], 0) + 1
    if not counts:
        return DEMO_MODEL_ID
    default = max(counts, key=lambda m: counts[m])
    for step in steps:
        if step.get("model") == default:
            del step["model"]
    return default


class ModelCatalog:
    """The models an import declares, one per distinct configuration, with readable ids."""

    def __init__(self) -> None:
        self.models: list[dict[str, Any]] = []
        self._ids: set[str] = {DEMO_MODEL_ID}

    def add(self, **fields: Any) -> str:
        """The id of the model with these fields (added if new); demo models are ``demo``."""
        fields = {k: v for k, v in fields.items() if v is not None}
        for model in self.models:
            if {k: v for k, v in model.items() if k != "id"} == fields:
                return model["id"]
        if fields.get("provider") == "demo":
            model_id = DEMO_MODEL_ID
        else:
            model_id = fresh_id(str(fields.get("model", "model")), self._ids, "model")
        self.models.append({"id": model_id, **fields})
        return model_id
