"""Template bundles as the marketplace pages share them: one JSON file down, one file up.

    file = bundle_file("meeting-notes")     # BundleFile: meeting-notes.orchestrall-template.json
    done = import_bundle_file(name, data)    # ImportedView: slug, title, versions added

A download is the template with every version (``Marketplace.export_bundle``),
refused (``secret_in_template``) if this instance's secret values appear in it. An
upload goes through ``read_bundle``/``import_bundle``: nothing in it is run, and a
refusal is a ``TemplateError`` whose message can be shown as is (``code``:
``bundle_tampered``, ``bundle_malformed``, ``bundle_format``, ``bundle_too_large``,
``bundle_spec_invalid``, ``secret_in_template``, ``slug_taken``,
``bundle_nothing_new``; ``bundle_not_json`` for a file that is not a ``.json``).

Blocking (database; an import compiles each new version on every backend): call
them from a background event, in a thread.
"""

from __future__ import annotations

import dataclasses

from agent_runtime.errors import NotFoundError, TemplateError
from app.services import marketplace as marketplace_service
from marketplace import MAX_BUNDLE_BYTES, read_bundle, version_key

__all__ = [
    "BUNDLE_SUFFIX",
    "MAX_BUNDLE_BYTES",
    "MAX_BUNDLE_TEXT",
    "BundleFile",
    "ImportedView",
    "bundle_file",
    "bundle_filename",
    "import_bundle_file",
]

BUNDLE_SUFFIX = ".orchestrall-template.json"
MAX_BUNDLE_TEXT = f"{MAX_BUNDLE_BYTES // 2**20} MB"


@dataclasses.dataclass(frozen=True)
class BundleFile:
    """A bundle to download: its file name and its bytes (UTF-8 JSON)."""

    filename: str
    data: bytes


@dataclasses.dataclass(frozen=True)
class ImportedView:
    """What an import stored: the template's slug and title, and the versions added."""

    slug: str
    title: str
    versions: list[str]  # oldest first
    message: str  # "Imported Meeting notes (2 versions)."


def bundle_filename(slug: str) -> str:
    return f"{slug}{BUNDLE_SUFFIX}"


def bundle_file(slug: str) -> BundleFile:
    """The template ``slug`` with all its versions, as a file to download."""
    data = marketplace_service.exporting_market().export_bundle(slug)
    return BundleFile(bundle_filename(slug), data)


def import_bundle_file(filename: str, data: bytes) -> ImportedView:
    """Store the bundle file's template (or its versions newer than the stored ones)."""
    if not filename.lower().endswith(".json"):
        raise TemplateError(
            f"{filename or 'The file'} is not a bundle: a bundle is a .json file "
            f"(such as my-template{BUNDLE_SUFFIX}).",
            code="bundle_not_json",
        )
    meta, releases = read_bundle(bytes(data))  # refuses early, before any compiling
    market = marketplace_service.shared_market()
    try:
        latest = version_key(market.card(meta.slug).latest_version)
    except NotFoundError:
        latest = None
    slug = market.import_bundle(bytes(data))
    title = market.card(slug).title
    added = [
        release.version
        for release, _ in releases
        if latest is None or version_key(release.version) > latest
    ]
    count = f"{len(added)} version" + ("" if len(added) == 1 else "s")
    return ImportedView(slug, title, added, f"Imported {title} ({count}).")
