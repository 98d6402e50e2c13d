"""Bundles in and out: a template with its releases as one JSON file, read with suspicion.

    data = export_bundle(market, "meeting-notes")          # UTF-8 JSON bytes
    meta, releases = read_bundle(data)                     # every check, nothing stored
    slug = import_bundle(other_market, data)               # stored as origin "imported"

A bundle is only ever parsed as JSON and validated: nothing in it is executed,
imported or written anywhere but the marketplace's tables. ``read_bundle`` refuses,
with a ``TemplateError`` whose ``code`` says why:

    bundle_too_large      more than MAX_BUNDLE_BYTES, or more than MAX_RELEASES releases
    bundle_malformed      not UTF-8 JSON, not an object, duplicate keys, a missing or
                          unknown field, a bad value, versions duplicated or out of order
    bundle_format         not an Orchestrall bundle, or a format version this code cannot read
    bundle_spec_invalid   a release's graph spec does not validate (names version and problems)
    bundle_tampered       a release's content hash is not the hash of its spec
    secret_in_template    something in it looks like a secret
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent_runtime.errors import ConflictError, NotFoundError, TemplateError
from agent_runtime.spec import spec_hash, validate
from marketplace._model import Derived, Release, TemplateMeta, derive, version_key
from marketplace._share import BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, find_secrets

if TYPE_CHECKING:  # pragma: no cover
    from marketplace._market import Marketplace

__all__ = [
    "MAX_BUNDLE_BYTES",
    "MAX_RELEASES",
    "export_bundle",
    "import_bundle",
    "read_bundle",
]

MAX_BUNDLE_BYTES = 5 * 1024 * 1024
MAX_RELEASES = 100
_HASH_PATTERN = r"^[0-9a-f]{64}$"
_IMPORT_ORIGINS = ("imported", "remote")


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    format: str
    format_version: int
    template: dict[str, Any]
    releases: list[dict[str, Any]]


class _BundledRelease(BaseModel):
    """A release as a bundle carries it: the release's fields and its content hash."""

    model_config = ConfigDict(extra="forbid")

    version: str
    changelog: str = ""
    readme: str
    spec: dict[str, Any]
    content_hash: str = Field(pattern=_HASH_PATTERN)


def _malformed(message: str, field: str | None = None) -> TemplateError:
    return TemplateError(
        f"The bundle is malformed: {message}", code="bundle_malformed", field=field
    )


def _path(where: str, loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in (where, *loc) if part != "")


def _pydantic_problems(exc: ValidationError, where: str) -> str:
    """``where.field: what is wrong`` for the first few errors of a pydantic validation."""
    lines = []
    for error in exc.errors()[:3]:
        path = _path(where, error["loc"])
        if error["type"] == "extra_forbidden":
            lines.append(f"{path} is not a field a bundle may have")
        elif error["type"] == "missing":
            lines.append(f"{path} is missing")
        else:
            lines.append(f"{path}: {error['msg']}")
    more = len(exc.errors()) - len(lines)
    return "; ".join(lines) + (f" (+{more} more)" if more > 0 else "")


def _first_field(exc: ValidationError, where: str) -> str:
    return _path(where, exc.errors()[0]["loc"] if exc.errors() else ())


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _malformed(f"the key {key!r} appears twice in one object", field=key)
        seen[key] = value
    return seen


def _no_constants(name: str) -> Any:
    raise _malformed(f"{name} is not a JSON number")


