"""Full-text search over templates: BM25 across weighted fields, built in memory.

    index = SearchIndex([Document(slug, title=..., summary=..., tags=[...], readme=...)])
    index.scores("support order")      # {slug: score}, only templates matching every word

The same ranking on SQLite and PostgreSQL, for the local catalogue and a remote
one. Words are lower-cased letters and digits, folded to a crude stem (a final
"s", "es", "ing" or "ed" dropped) so "summaries" finds "summary". Every query
word must match (the last one also as a prefix, for search as you type); a
field's hits count by its weight (title 5, tags 4, summary 2, readme 1) in
BM25F's term frequency, so a title match outranks one deep in a readme.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Document", "SearchIndex", "words"]

_WORD = re.compile(r"[a-z0-9]+")
WEIGHTS = {"title": 5.0, "tags": 4.0, "summary": 2.0, "readme": 1.0}
_K1, _B = 1.2, 0.75
_STOP = frozenset(["a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with"])


def _stem(word: str) -> str:
    for suffix, keep in (("ies", "y"), ("ing", ""), ("es", ""), ("ed", ""), ("s", "")):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + keep
    return word


def words(text: str) -> list[str]:
    """The search words of ``text``: lower case, stemmed, without a few filler words."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]


@dataclass(frozen=True)
class Document:
    slug: str
    title: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()
    readme: str = ""


@dataclass
class _Postings:
    """For one word: weighted term frequency per document."""

    tf: dict[int, float] = field(default_factory=dict)


class SearchIndex:
    """An inverted index of documents; immutable once built."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self.slugs: list[str] = []
        self._postings: dict[str, _Postings] = defaultdict(_Postings)
        lengths: list[float] = []
        for number, doc in enumerate(documents):
            self.slugs.append(doc.slug)
            fields = {
                "title": words(doc.title),
                "tags": words(" ".join(doc.tags)),
                "summary": words(doc.summary),
                "readme": words(doc.readme),
            }
            weighted: Counter[str] = Counter()
            for name, found in fields.items():
                for word in found:
                    weighted[word] += WEIGHTS[name]
            lengths.append(sum(weighted.values()))
            for word, tf in weighted.items():
                self._postings[word].tf[number] = tf
        self._lengths = lengths
        self._average = (sum(lengths) / len(lengths)) if lengths else 1.0
        self._vocabulary = sorted(self._postings)

    def __len__(self) -> int:
        return len(self.slugs)

    def _matches(self, word: str, prefix: bool) -> dict[int, float]:
        """Weighted tf per document for ``word`` (and, as a prefix, every longer word)."""
        found: dict[int, float] = dict(self._postings[word].tf) if word in self._postings else {}
        if prefix:
            start = bisect.bisect_left(self._vocabulary, word)
            for other in self._vocabulary[start:]:
                if not other.startswith(word):
                    break
                if other != word:
                    for doc, tf in self._postings[other].tf.items():
                        found[doc] = found.get(doc, 0.0) + tf
        return found

    def scores(self, query: str) -> dict[str, float]:
        """Documents matching every word of ``query``, with their BM25F score (higher first)."""
        raw = _WORD.findall(query.lower())
        terms = [_stem(w) for w in raw if w not in _STOP] or [_stem(w) for w in raw]
        if not terms:
            return {}
        typing = not query[-1:].isspace() and len(raw[-1]) >= 2  # the last word, as typed
        total: dict[int, float] | None = None
        n = len(self.slugs)
        for i, term in enumerate(terms):
            last = i == len(terms) - 1
            hits = self._matches(term, prefix=last and typing)
            if not hits:
                return {}
            idf = math.log(1 + (n - len(hits) + 0.5) / (len(hits) + 0.5))
            step: dict[int, float] = {}
            for doc, tf in hits.items():
                if total is not None and doc not in total:
                    continue
                length = self._lengths[doc] / self._average
                norm = tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length))
                step[doc] = (total or {}).get(doc, 0.0) + idf * norm
            total = step
            if not total:
                return {}
        return {self.slugs[doc]: round(score, 6) for doc, score in (total or {}).items()}
