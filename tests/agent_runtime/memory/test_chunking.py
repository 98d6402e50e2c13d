"""Chunking: at most 800 characters, paragraph then sentence boundaries, a small overlap."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent_runtime.memory import chunk_text
from agent_runtime.memory._chunking import normalise_text


def test_short_text_is_one_chunk() -> None:
    (chunk,) = chunk_text("  Cats sleep a lot.\r\n\r\n\r\nThey purr.  ")
    assert chunk.text == "Cats sleep a lot.\n\nThey purr."
    assert (chunk.index, chunk.start) == (0, 0)


def test_chunks_end_at_paragraphs_when_paragraphs_are_short() -> None:
    paragraphs = [f"Paragraph {i}. " + "Some words here. " * 12 for i in range(8)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    chunks = chunk_text(text)
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk.text) <= 800
        assert chunk.text.startswith("Paragraph ")  # never starts mid-paragraph
        assert chunk.text.endswith("here.")


def test_a_long_paragraph_is_cut_at_sentences_with_overlap() -> None:
    sentences = [f"Sentence number {i} says something about topic {i}." for i in range(60)]
    chunks = chunk_text(" ".join(sentences))
    assert len(chunks) >= 3
    for chunk in chunks:
        assert len(chunk.text) <= 800
        assert chunk.text.startswith("Sentence number ") and chunk.text.endswith(".")
    for before, after in itertools.pairwise(chunks):
        first_of_next = re.match(r"Sentence number \d+[^.]*\.", after.text).group()
        assert first_of_next in before.text  # the overlap repeats the last sentence(s)
        assert after.start < before.start + len(before.text)


def test_a_word_longer_than_a_chunk_is_cut_hard() -> None:
    chunks = chunk_text("x" * 2000)
    assert [len(c.text) for c in chunks] == [800, 800, 400]


def test_chunks_are_exact_slices_of_the_normalised_text() -> None:
    text = "Title\n\n" + "A sentence that goes on. " * 100 + "\n\nEnd."
    normal = normalise_text(text)
    for chunk in chunk_text(text):
        assert normal[chunk.start : chunk.start + len(chunk.text)] == chunk.text


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        chunk_text("text", max_chars=10)
    with pytest.raises(ValueError):
        chunk_text("text", max_chars=200, overlap=150)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("abc de.\n!?"), min_size=0, max_size=400), max_size=12
    )
)
def test_every_word_is_kept_and_no_chunk_is_too_long(parts: list[str]) -> None:
    text = "\n\n".join(parts)
    chunks = chunk_text(text)
    assert all(0 < len(c.text) <= 800 for c in chunks)
    disjoint = "".join(c.text for c in chunk_text(text, overlap=0))
    assert "".join(disjoint.split()) == "".join(text.split()).replace("\x00", "")
