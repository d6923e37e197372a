"""A text with its mentions anchored in it: the pieces an entry or editorial note's page draws.

The resource service's query (carnets.services.resources.VIEW) brings, for a resource with a
text, every mention whose target is that text (offsets, the resource it names, that resource's
kind and labels), the writer's reports of deaths made in it, and its neighbours in the notebooks.
This module turns those rows into pieces of text: the text is cut at every offset, so that
mentions may nest or overlap ("the attempt on Hitler's life" holds "Hitler") and each piece
knows every mention and report that covers it. Offsets are the annotator's, in characters, as
Python and SPARQL count them; a report's place is found by its quote, which the shapes require
to be in the entry's text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

CN = "https://w3id.org/carnets/ontology#"

# The kinds of resource a mention can name, by their class in the ontology: what a page calls
# them, in English and French.
KINDS: dict[str, dict[str, str]] = {
    "Person": {"en": "person", "fr": "personne"},
    "Place": {"en": "place", "fr": "lieu"},
    "Work": {"en": "work", "fr": "œuvre"},
    "Event": {"en": "event", "fr": "événement"},
    "Organization": {"en": "organisation", "fr": "organisation"},
    "Death": {"en": "death", "fr": "décès"},
}

# The branches the resource service's VIEW adds for a resource with a text (?r), each binding
# ?part; see carnets.services.resources.
TEXT_BRANCHES = """
  } UNION {
    BIND("textmention" AS ?part)
    ?target oa:hasSource ?r ; oa:hasSelector ?position .
    ?position oa:start ?start ; oa:end ?end .
    ?mention oa:hasTarget ?target ; oa:hasBody ?body .
    OPTIONAL { ?body a ?kind FILTER(STRSTARTS(STR(?kind), STR(cn:))) }
    OPTIONAL { ?body skos:prefLabel ?label }
  } UNION {
    BIND("textreport" AS ?part)
    ?report cn:reportedIn ?r ; cn:quote ?words ; cn:reportsDeath ?death .
    OPTIONAL { ?report skos:prefLabel ?label }
    OPTIONAL { ?report cn:reportedManner ?manner . ?manner skos:prefLabel ?mannerLabel }
    OPTIONAL { ?report cn:certainty ?certainty . ?certainty skos:prefLabel ?certaintyLabel }
  } UNION {
    BIND("neighbour" AS ?part)
    ?r schema:isPartOf ?whole ; schema:position ?here .
    VALUES ?step { -1 1 }
    BIND(?here + ?step AS ?at)
    ?other schema:position ?at ; schema:isPartOf ?whole .
    OPTIONAL { ?other skos:prefLabel ?label }
    OPTIONAL { ?other schema:dateCreated ?date }
"""


REPORT_LABELS = (("label", "label"), ("mannerLabel", "manner"), ("certaintyLabel", "certainty"))


def pick(labels: dict[str | None, str], lang: str, fallback: str = "") -> str:
    """The label in `lang`, else in English, else without a language, else any."""
    for wanted in (lang, "en", None, ""):
        if wanted in labels:
            return labels[wanted]
    return next(iter(labels.values()), fallback)


@dataclass
class Mention:
    """One mention in the text: where it is and what it names."""

    anchor: str  # the fragment of the mention's IRI, and the id of its place on the page
    start: int
    end: int
    quote: str
    href: str
    label: str
    kind: str  # the ontology's class name, e.g. "Person"
    kind_label: str


@dataclass
class ReportMark:
    """The writer's report of a death, where its words are in the text."""

    href: str
    label: str
    start: int
    end: int
    quote: str
    manner: str | None
    certainty: str | None
    death_href: str


@dataclass
class Piece:
    """A run of text covered by the same mentions (innermost first) and reports."""

    text: str
    mentions: list[Mention] = field(default_factory=list)
    reports: list[ReportMark] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)  # mentions that start here
    report_starts: list[ReportMark] = field(default_factory=list)


@dataclass
class AnnotatedText:
    text: str
    pieces: list[Piece]
    mentions: list[Mention]  # in text order
    reports: list[ReportMark]  # in text order


@dataclass
class Neighbour:
    href: str
    label: str
    date: str | None


