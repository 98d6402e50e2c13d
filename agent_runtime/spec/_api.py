"""Entry points around the models: parse, load, create, hash and publish the schema."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from agent_runtime.errors import SpecParseError, SpecValidationError
from agent_runtime.spec._migrate import migrate
from agent_runtime.spec._models import SCHEMA_VERSION, GraphSpec
from agent_runtime.spec._validate import validate

MAX_SPEC_BYTES = 5 * 1024 * 1024
"""Specs larger than this are refused before parsing."""

DEMO_MODEL_ID = "demo"


def parse_spec(data: Any) -> GraphSpec:
    """A valid GraphSpec from a spec dict (migrated first), or SpecError with every problem."""
    upgraded = migrate(data)
    problems = validate(upgraded)
    if problems:
        raise SpecValidationError(problems)
    return GraphSpec.model_validate(upgraded)


def loads_spec(text: str | bytes, *, source: str = "input") -> Any:
    """Decode spec JSON text; a size or syntax problem is a one-line SpecParseError."""
    size = len(text.encode() if isinstance(text, str) else text)
    if size > MAX_SPEC_BYTES:
        raise SpecParseError(
            f"{source}: {size / 1e6:.1f} MB is too large; "
            f"graph specs are limited to {MAX_SPEC_BYTES // 2**20} MB."
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SpecParseError(f"{source}: not UTF-8 text.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecParseError(
            f"{source}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None


def load_spec_file(path: str | Path) -> Any:
    """Read and decode a spec file (no validation); errors are one-line SpecParseErrors."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise SpecParseError(
                f"{path}: larger than the {MAX_SPEC_BYTES // 2**20} MB limit for graph specs."
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecParseError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise SpecParseError(f"{path}: a directory, not a spec file.") from None
    except PermissionError:
        raise SpecParseError(f"{path}: permission denied.") from None
    return loads_spec(raw, source=str(path))


def new_graph_spec(name: str, description: str = "") -> dict[str, Any]:
    """A minimal valid spec: input → output, with the offline demo model as default."""
    return {
        "schema_version": SCHEMA_VERSION,
        "name": name,
        "description": description,
        "default_model": DEMO_MODEL_ID,
        "models": [{"id": DEMO_MODEL_ID, "provider": "demo", "model": "orchestrall-demo"}],
        "tools": [],
        "memories": [],
        "nodes": [
            {"id": "input", "kind": "input", "label": "Input"},
            {"id": "output", "kind": "output", "label": "Output"},
        ],
        "edges": [{"id": "e-input-output", "source": "input", "target": "output"}],
        "limits": {"max_steps": 25, "timeout_seconds": 120, "max_tokens": 50000},
        "layout": {"positions": {"input": {"x": 0, "y": 0}, "output": {"x": 320, "y": 0}}},
    }


def canonical_json(data: Any) -> str:
    """Deterministic JSON text (sorted keys, no spaces) for hashing and comparison."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def spec_hash(data: dict[str, Any] | GraphSpec, *, include_layout: bool = True) -> str:
    """sha256 of the canonical spec; without layout it identifies what runs."""
    if isinstance(data, GraphSpec):
        data = data.model_dump(mode="json")
    if not include_layout:
        data = {k: v for k, v in data.items() if k != "layout"}
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def spec_json_schema() -> dict[str, Any]:
    """The published JSON Schema of graph spec v1, generated from the models."""
    schema = GraphSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://orchestrall.dev/schema/graph-spec/v{SCHEMA_VERSION}.json"
    schema["title"] = "Orchestrall graph spec"
    return schema
