"""Comparing names across scripts, accents and punctuation, the way a careful reader would."""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache
from typing import NamedTuple


def fold(text: str) -> str:
    """A comparison key for names: no accents, no case, no punctuation, single spaces."""
    spaced = "".join(c if c.isalnum() else " " for c in ascii_variant(text).casefold())
    return " ".join(spaced.split())


def ascii_variant(text: str) -> str:
    """The name without diacritics, as many Wikidata labels spell it (Cremieux for Crémieux)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def similarity(query: str, name: str) -> float:
    """How alike two names are, from 0 to 1: equal keys, reordered words, or close spelling.

    Reordered words ("Mandelstam, Osip") count as equal because spreadsheets invert names; a
    name that is part of the other ("Rolland", "R. Rolland" for Romain Rolland) scores 0.85,
    because scholars' lists often give surnames or initials only.
    """
    return key_similarity(fold(query), fold(name))


def key_similarity(a: str, b: str, floor: float = 0.0) -> float:
    """similarity() of two folded keys, for callers that fold each name once.

    With a floor, a score that cannot reach it is returned as an upper bound below the floor,
    without the character-by-character comparison: that comparison grows with the product of
    the lengths, and a long query set against short names would otherwise cost seconds.
    """
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    a_words, b_words = _words(a), _words(b)
    if a_words.ordered == b_words.ordered:
        return 0.97
    covered = a_words.covered_by(b_words) or b_words.covered_by(a_words)
    bound = 2.0 * min(len(a), len(b)) / (len(a) + len(b))  # SequenceMatcher.real_quick_ratio
    if covered and bound <= 0.85:
        return 0.85
    if not covered and bound < floor:
        return bound
    ratio = SequenceMatcher(None, a, b).ratio()
    return max(ratio, 0.85) if covered else ratio


class _Words(NamedTuple):
    """The words of a folded key, as the comparisons need them."""

    words: tuple[str, ...]
    ordered: tuple[str, ...]
    known: frozenset[str]
    initials: frozenset[str]

    def covered_by(self, other: _Words) -> bool:
        """Every word is one of the other's, or the initial of one."""
        return all(w in other.known or (len(w) == 1 and w in other.initials) for w in self.words)


@lru_cache(maxsize=4096)
def _words(key: str) -> _Words:
    """Cached: a query is compared with every name of the edition, each name with every query."""
    words = tuple(key.split())
    return _Words(words, tuple(sorted(words)), frozenset(words), frozenset(w[0] for w in words))
