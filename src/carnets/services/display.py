"""Dates as a reader reads them, in English or French, keeping their uncertainty; links.

The graph writes a date once as EDTF (`cn:edtf "[1931,1932]"`) beside its earliest and latest
day; an entry has its `schema:dateCreated`. A page says "5 November 1944" for a day, "1931 or
1932" or "between 1 January 1931 and 31 December 1932" for a range, and keeps the EDTF beside it
for those who read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ONTOLOGY_IRI = "https://w3id.org/carnets/ontology"


def local_href(iri: str, base: str) -> str:
    """Where this server answers for `iri`: the edition's resources at their path, the
    ontology's terms (/ontology#Person) and concepts (/ontology/manner/killed); other IRIs as
    they are."""
    if iri.startswith(base):
        return "/" + iri[len(base) :]
    if iri.startswith(ONTOLOGY_IRI) and iri[len(ONTOLOGY_IRI) : len(ONTOLOGY_IRI) + 1] in (
        "#",
        "/",
    ):
        return "/ontology" + iri[len(ONTOLOGY_IRI) :]
    return iri


MONTHS = {
    "en": [
        *("January", "February", "March", "April", "May", "June"),
        *("July", "August", "September", "October", "November", "December"),
    ],
    "fr": [
        *("janvier", "février", "mars", "avril", "mai", "juin"),
        *("juillet", "août", "septembre", "octobre", "novembre", "décembre"),
    ],
}
DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
YEAR = re.compile(r"^(\d{4})$")


def day_text(value: str, lang: str = "en") -> str:
    """'1944-11-05' as '5 November 1944' (or '5 novembre 1944'); other values as they are."""
    months = MONTHS.get(lang, MONTHS["en"])
    if match := DAY.match(value):
        year, month, day = match.groups()
        first = "1er" if lang == "fr" and day == "01" else str(int(day))
        return f"{first} {months[int(month) - 1]} {year}"
    if match := MONTH.match(value):
        year, month = match.groups()
        return f"{months[int(month) - 1]} {year}"
    return value


@dataclass(frozen=True)
class When:
    """A date for a page: what to say, the EDTF and bounds behind it, and whether it is sure."""

    text: str
    edtf: str | None = None
    earliest: str | None = None
    latest: str | None = None

    @property
    def uncertain(self) -> bool:
        return bool(
            (self.earliest and self.latest and self.earliest != self.latest)
            or (self.edtf and any(mark in self.edtf for mark in "?~%[]{}/X"))
        )

    @property
    def sort_key(self) -> str:
        return self.earliest or self.edtf or self.text


def when(
    edtf: str | None = None,
    earliest: str | None = None,
    latest: str | None = None,
    exact: str | None = None,
    lang: str = "en",
) -> When | None:
    """What a page says of a date given as EDTF with bounds, or as an exact xsd:date."""
    if exact and not edtf:
        return When(day_text(exact, lang), None, exact, exact)
    if not (edtf or earliest):
        return None
    earliest = earliest or None
    latest = latest or earliest
    text = _edtf_text(edtf, lang) if edtf else None
    if text is None:
        if earliest == latest:
            text = day_text(earliest or "", lang)
        else:
            joined = ("entre {} et {}", "between {} and {}")[lang != "fr"]
            text = joined.format(day_text(earliest or "", lang), day_text(latest or "", lang))
    return When(text, edtf, earliest, latest)


def _edtf_text(edtf: str, lang: str) -> str | None:
    """The EDTF forms the edition uses, in words; None for a form best said by its bounds."""
    value = edtf.strip()
    qualifier = ""
    if value and value[-1] in "?~%":
        qualifier = {"?": " (?)", "~": " (approx.)", "%": " (?, approx.)"}[value[-1]]
        if lang == "fr":
            qualifier = {"?": " (?)", "~": " (env.)", "%": " (?, env.)"}[value[-1]]
        value = value[:-1]
    if DAY.match(value) or MONTH.match(value) or YEAR.match(value):
        return day_text(value, lang) + qualifier
    if value.startswith("[") and value.endswith("]") and ".." not in value:
        choices = [day_text(part.strip(), lang) for part in value[1:-1].split(",")]
        if len(choices) > 1:
            word = " ou " if lang == "fr" else " or "
            return ", ".join(choices[:-1]) + word + choices[-1] + qualifier
    if "/" in value and value.count("/") == 1:
        start, end = value.split("/")
        if start and end and ".." not in value:
            joined = ("de {} à {}", "from {} to {}")[lang != "fr"]
            return joined.format(day_text(start, lang), day_text(end, lang)) + qualifier
    return None
