"""Notebook text cut into texts: dated headings, plain text and Markdown, excerpts.

A source document is plain text, Markdown or TEI P5 in which a dated heading starts each entry.
`carnets build` reads every one of them; `carnets ingest` adds or replaces one. Dates are kept
as EDTF: a heading gives an exact day ("August 9, 1944", "9 août 1944", "1944-08-09") or a
period ("August 1944", "end of 1944"), whose first day is the entry's `xsd:date` and URI.
An excerpt whose editorial texts sit around its entries is cut by the layout the edition's
configuration gives (`split_source`; edition.toml, [[editorial]]).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rdflib import URIRef

from carnets.dates import DateError, edtf_bounds
from carnets.edition import Editorial
from carnets.errors import DataFileError

MONTHS = "January February March April May June July August September October November December"
MOIS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
HEADING = re.compile(r"^(" + MONTHS.replace(" ", "|") + r") (\d{1,2}), (\d{4})$", re.M)
SUFFIXES = (".txt", ".md", ".xml")


@dataclass(frozen=True)
class Section:
    """One text of the source: an entry (dated) or an editorial text."""

    path: str  # URI path under the base: entry/1944-08-10, note/biography
    text: str
    title_en: str
    title_fr: str
    day: date | None = None
    language: str = "en"
    edtf: str | None = None  # an entry dated by a period or an uncertain day
    refs: tuple[tuple[int, int, URIRef], ...] = ()  # mentions a TEI source names by @ref
    line: int = 0  # the line of its heading in the source document


# ------------------------------------------------------------------ dated headings

_MONTH = {name.casefold(): i + 1 for i, name in enumerate(MONTHS.split())}
_MONTH |= {name: i + 1 for i, name in enumerate(MOIS.split())}
_MONTH |= {"aout": 8, "fevrier": 2, "decembre": 12}
_MONTH_WORD = "|".join(sorted(_MONTH, key=len, reverse=True))
# Parts of a year, as EDTF intervals of months.
_PARTS = {
    "beginning of": ("01", "03"),
    "early": ("01", "03"),
    "début": ("01", "03"),
    "début de": ("01", "03"),
    "mid-": ("05", "08"),
    "mid": ("05", "08"),
    "milieu de": ("05", "08"),
    "end of": ("10", "12"),
    "late": ("10", "12"),
    "fin": ("10", "12"),
    "fin de": ("10", "12"),
}
_PART_WORD = "|".join(re.escape(p) for p in sorted(_PARTS, key=len, reverse=True))
# The language of a heading is that of its month or its words; an ISO date has none.
_FORMS = [
    re.compile(rf"(?P<month>{_MONTH_WORD})\s+(?P<day>\d{{1,2}}),\s*(?P<year>\d{{4}})", re.I),
    re.compile(
        rf"(?:le\s+)?(?P<day>\d{{1,2}})(?:er)?\s+(?P<month>{_MONTH_WORD}),?\s+(?P<year>\d{{4}})",
        re.I,
    ),
    re.compile(r"(?P<year>\d{4})-(?P<nmonth>\d{2})-(?P<day>\d{2})"),
    re.compile(r"(?P<year>\d{4})-(?P<nmonth>\d{2})"),
    re.compile(rf"(?P<month>{_MONTH_WORD})\s+(?P<year>\d{{4}})", re.I),
    re.compile(rf"(?P<part>{_PART_WORD})\s*(?P<year>\d{{4}})", re.I),
]
_QUALIFIER = re.compile(
    r"^(?:(?P<circa>circa|c\.|ca\.|vers|about)\s+)?(?P<date>.*?)\s*(?P<doubt>\?)?$", re.I
)
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+)?[*_]*(?P<heading>.*?)[*_]*\s*$")
FRENCH_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "du",
        "de",
        "et",
        "est",
        "une",
        "un",
        "que",
        "qui",
        "dans",
        "pour",
        "pas",
        "sur",
        "avec",
        "au",
        "il",
        "elle",
    ]
)
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "a",
        "in",
        "is",
        "that",
        "was",
        "it",
        "for",
        "on",
        "with",
        "as",
        "his",
        "her",
        "by",
        "at",
    ]
)
FRENCH_MONTHS = frozenset(MOIS.split()) | {"aout", "fevrier", "decembre"}


@dataclass(frozen=True)
class EntryDate:
    """A heading's date: EDTF, its first day, and the language its words are in ("" if none)."""

    edtf: str
    first: date
    language: str
    exact: bool  # a single, certain day


