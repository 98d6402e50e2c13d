"""Run options: how one run is asked to run beyond its saved spec.

    options = run_options(model={"provider": "openai", "model": "gpt-4o-mini", ...})
    spec = with_run_options(spec, options)   # the spec this run executes

Today the one option is ``model``: every model call of the run (agents and LLM
routers) goes to that model instead of the ones the spec names. The saved spec
is never changed; the run keeps its options, so a worker and a replay see them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pydantic

from agent_runtime.errors import RunError
from agent_runtime.spec import ModelSpec

__all__ = ["RUN_MODEL_ID", "run_options", "with_run_options"]

RUN_MODEL_ID = "run_model"


def run_options(*, model: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """Checked, JSON-ready options for a run; None when there are none.

    ``model`` is a ``ModelSpec`` without an id (secrets by name only); a wrong
    one raises ``RunError`` (code ``bad_model``) saying what is wrong.
    """
    if model is None:
        return None
    try:
        spec = ModelSpec.model_validate({**model, "id": RUN_MODEL_ID}, strict=False)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "model"
        raise RunError(
            f"The model chosen for this run is not right: {where}: {first['msg']}.",
            code="bad_model",
        ) from exc
    return {"model": spec.model_dump(mode="json", exclude_none=True)}


def with_run_options(spec: Mapping[str, Any], options: Mapping[str, Any] | None) -> dict[str, Any]:
    """``spec`` as this run executes it (a new dict; ``spec`` itself is not changed)."""
    if not options or not options.get("model"):
        return dict(spec)
    chosen = {**options["model"], "id": RUN_MODEL_ID}
    models = [m for m in spec.get("models", []) if m.get("id") != RUN_MODEL_ID]
    nodes = [
        {k: v for k, v in node.items() if k != "model"} if isinstance(node, Mapping) else node
        for node in spec.get("nodes", [])
    ]
    return {**spec, "models": [*models, chosen], "default_model": RUN_MODEL_ID, "nodes": nodes}