def _parse(data: bytes) -> dict[str, Any]:
    if not isinstance(data, bytes | bytearray):
        raise _malformed("expected the bytes of a JSON file")
    if len(data) > MAX_BUNDLE_BYTES:
        raise TemplateError(
            f"The bundle is {len(data) / 2**20:.1f} MB; bundles are limited to "
            f"{MAX_BUNDLE_BYTES // 2**20} MB.",
            code="bundle_too_large",
        )
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _malformed(f"it is not UTF-8 text (byte {exc.start})") from None
    try:
        parsed = json.loads(
            text.removeprefix("\ufeff"),
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_no_constants,
        )
    except json.JSONDecodeError as exc:
        raise _malformed(f"it is not JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise _malformed("it is nested too deeply") from None
    if not isinstance(parsed, dict):
        raise _malformed(f"expected a JSON object, got {type(parsed).__name__}")
    return parsed


def _check_format(raw: dict[str, Any]) -> None:
    if raw.get("format") != BUNDLE_FORMAT:
        raise TemplateError(
            f'This is not an Orchestrall template bundle ("format" must be "{BUNDLE_FORMAT}").',
            code="bundle_format",
            field="format",
        )
    version = raw.get("format_version")
    if type(version) is not int or version != BUNDLE_FORMAT_VERSION:
        raise TemplateError(
            f"The bundle's format_version is {version!r}; this Orchestrall reads version "
            f"{BUNDLE_FORMAT_VERSION} (a newer bundle needs a newer Orchestrall).",
            code="bundle_format",
            field="format_version",
        )


def _release(raw: dict[str, Any], number: int) -> tuple[Release, str]:
    where = f"releases[{number}]"
    try:
        bundled = _BundledRelease.model_validate(raw)
        release = Release(
            version=bundled.version,
            changelog=bundled.changelog,
            readme=bundled.readme,
            spec=bundled.spec,
        )
    except ValidationError as exc:
        raise _malformed(_pydantic_problems(exc, where), _first_field(exc, where)) from None
    except TemplateError as exc:  # a bad version, from parse_version
        raise _malformed(f"{where}.version: {exc.message}", f"{where}.version") from None
    return release, bundled.content_hash


def _check_release(release: Release, content_hash: str) -> None:
    """The spec validates and is exactly the one its content hash names."""
    problems = validate(release.spec)
    if problems:
        first = "; ".join(p.one_line() for p in problems[:3])
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        raise TemplateError(
            f"Version {release.version} of the bundle has an invalid graph spec "
            f"({len(problems)} problem(s)): {first}{more}",
            code="bundle_spec_invalid",
            field=f"version {release.version}",
        )
    actual = spec_hash(release.spec)
    if actual != content_hash:
        raise TemplateError(
            f"Version {release.version}: content hash mismatch: the bundle was changed after it "
            f"was made (it says {content_hash[:12]}…, its spec hashes to {actual[:12]}…).",
            code="bundle_tampered",
            field=f"version {release.version}",
        )


def read_bundle(data: bytes) -> tuple[TemplateMeta, list[tuple[Release, str]]]:
    """The template and its (release, content hash) pairs, oldest first, after every check.

    Pure: parses JSON and validates; never stores, runs or imports anything.
    """
    raw = _parse(data)
    _check_format(raw)
    try:
        envelope = _Envelope.model_validate(raw)
    except ValidationError as exc:
        raise _malformed(_pydantic_problems(exc, ""), _first_field(exc, "")) from None
    try:
        meta = TemplateMeta.model_validate(envelope.template)
    except ValidationError as exc:
        raise _malformed(
            _pydantic_problems(exc, "template"), _first_field(exc, "template")
        ) from None
    if not envelope.releases:
        raise _malformed("it has no releases", field="releases")
    if len(envelope.releases) > MAX_RELEASES:
        raise TemplateError(
            f"The bundle has {len(envelope.releases)} releases; at most {MAX_RELEASES} are "
            "accepted.",
            code="bundle_too_large",
            field="releases",
        )
    releases = [_release(r, i) for i, r in enumerate(envelope.releases)]
    for (before, _), (after, _) in itertools.pairwise(releases):
        if version_key(after.version) <= version_key(before.version):
            what = (
                f"version {after.version} appears twice"
                if after.version == before.version
                else f"version {after.version} comes after {before.version}"
            )
            raise _malformed(
                f"{what}: releases must be listed oldest first, each version once",
                field="releases",
            )
    for release, content_hash in releases:
        _check_release(release, content_hash)
    found = find_secrets(raw)
    if found:
        raise TemplateError(
            "The bundle carries what looks like a secret: " + "; ".join(found[:5]) + ".",
            code="secret_in_template",
        )
    return meta, releases


def export_bundle(market: Marketplace, slug: str) -> bytes:
    """The template ``slug`` with every version, as pretty UTF-8 JSON (checked for secrets)."""
    bundle = market.bundle(slug)
    found = find_secrets(bundle, known=market._known_secrets)
    if found:
        raise TemplateError(
            f"Refusing to export {slug!r}: " + "; ".join(found[:5]) + ".",
            code="secret_in_template",
        )
    return (json.dumps(bundle, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _stored_versions(market: Marketplace, slug: str) -> tuple[str, str, str] | None:
    """(origin, author, latest version) of a stored template, or None."""
    try:
        card = market.card(slug)
    except NotFoundError:
        return None
    return card.origin, card.author, card.latest_version


def import_bundle(market: Marketplace, data: bytes, origin: str = "imported") -> str:
    """Store a bundle's template, or the releases newer than the stored ones; its slug.

    A slug stored already must have the same origin and author (``slug_taken``
    otherwise); a bundle with nothing newer is ``bundle_nothing_new``. Every new
    release is checked (and compiled on each backend) before anything is stored.
    """
    if origin not in _IMPORT_ORIGINS:
        raise ValueError(f"origin must be one of {_IMPORT_ORIGINS}")
    meta, releases = read_bundle(data)
    stored = _stored_versions(market, meta.slug)
    if stored is not None:
        stored_origin, author, latest = stored
        if stored_origin != origin or author != meta.author:
            raise TemplateError(
                f"A template {meta.slug!r} exists here already ({stored_origin}, by {author}); "
                "this bundle cannot replace it.",
                code="slug_taken",
                field="slug",
            )
        releases = [(r, h) for r, h in releases if version_key(r.version) > version_key(latest)]
        if not releases:
            raise TemplateError(
                f"Nothing new: this instance has {meta.slug} {latest} already, and the bundle "
                "has no later version.",
                code="bundle_nothing_new",
            )
    _store(market, meta, releases, origin)
    return meta.slug


def _store(
    market: Marketplace, meta: TemplateMeta, releases: Sequence[tuple[Release, str]], origin: str
) -> None:
    facts: list[Derived] = [derive(release.spec) for release, _ in releases]  # all, then store
    for (release, _), derived in zip(releases, facts, strict=True):
        try:
            market.add_release(meta, release, origin=origin, derived=derived)
        except ConflictError as exc:  # someone stored the same version meanwhile
            raise TemplateError(exc.message, code="bundle_nothing_new") from exc
