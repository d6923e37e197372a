"""Find mentions of known resources in a text: offsets are computed here, never typed by hand."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import URIRef

from carnets.errors import CarnetsError

CONTEXT = 32  # characters of prefix and suffix kept with each quote (Web Annotation)


@dataclass(frozen=True, order=True)
class Match:
    """A stretch [start, end) of a text that names resource."""

    start: int
    end: int
    resource: URIRef
    quote: str

    def contains(self, other: Match) -> bool:
        return self.start <= other.start and other.end <= self.end and self != other


@functools.lru_cache(maxsize=1 << 14)
def _pattern(label: str) -> re.Pattern[str]:
    # A name must not continue a longer word ("Stalin" is not found in "Stalinist"), and
    # any white space in the text (a line break, a no-break space) separates its words.
    words = r"\s+".join(re.escape(word) for word in label.split())
    return re.compile(r"(?<!\w)" + words + r"(?!\w)")


def find_mentions(
    text: str,
    names: Iterable[tuple[str, URIRef]],
    nesting: set[tuple[URIRef, URIRef]] = frozenset(),
) -> list[Match]:
    """Every occurrence in text of a name of a known resource, as non-redundant matches.

    A shorter name inside a longer name of the same resource is dropped ("Saint-Exupéry"
    inside "Antoine de Saint-Exupéry"). A name inside a name of another resource is a
    mention only when `nesting` says the outer resource involves the inner one: the
    "Russian Revolution" in "Year One of the Russian Revolution", but not "Émile Zola" in
    "Émile Zola Library".
    """
    found: set[Match] = set()
    for label, resource in names:
        words = label.split()
        if not words or words[0] not in text:  # the cheap test first: most names are absent
            continue
        for m in _pattern(label).finditer(text):
            found.add(Match(m.start(), m.end(), resource, m.group()))
    by_span: dict[tuple[int, int], URIRef] = {}
    for match in found:
        other = by_span.setdefault((match.start, match.end), match.resource)
        if other != match.resource:
            raise CarnetsError(
                f"ambiguous name {match.quote!r} at {match.start}: {other} and {match.resource}"
            )
    kept = []
    for match in sorted(found):
        outer = [o for o in found if o.contains(match)]
        if any(o.resource == match.resource for o in outer):
            continue
        # Only the innermost names around a match decide: "Moscow" in "Moscow Trials" in
        # "novel on the Moscow Trials" is a mention because the trials took place there.
        innermost = [o for o in outer if not any(o.contains(x) for x in outer)]
        if any((o.resource, match.resource) not in nesting for o in innermost):
            continue
        kept.append(match)
    return kept


def context(text: str, match: Match) -> tuple[str, str]:
    """The prefix and suffix around a match, for a TextQuoteSelector."""
    return text[max(0, match.start - CONTEXT) : match.start], text[match.end : match.end + CONTEXT]
