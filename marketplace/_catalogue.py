"""The catalogue bundled with Orchestrall: one folder per template under ``catalogue/``.

    marketplace/catalogue/<slug>/
        template.json   {"title", "summary", "category", "tags", "author", "version", "changelog"}
        README.md       the readme (Markdown)
        spec.json       the graph spec

``bundled_templates()`` reads and checks them all (metadata, version, readme and a
valid spec); a broken folder raises ``TemplateError`` naming it, so a bad template
never ships silently (a test loads the whole catalogue).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from agent_runtime.errors import TemplateError
from marketplace._model import Release, TemplateMeta

__all__ = ["CATALOGUE_DIR", "BundledTemplate", "bundled_templates"]

CATALOGUE_DIR = Path(__file__).with_name("catalogue")
_RELEASE_KEYS = ("version", "changelog")


@dataclass(frozen=True)
class BundledTemplate:
    meta: TemplateMeta
    release: Release


def _load(folder: Path) -> BundledTemplate:
    try:
        info = json.loads((folder / "template.json").read_text(encoding="utf-8"))
        spec = json.loads((folder / "spec.json").read_text(encoding="utf-8"))
        readme = (folder / "README.md").read_text(encoding="utf-8")
        release = {k: info.pop(k) for k in _RELEASE_KEYS if k in info}
        meta = TemplateMeta(slug=folder.name, **info)
        return BundledTemplate(meta, Release(**release, readme=readme, spec=spec))
    except (OSError, ValueError, TypeError, ValidationError) as exc:
        raise TemplateError(
            f"Bundled template {folder.name!r} is broken: {exc}", code="bundled_template_broken"
        ) from exc


@functools.cache
def bundled_templates() -> tuple[BundledTemplate, ...]:
    """Every bundled template, by slug."""
    folders = sorted(p for p in CATALOGUE_DIR.iterdir() if (p / "template.json").is_file())
    return tuple(_load(folder) for folder in folders)
