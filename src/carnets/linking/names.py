"""Comparing names across scripts, accents and punctuation, the way a careful reader would."""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher


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
    a, b = fold(query), fold(name)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if sorted(a.split()) == sorted(b.split()):
        return 0.97
    ratio = SequenceMatcher(None, a, b).ratio()
    if _covered(a.split(), b.split()) or _covered(b.split(), a.split()):
        return max(ratio, 0.85)
    return ratio


def _covered(words: list[str], others: list[str]) -> bool:
    """Every word is one of others, or the initial of one."""
    return all(any(w == o or (len(w) == 1 and o.startswith(w)) for o in others) for w in words)
