"""Chunking: a document's text cut into overlapping pieces at natural boundaries.

    chunks = chunk_text(text)            # [Chunk(index, start, text), ...]

The policy (``docs/memory.md``):

1. Paragraphs are runs of text between blank lines. A paragraph of at most
   ``max_chars`` (800) is one unit; a longer one is cut into sentences (after
   ``.``, ``!`` or ``?`` and a space), and a sentence still longer than
   ``max_chars`` into pieces that end at a space.
2. Units are packed in order into chunks of at most ``max_chars``, so a chunk
   ends at a paragraph boundary when paragraphs are short, else at a sentence.
3. Each chunk after the first starts with the last units of the previous one
   that fit in ``overlap`` (150) characters, so a fact cut at a boundary is
   still whole in one chunk. A unit longer than that is not repeated.

A chunk is an exact slice of the (normalised) text, so ``start`` locates it.
800 characters is about 180 tokens of English, inside all-MiniLM-L6-v2's window
of 256 tokens (longer input is truncated by the model, and lost).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DEFAULT_MAX_CHARS", "DEFAULT_OVERLAP", "Chunk", "chunk_text", "normalise_text"]

DEFAULT_MAX_CHARS = 800
DEFAULT_OVERLAP = 150

_PARAGRAPH = re.compile(r"\S(?:[^\n]|\n(?![ \t]*\n))*")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+")


@dataclass(frozen=True)
class Chunk:
    """One piece of a document: its position, where it starts in the text, its text."""

    index: int
    start: int
    text: str


def normalise_text(text: str) -> str:
    """Unix newlines, no trailing spaces on lines, at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = re.sub(r"[ \t\f\v]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _pieces(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """[start, end) cut at spaces into pieces of at most ``max_chars`` (hard cut if none)."""
    spans = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + 1, start + max_chars + 1)
        if cut <= start:
            cut = start + max_chars
        spans.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        spans.append((start, end))
    return spans


def _units(text: str, max_chars: int) -> list[tuple[int, int]]:
    """The spans chunks are made of: paragraphs, or sentences (or pieces) of long ones."""
    units: list[tuple[int, int]] = []
    for paragraph in _PARAGRAPH.finditer(text):
        start, end = paragraph.span()
        end = start + len(paragraph.group().rstrip())
        if end - start <= max_chars:
            units.append((start, end))
            continue
        cuts = [m.end() for m in _SENTENCE_END.finditer(text, start, end)]
        for left, right in zip([start, *cuts], [*cuts, end], strict=True):
            right = left + len(text[left:right].rstrip())
            if right > left:
                units.extend(_pieces(text, left, right, max_chars))
    return units


def chunk_text(
    text: str, *, max_chars: int = DEFAULT_MAX_CHARS, overlap: int = DEFAULT_OVERLAP
) -> list[Chunk]:
    """``text`` (normalised first) in chunks of at most ``max_chars``; see the module doc."""
    if max_chars < 50 or not 0 <= overlap < max_chars // 2:
        raise ValueError("max_chars must be >= 50 and overlap in [0, max_chars / 2)")
    text = normalise_text(text)
    units = _units(text, max_chars)
    groups: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for unit in units:
        if current and unit[1] - current[0][0] > max_chars:
            groups.append(current)
            tail: list[tuple[int, int]] = []
            for previous in reversed(current[1:] if len(current) > 1 else []):
                if current[-1][1] - previous[0] > overlap:
                    break
                tail.insert(0, previous)
            current = tail if tail and unit[1] - tail[0][0] <= max_chars else []
        current.append(unit)
    if current:
        groups.append(current)
    return [
        Chunk(index, group[0][0], text[group[0][0] : group[-1][1]])
        for index, group in enumerate(groups)
    ]
