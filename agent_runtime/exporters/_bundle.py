"""What an export is (files by relative path, plus notes), and the text helpers exporters share.

Everything a spec supplies reaches generated code only through ``py_str`` (a
Python string literal), ``identifier`` (a checked Python name) or a JSON/YAML
serialiser, so no spec text can break out of a literal into code.
"""

from __future__ import annotations

import io
import json
import keyword
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from agent_runtime.errors import ExportError

DEMO_BASE_URL = "http://127.0.0.1:8765/v1"
"""Where ``orchestrall model-server`` answers by default."""
DEMO_BASE_URL_ENV = "ORCHESTRALL_DEFAULT_BASE_URL"
"""The environment variable generated code reads the demo model's URL from (the app's own)."""


@dataclass(frozen=True)
class ExportOptions:
    """Choices an export takes besides the spec.

    ``demo_base_url`` is where the offline demo model answers: the default in
    generated Python (overridable by ``ORCHESTRALL_DEFAULT_BASE_URL``) and the
    literal URL in AutoGen JSON, which cannot read environment variables.
    """

    demo_base_url: str = DEMO_BASE_URL


@dataclass(frozen=True)
class ExportBundle:
    """An export: ``files`` maps a relative POSIX path to its text; ``notes`` are for the user."""

    target: str
    files: dict[str, str]
    notes: tuple[str, ...] = field(default=())

    @property
    def main_file(self) -> str:
        """The file to open first (the only one for json and autogen)."""
        return next(iter(self.files))

    def write(self, directory: str | Path) -> list[Path]:
        """Write every file under ``directory`` (created if needed); the paths written."""
        root = Path(directory)
        written = []
        for relative, text in self.files.items():
            path = root.joinpath(*PurePosixPath(relative).parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        return written

    def zip_bytes(self, folder: str = "") -> bytes:
        """The files as a zip archive (inside ``folder``/ when given), deterministic."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for relative, text in self.files.items():
                name = f"{folder}/{relative}" if folder else relative
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, text.encode("utf-8"))
        return buffer.getvalue()


_NOT_NAME = re.compile(r"[^0-9A-Za-z_]+")


def identifier(text: str, *, fallback: str = "item", taken: set[str] | None = None) -> str:
    """A Python identifier made from ``text`` (lower-case not forced); unique within ``taken``."""
    name = _NOT_NAME.sub("_", text).strip("_") or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    if taken is not None:
        base, n = name, 2
        while name in taken:
            name = f"{base}_{n}"
            n += 1
        taken.add(name)
    return name


def snake_name(text: str, *, fallback: str = "graph") -> str:
    """A lower-case snake_case name for packages and files (``Research crew`` → research_crew)."""
    return identifier(text.lower(), fallback=fallback)[:60].rstrip("_") or fallback


def class_name(text: str, *, fallback: str = "Graph") -> str:
    """A CamelCase class name (``research crew`` → ResearchCrew)."""
    words = [w for w in _NOT_NAME.split(text) if w]
    name = "".join(w[:1].upper() + w[1:] for w in words)[:60] or fallback
    return name if name[0].isalpha() else fallback + name


def constant_name(text: str, *, taken: set[str] | None = None) -> str:
    """An UPPER_SNAKE module constant name."""
    return identifier(text.upper(), fallback="VALUE", taken=taken)


def lit(value: Any) -> str:
    """A Python literal of a JSON-like value, strings in double quotes (as ruff formats them)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=not value.isprintable())
    if isinstance(value, list | tuple):
        items = ", ".join(lit(v) for v in value)
        return (
            f"({items},)"
            if isinstance(value, tuple) and len(value) == 1
            else (f"({items})" if isinstance(value, tuple) else f"[{items}]")
        )
    if isinstance(value, dict):
        return "{" + ", ".join(f"{lit(k)}: {lit(v)}" for k, v in value.items()) + "}"
    return repr(value)  # numbers, booleans, None


def py_str(text: str) -> str:
    """A Python string literal for ``text``: triple quotes when that is safe, else ``lit``.

    Triple quotes keep prompts and docstrings readable; they are used only for
    printable text without backslashes or quote runs that could end the literal.
    """
    safe = (
        '"""' not in text
        and "\\" not in text
        and not text.endswith('"')
        and all(ch == "\n" or ch.isprintable() for ch in text)
    )
    return '"""' + text + '"""' if safe else lit(text)


def docstring(summary: str, details: list[str] = (), *, indent: str = "    ") -> str:
    """A docstring literal: the summary line, then indented detail lines when there are any."""
    if not details:
        return py_str(summary)
    body = "\n".join(f"{indent}{line}" if line else "" for line in details)
    return py_str(f"{summary}\n\n{body}\n{indent}")


def refuse(target: str, problems: list[tuple[str, str]]) -> ExportError:
    """One ExportError naming every (node id, what) the target cannot express."""
    parts = [f"node '{node}' {what}" if node else what for node, what in problems]
    return ExportError(
        f"The {target} export cannot express this graph: " + "; ".join(parts) + ".",
        node_ids=tuple(dict.fromkeys(node for node, _ in problems if node)),
    )
