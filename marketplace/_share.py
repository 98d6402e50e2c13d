"""What leaves this instance when a template is shared: the bundle, checked for secrets.

    bundle = make_bundle(meta, [release])          # the JSON-ready dict, exactly as shared
    find_secrets(spec, known={"OPENAI_API_KEY": "sk-..."})   # [] or what looks like a secret

A spec refers to secrets by *name* only (``api_key_secret``, ``header_secrets``);
``find_secrets`` looks for values anyway: this instance's own stored secret
values anywhere in the text, well-known key shapes (OpenAI, AWS, GitHub, Slack,
Google, JWTs, private keys, bearer tokens), credentials inside URLs, and
literal values under key-like names (``api_key``, ``password``, ``token`` ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from marketplace._model import Release, TemplateMeta

__all__ = ["BUNDLE_FORMAT", "BUNDLE_FORMAT_VERSION", "find_secrets", "make_bundle"]

BUNDLE_FORMAT = "orchestrall-template-bundle"
BUNDLE_FORMAT_VERSION = 1

_SHAPES = {
    "an OpenAI key": re.compile(r"\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}"),
    "an AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"),
    "a Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "a Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}"),
    "a JSON web token": re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\."),
    "a private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "a bearer token": re.compile(r"\bBearer\s+[A-Za-z0-9._~+/-]{20,}"),
    "a password in a URL": re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.I),
}
_KEYLIKE = re.compile(r"(?:api[_-]?key|password|passwd|secret|token|authorization)$", re.I)
_NAME_FIELDS = {"api_key_secret"}
"""Fields whose value is a secret's *name*, which is what a spec should hold."""


def _strings(value: Any, path: str = "$") -> Iterator[tuple[str, str, str | None]]:
    """(path, text, key it sits under) for every string in ``value``, keys included."""
    if isinstance(value, str):
        yield path, value, None
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield f"{path}.{key}", str(key), None
            if isinstance(item, str):
                yield f"{path}.{key}", item, str(key)
            else:
                yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")


def find_secrets(value: Any, *, known: Mapping[str, str] | None = None) -> list[str]:
    """What in ``value`` (a spec, a bundle) looks like a secret: one line each, no values."""
    found: list[str] = []
    values = {name: v for name, v in (known or {}).items() if v and len(v) >= 6}
    for path, text, key in _strings(value):
        for name, secret in values.items():
            if secret in text:
                found.append(f"{path} contains the value of the secret {name}")
        for what, shape in _SHAPES.items():
            if shape.search(text):
                found.append(f"{path} contains what looks like {what}")
        literal = key and key not in _NAME_FIELDS and _KEYLIKE.search(key) and text.strip()
        if literal and "header_secrets" not in path:
            found.append(f"{path} holds a literal value under the key-like name {key!r}")
    return sorted(set(found))


def make_bundle(meta: TemplateMeta, releases: Sequence[tuple[Release, str]]) -> dict[str, Any]:
    """The shareable bundle of a template: metadata and releases, each with its content hash.

    ``releases``: (release, content hash) pairs, oldest first.
    """
    return {
        "format": BUNDLE_FORMAT,
        "format_version": BUNDLE_FORMAT_VERSION,
        "template": meta.model_dump(mode="json"),
        "releases": [
            {**release.model_dump(mode="json"), "content_hash": content_hash}
            for release, content_hash in releases
        ],
    }
