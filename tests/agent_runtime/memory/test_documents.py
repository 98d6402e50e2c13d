"""Text out of uploads: txt, md, html (tags stripped), pdf; bad files get clear errors."""

from __future__ import annotations

import pytest

from agent_runtime.errors import ImportFormatError
from agent_runtime.memory import extract_text
from tests.agent_runtime.memory._pdf import make_pdf


def test_plain_text_and_markdown_are_decoded() -> None:
    assert extract_text("a.txt", "Café au lait".encode()) == ("Café au lait", "text/plain")
    assert extract_text("b.MD", b"\xef\xbb\xbf# Title\n\nBody") == (
        "# Title\n\nBody",
        "text/markdown",
    )
    assert extract_text("c.txt", "naïve".encode("cp1252"))[0] == "naïve"


def test_html_keeps_the_text_and_drops_markup_scripts_and_styles() -> None:
    page = b"""<!doctype html><html><head><title>T</title><style>p{color:red}</style>
    <script>alert('x')</script></head><body><h1>Opening&nbsp;hours</h1>
    <p>We open at <b>9</b>
       am &amp; close at 5 pm.</p><ul><li>Mon</li><li>Tue</li></ul></body></html>"""
    text, content_type = extract_text("page.html", page)
    assert content_type == "text/html"
    assert "alert" not in text and "color" not in text and "<" not in text
    assert "We open at 9 am & close at 5 pm." in text
    assert text.startswith("Opening hours\n\n")  # <head> is not content
    assert "5 pm.\n\nMon\n\nTue" in text  # block elements become paragraph breaks


def test_pdf_text_comes_page_by_page() -> None:
    data = make_pdf([["Refunds take (at most) 14 days.", "Ask support."], ["Page two."]])
    text, content_type = extract_text("policy.pdf", data)
    assert content_type == "application/pdf"
    assert text == "Refunds take (at most) 14 days.\nAsk support.\n\nPage two."


@pytest.mark.parametrize(
    ("filename", "data", "code", "words"),
    [
        ("photo.png", b"\x89PNG", "unsupported_document", "upload one of"),
        ("README", b"hello", "unsupported_document", "without an extension"),
        ("blob.txt", b"abc\x00def", "unreadable_document", "binary"),
        ("broken.pdf", b"%PDF-1.4 not really", "unreadable_document", "not a readable PDF"),
        ("scan.pdf", make_pdf([[]]), "empty_document", "OCR"),
        ("empty.md", b"  \n\n ", "empty_document", "no text"),
    ],
)
def test_bad_files_get_a_clear_error(filename: str, data: bytes, code: str, words: str) -> None:
    with pytest.raises(ImportFormatError, match=words) as caught:
        extract_text(filename, data)
    assert caught.value.code == code
    assert filename in str(caught.value)
