"""JSON export: the graph spec itself, pretty-printed (what the builder's Export downloads)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from agent_runtime.exporters._bundle import ExportBundle, snake_name


def export_json(spec: Mapping[str, Any]) -> ExportBundle:
    """``<name>.json`` holding ``spec`` exactly (a draft with problems is exported as it is)."""
    text = json.dumps(dict(spec), indent=2, ensure_ascii=False) + "\n"
    name = spec.get("name") if isinstance(spec.get("name"), str) else ""
    return ExportBundle("json", {f"{snake_name(name or 'graph')}.json": text})
