"""State of the marketplace's "Import bundle" dialog: one .json bundle file in.

The upload handler only reads the file; a background event imports it (checking it
fully and compiling each new version on every backend takes seconds). A refusal is
shown in the dialog as the service words it; an import opens the template's page.
"""

from __future__ import annotations

import asyncio
import itertools
import threading

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.paths import template_path
from app.services import marketplace_bundles
from app.services.marketplace_bundles import MAX_BUNDLE_BYTES, MAX_BUNDLE_TEXT

UPLOAD_ID = "bundle-upload"

# Files read by the upload handler, waiting for ``import_staged``: key -> (name, bytes).
# Process-local (like the knowledge page's uploads); never in the (serialised) state.
_staged: dict[str, tuple[str, bytes]] = {}
_staged_lock = threading.Lock()
_keys = itertools.count(1)

_REJECTIONS = {
    "file-too-large": f"it is larger than {MAX_BUNDLE_TEXT}, the limit for a bundle",
    "file-invalid-type": "it is not a .json file",
    "too-many-files": "choose one bundle file at a time",
}


def _rejection(rejected: list[str]) -> str:
    """Why the drop zone refused the files (each ``path|code,code``), in words."""
    parts = []
    for record in rejected or []:
        path, _, codes = str(record).rpartition("|")
        name = path.removeprefix("./") or "The file"
        why = "; ".join(_REJECTIONS.get(c, c) for c in codes.split(",") if c)
        parts.append(f"{name}: {why or 'it cannot be read'}.")
    return "Not imported. " + " ".join(parts)


class BundleImportState(rx.State):
    """The dialog: open or not, the file being imported, and why one was refused."""

    open: bool = False
    importing: bool = False
    filename: str = ""
    error: str = ""
    _staged_key: str = ""

    @rx.event
    def set_open(self, value: bool):
        if self.importing:
            return  # stays open until the import ends
        self.open, self.error, self.filename = bool(value), "", ""

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]):
        """Read the chosen file; ``import_staged`` imports it."""
        if self.importing or not files:
            return None
        file = files[0]
        name = file.name or file.filename or "bundle.json"
        data = await file.read(MAX_BUNDLE_BYTES + 1)
        key = f"b{next(_keys)}"
        with _staged_lock:
            _staged[key] = (name, data)
        self.filename, self.error, self.importing, self._staged_key = name, "", True, key
        return BundleImportState.import_staged

    @rx.event
    def upload_rejected(self, rejected: list[str]):
        """Files the drop zone refused (too large, not .json, several): ``path|codes``."""
        self.error = _rejection(rejected)

    @rx.event(background=True)
    async def import_staged(self):
        async with self:
            key, self._staged_key = self._staged_key, ""
        with _staged_lock:
            name, data = _staged.pop(key, ("", b""))
        try:
            done = await asyncio.to_thread(marketplace_bundles.import_bundle_file, name, data)
        except OrchestrallError as exc:
            async with self:
                self.importing, self.error = False, f"{name} was not imported: {exc.message}"
            return None
        async with self:
            self.importing, self.open, self.filename = False, False, ""
        return [rx.redirect(template_path(done.slug)), rx.toast.success(done.message)]
