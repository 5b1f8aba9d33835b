"""Lexical scoring for the directory: Okapi BM25 over a tiny stemmer, offline and fast.

A `Scorer` indexes documents once and scores queries against them; an embedding scorer can
implement the same protocol later.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

STOPWORDS = frozenset(
    """a about after all also an and any are as at be been but by can could do does for from
    get got has have how i if in into is it its me my of on or our please so some that the
    their them then there these this those to us was we what when which will with would you
    your give tell want need help make let just now""".split()  # noqa: SIM905
)

_TOKEN = re.compile(r"[a-z0-9]+")


def stem(word: str) -> str:
    """A light suffix stripper: enough that `reviewed`, `reviews` and `review` meet."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                word += "y"
            break
    return word


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed; stop words and bare numbers (data, not capabilities) dropped."""
    return [stem(w) for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS and not w.isdigit()]


class Scorer(Protocol):
    def index(self, documents: Sequence[str]) -> None: ...

    def scores(self, query: str) -> list[float]: ...


class BM25Scorer:
    """Okapi BM25 with an inverted index; scores are >= 0.

    `b` is 0.5 rather than the usual 0.75: a card with many tags is long because it does
    many things, and should not lose much to a short card that mentions a word in passing.
    """

    def __init__(self, k1: float = 1.5, b: float = 0.5) -> None:
        self.k1 = k1
        self.b = b
        self._postings: dict[str, list[tuple[int, int]]] = {}
        self._lengths: list[int] = []
        self._idf: dict[str, float] = {}
        self._avg = 0.0

    def index(self, documents: Sequence[str]) -> None:
        self._postings = {}
        self._lengths = []
        for doc_id, doc in enumerate(documents):
            counts = Counter(tokenize(doc))
            self._lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                self._postings.setdefault(term, []).append((doc_id, tf))
        n = len(self._lengths)
        self._avg = (sum(self._lengths) / n) if n else 0.0
        self._idf = {
            term: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5))
            for term, p in self._postings.items()
        }

    def scores(self, query: str) -> list[float]:
        result = [0.0] * len(self._lengths)
        avg = self._avg or 1.0
        for term in set(tokenize(query)):
            idf = self._idf.get(term)
            if idf is None:
                continue
            for doc_id, tf in self._postings[term]:
                norm = self.k1 * (1 - self.b + self.b * self._lengths[doc_id] / avg)
                result[doc_id] += idf * tf * (self.k1 + 1) / (tf + norm)
        return result