@dataclass
class Neighbours:
    previous: Neighbour | None = None
    next: Neighbour | None = None


def annotate(
    text: str, mention_rows: list[dict], report_rows: list[dict], href, lang: str = "en"
) -> AnnotatedText:
    """The text cut into pieces at every mention's and report's bounds."""
    mentions = _mentions(mention_rows, href, lang, text)
    reports = _reports(text, report_rows, href, lang)
    cuts = sorted({0, len(text)} | {m.start for m in mentions} | {m.end for m in mentions})
    cuts = sorted(set(cuts) | {r.start for r in reports} | {r.end for r in reports})
    pieces = []
    for start, end in pairwise(cuts):
        covering = sorted(
            (m for m in mentions if m.start <= start and end <= m.end),
            key=lambda m: (m.end - m.start, m.start),
        )
        pieces.append(
            Piece(
                text[start:end],
                covering,
                [r for r in reports if r.start <= start and end <= r.end],
                [m.anchor for m in mentions if m.start == start],
                [r for r in reports if r.start == start],
            )
        )
    return AnnotatedText(text, pieces, mentions, reports)


def _mentions(rows: list[dict], href, lang: str, text: str) -> list[Mention]:
    by_mention: dict[str, dict] = {}
    labels: dict[str, dict[str | None, str]] = defaultdict(dict)
    for row in rows:
        iri = row["mention"].value
        found = by_mention.setdefault(iri, {"row": row, "kind": None})
        if "kind" in row:
            found["kind"] = row["kind"].value.removeprefix(CN)
        if "label" in row:
            labels[iri][row["label"].language] = row["label"].value
    mentions = []
    for iri, found in by_mention.items():
        row = found["row"]
        start, end = int(row["start"].value), int(row["end"].value)
        if not 0 <= start < end <= len(text):
            continue
        kind = found["kind"] or "Resource"
        body = row["body"].value
        mentions.append(
            Mention(
                anchor=iri.rsplit("#", 1)[-1] if "#" in iri else f"m{start}-{end}",
                start=start,
                end=end,
                quote=text[start:end],
                href=href(body),
                label=pick(labels[iri], lang, body.rsplit("/", 1)[-1]),
                kind=kind,
                kind_label=KINDS.get(kind, {}).get(lang, kind.lower()),
            )
        )
    mentions.sort(key=lambda m: (m.start, -m.end, m.href))
    return mentions


def _reports(text: str, rows: list[dict], href, lang: str) -> list[ReportMark]:
    grouped: dict[str, dict] = {}
    for row in rows:
        found = grouped.setdefault(
            row["report"].value, {"row": row, "label": {}, "manner": {}, "certainty": {}}
        )
        for name, key in REPORT_LABELS:
            if name in row:
                found[key][row[name].language] = row[name].value
    reports = []
    for iri, found in grouped.items():
        words = found["row"]["words"].value
        start = text.find(words)
        if start < 0:
            continue
        reports.append(
            ReportMark(
                href=href(iri),
                label=pick(found["label"], lang, iri.rsplit("/", 1)[-1]),
                start=start,
                end=start + len(words),
                quote=words,
                manner=pick(found["manner"], lang) or None,
                certainty=pick(found["certainty"], lang) or None,
                death_href=href(found["row"]["death"].value),
            )
        )
    reports.sort(key=lambda r: (r.start, r.href))
    return reports


def neighbours(rows: list[dict], here: int | None, href, lang: str) -> Neighbours | None:
    """The texts just before and after this one in the notebooks, by schema:position."""
    if not rows or here is None:
        return None
    labels: dict[str, dict[str | None, str]] = defaultdict(dict)
    found: dict[str, dict] = {}
    for row in rows:
        iri = row["other"].value
        found[iri] = row
        if "label" in row:
            labels[iri][row["label"].language] = row["label"].value
    result = Neighbours()
    for iri, row in found.items():
        date = row["date"].value if "date" in row else None
        neighbour = Neighbour(href(iri), pick(labels[iri], lang, date or iri), date)
        if int(row["at"].value) < here:
            result.previous = neighbour
        else:
            result.next = neighbour
    return result