def read_heading(line: str) -> EntryDate | None:
    """The date a heading line gives, or None when the line is not a dated heading.

    A line that has the shape of a date but names no real day ("February 30, 1944") raises
    DateError: an entry under it would be lost or misdated."""
    heading = _MARKUP.match(line)["heading"]
    qualified = _QUALIFIER.match(heading)
    text = qualified["date"].strip()
    found = next((m for m in (form.fullmatch(text) for form in _FORMS) if m), None)
    if found is None:
        return None
    parts = found.groupdict()
    language = ""
    year = int(parts["year"])
    month = parts.get("nmonth") or parts.get("month")
    if month and not month.isdigit():
        language = "fr" if month.casefold() in FRENCH_MONTHS else "en"
        month = _MONTH[month.casefold()]
    if parts.get("part"):
        part = parts["part"].casefold()
        language = "fr" if part.split()[0] in ("début", "milieu", "fin") else "en"
        start, end = _PARTS[part]
        value = f"{year}-{start}/{year}-{end}"
    elif parts.get("day"):
        try:
            day = date(year, int(month), int(parts["day"]))
        except ValueError as error:
            raise DateError(f'"{heading}" is not a real day ({error})') from error
        value = day.isoformat()
    else:
        if not 1 <= int(month) <= 12:
            raise DateError(f'"{heading}" has no month {month}')
        value = f"{year}-{int(month):02d}"
    if qualified["doubt"] and qualified["circa"]:
        value += "%"
    elif qualified["doubt"]:
        value += "?"
    elif qualified["circa"]:
        value += "~"
    bounds = edtf_bounds(value)
    exact = bounds.earliest == bounds.latest and value[-1].isdigit()
    return EntryDate(value, bounds.earliest, language, exact)


def guess_language(text: str) -> str:
    """French or English, by their commonest words: enough to choose an NER model."""
    words = re.findall(r"\w+", text.casefold())
    french = sum(w in FRENCH_WORDS for w in words)
    english = sum(w in ENGLISH_WORDS for w in words)
    return "fr" if french > english else "en"


def entry_titles(when: EntryDate, heading: str) -> tuple[str, str]:
    if when.exact:
        day = when.first
        return (
            f"Entry of {day.day} {MONTHS.split()[day.month - 1]} {day.year}",
            f"Entrée du {day.day} {MOIS.split()[day.month - 1]} {day.year}",
        )
    return f"Entry of {heading}", f"Entrée : {heading}"


# ------------------------------------------------------------------ documents


def split_source(source: str, editorial: tuple[Editorial, ...]) -> list[Section]:
    """Cut an excerpt into its entries and the editorial texts around them.

    Each editorial text starts at its marker (edition.toml, [[editorial]] starts) and, as each
    entry, runs to the next marker or dated heading; text before the first is left out."""
    headings = list(HEADING.finditer(source))
    if not headings:
        raise DataFileError("source text", "no dated entry heading found")
    starts = sorted(
        [(source.index(item.starts), item) for item in editorial]
        + [(heading.start(), heading) for heading in headings],
        key=lambda found: found[0],
    )
    ends = {
        start: (starts[i + 1][0] if i + 1 < len(starts) else len(source))
        for i, (start, _) in enumerate(starts)
    }
    sections = [
        Section(
            item.path,
            source[start : ends[start]].strip(),
            item.title_en,
            item.title_fr,
            language=item.language,
        )
        for item in editorial
        for start in [source.index(item.starts)]
    ]
    for heading in headings:
        day = date(int(heading[3]), MONTHS.split().index(heading[1]) + 1, int(heading[2]))
        fr_day = f"{day.day} {MOIS.split()[day.month - 1]} {day.year}"
        sections.append(
            Section(
                f"entry/{day.isoformat()}",
                source[heading.end() : ends[heading.start()]].strip(),
                f"Entry of {heading[2]} {heading[1]} {heading[3]}",
                f"Entrée du {fr_day}",
                day,
                line=source.count("\n", 0, heading.start()) + 1,
            )
        )
    return sections


def split_entries(source: str, name: str) -> list[Section]:
    """Cut plain text or Markdown at its dated headings; every line of text needs one above it."""
    sections: list[Section] = []
    current: tuple[int, EntryDate, str] | None = None
    body: list[str] = []

    def close() -> None:
        if current is None:
            return
        line, when, heading = current
        text = "\n".join(body).strip()
        if not text:
            raise DataFileError(name, f'the entry "{heading}" has no text', line)
        en, fr = entry_titles(when, heading)
        language = when.language or guess_language(text)
        sections.append(
            Section(
                f"entry/{when.first.isoformat()}",
                text,
                en,
                fr,
                when.first,
                language,
                None if when.exact else when.edtf,
                line=line,
            )
        )

    for number, line in enumerate(source.splitlines(), start=1):
        try:
            when = read_heading(line) if line.strip() else None
        except DateError as error:
            raise DataFileError(name, str(error), number) from error
        if when is not None:
            close()
            current, body = (number, when, _MARKUP.match(line)["heading"].strip()), []
        elif current is None:
            if line.strip() and not line.lstrip().startswith(("# ", "---")):
                raise DataFileError(
                    name,
                    "text before the first dated heading: an entry needs a heading "
                    '("August 9, 1944", "9 août 1944", "1944-08-09", "August 1944")',
                    number,
                )
        else:
            body.append(line)
    close()
    if not sections:
        raise DataFileError(name, "no dated entry heading found")
    return sections
