"""Text out of uploaded documents: plain text, Markdown, HTML and PDF.

    text, content_type = extract_text("notes.md", data)

The type comes from the file name's extension. HTML is reduced to its text
with the standard library's ``html.parser`` (scripts, styles and other
non-content elements dropped; block elements become paragraph breaks). PDF text
comes from pypdf, page by page; a PDF without a text layer (a scan) is refused,
since nothing here does OCR. Nothing in a document is ever executed.
Problems raise ``ImportFormatError`` with a code: ``unsupported_document``,
``unreadable_document`` or ``empty_document``.
"""

from __future__ import annotations

import io
import logging
import re
from html.parser import HTMLParser
from pathlib import PurePath

from agent_runtime.errors import ImportFormatError

__all__ = ["CONTENT_TYPES", "extract_text"]

CONTENT_TYPES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
}

_SKIP = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object"}
_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header",
    "footer", "main", "aside", "nav", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5",
    "h6", "dd", "dt", "dl", "figure", "figcaption", "hr", "title", "body",
}  # fmt: skip


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        collapsed = " ".join(data.split())  # HTML collapses whitespace, newlines included
        if data[:1].isspace():
            collapsed = " " + collapsed
        if data[-1:].isspace() and collapsed.strip():
            collapsed += " "
        self.parts.append(collapsed)


def html_text(markup: str) -> str:
    """The readable text of an HTML page, paragraphs separated by blank lines."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _decode(data: bytes, filename: str) -> str:
    if b"\x00" in data[:8192]:
        raise ImportFormatError(f"{filename} looks binary, not text.", code="unreadable_document")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFormatError(
        f"{filename} is not UTF-8 (or Windows-1252) text.", code="unreadable_document"
    )


def _pdf_text(data: bytes, filename: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable noise
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ImportFormatError(
                f"{filename} is an encrypted PDF; remove the password and upload it again.",
                code="unreadable_document",
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except ImportFormatError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ImportFormatError(
            f"{filename} is not a readable PDF ({type(exc).__name__}).",
            code="unreadable_document",
        ) from exc
    return "\n\n".join(page.strip() for page in pages)


def extract_text(filename: str, data: bytes) -> tuple[str, str]:
    """The text of ``data`` and its content type, by ``filename``'s extension."""
    suffix = PurePath(filename).suffix.lower()
    content_type = CONTENT_TYPES.get(suffix)
    if content_type is None:
        known = ", ".join(sorted(CONTENT_TYPES))
        raise ImportFormatError(
            f"{filename}: cannot read {suffix or 'files without an extension'} files; "
            f"upload one of {known}.",
            code="unsupported_document",
        )
    if content_type == "application/pdf":
        text = _pdf_text(data, filename)
    elif content_type == "text/html":
        text = html_text(_decode(data, filename))
    else:
        text = _decode(data, filename)
    if not text.strip():
        hint = (
            " (a scanned PDF has no text layer; OCR is not supported)" if suffix == ".pdf" else ""
        )
        raise ImportFormatError(f"{filename} contains no text{hint}.", code="empty_document")
    return text, content_type
