"""What a template is: metadata people write, releases (version, changelog, readme, spec),
and what is derived from a release's spec (supported backends, secret names, content hash).

    meta = TemplateMeta(slug="meeting-notes", title="Meeting notes", summary="...", ...)
    release = Release(version="1.1.0", changelog="...", readme="# ...", spec={...})
    facts = derive(release.spec)   # Derived: backends, secrets, content_hash (valid specs only)

Versions are semantic versions (``MAJOR.MINOR.PATCH``, optional ``-prerelease``),
compared by ``version_key``. Nothing here touches the database or the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent_runtime.errors import SpecValidationError, TemplateError
from agent_runtime.runtime import backend_support, secret_names
from agent_runtime.spec import spec_hash, validate

__all__ = [
    "CATEGORIES",
    "MAX_README_CHARS",
    "Derived",
    "Release",
    "TemplateMeta",
    "derive",
    "parse_version",
    "slugify",
    "version_key",
]

CATEGORIES = (
    "Customer support",
    "Research",
    "Content",
    "Engineering",
    "Sales",
    "Productivity",
    "Knowledge",
    "Operations",
)
Category = Literal[
    "Customer support",
    "Research",
    "Content",
    "Engineering",
    "Sales",
    "Productivity",
    "Knowledge",
    "Operations",
]
MAX_README_CHARS = 50_000
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
TAG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,31}$"
_SEMVER = re.compile(
    r"^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TemplateMeta(_Strict):
    """What people read on a template's card and page (the same for all its versions)."""

    slug: str = Field(pattern=SLUG_PATTERN, description="Its id in URLs and bundles.")
    title: str = Field(min_length=3, max_length=80)
    summary: str = Field(min_length=10, max_length=280)
    category: Category
    tags: list[str] = Field(default_factory=list, max_length=8)
    author: str = Field(min_length=1, max_length=80)

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        clean = [t.strip().lower() for t in tags]
        for tag in clean:
            if not re.match(TAG_PATTERN, tag):
                raise ValueError(
                    f"tag {tag!r} must be lower-case letters, digits and dashes (at most 32)"
                )
        if len(set(clean)) != len(clean):
            raise ValueError("tags must be different from each other")
        return clean


class Release(_Strict):
    """One version of a template: what changed, its readme and its graph spec."""

    version: str = Field(max_length=40)
    changelog: str = Field(default="", max_length=5_000)
    readme: str = Field(min_length=1, max_length=MAX_README_CHARS)
    spec: dict[str, Any]

    @field_validator("version")
    @classmethod
    def _version(cls, version: str) -> str:
        parse_version(version)
        return version


@dataclass(frozen=True)
class Derived:
    """Facts computed from a release's spec, never typed by hand."""

    content_hash: str
    """sha256 of the canonical spec (layout included: it is what is shared)."""
    backends: tuple[str, ...]
    """Backends whose capability check and compile accept the spec."""
    secrets: tuple[str, ...]
    """Names of the secrets the spec refers to (never values)."""


def parse_version(version: str) -> tuple[int, int, int, str | None]:
    """``(major, minor, patch, prerelease)``; ``TemplateError`` (``bad_version``) otherwise."""
    found = _SEMVER.match(version.strip())
    if found is None:
        raise TemplateError(
            f"Version {version!r} is not a semantic version such as 1.0.0 or 1.1.0-beta.1.",
            code="bad_version",
            field="version",
        )
    major, minor, patch, pre = found.groups()
    return int(major), int(minor), int(patch), pre


def version_key(version: str) -> tuple[Any, ...]:
    """A sort key: 1.0.0-beta < 1.0.0 < 1.0.1 < 1.1.0 (prerelease parts compared as semver)."""
    major, minor, patch, pre = parse_version(version)
    if pre is None:
        return (major, minor, patch, 1, ())
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (major, minor, patch, 0, parts)


def slugify(title: str) -> str:
    """A slug from a title: lower case, words joined by dashes (may still need to be unique)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:64].strip("-")
    return slug or "template"


def derive(spec: dict[str, Any]) -> Derived:
    """Hash, supported backends and secret names of a spec; an invalid spec is refused.

    Blocking (compiles the spec on each backend): call it from a thread in async code.
    """
    problems = validate(spec)
    if problems:
        raise SpecValidationError(problems)
    support = backend_support(spec)
    backends = tuple(name for name, why in support.items() if why is None)
    if not backends:
        raise TemplateError(
            "No backend can run this graph: " + " ".join(str(w) for w in support.values()),
            code="no_backend",
        )
    return Derived(spec_hash(spec), backends, tuple(secret_names(spec)))
