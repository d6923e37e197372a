"""What the edition knows about its people, works and places: the evidence linking scores with.

Read once from the edition's graph into plain records, so that the scorer, the checker and the
reconciliation service compare the same facts and none of them walks RDF itself.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from carnets.linking.names import ascii_variant
from carnets.namespaces import CN, CRM, SCHEMA, WD

KINDS: dict[URIRef, str] = {
    CN.Person: "person",
    CN.Work: "work",
    CN.Place: "place",
    CN.Event: "event",
    CN.Organization: "organization",
}
LINKED_KINDS = ("person", "work", "place")  # what the linker and reconciliation look for
STRONG_NAMES = (SKOS.prefLabel, SCHEMA.name, RDFS.label)
WEAK_NAMES = (SKOS.altLabel, SCHEMA.alternateName)
DATE = re.compile(r"(?<![\d-])(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?!\d)")


@dataclass(frozen=True)
class YearRange:
    """The years a date may fall in (an exact year, or the bounds of an uncertain one), and the
    first and last days when the record is precise enough to say."""

    earliest: int
    latest: int
    first_day: date | None = None
    last_day: date | None = None

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int) and self.earliest <= year <= self.latest

    def distance(self, year: int) -> int:
        if year in self:
            return 0
        return self.earliest - year if year < self.earliest else year - self.latest

    def days_outside(self, day: date) -> int | None:
        """How many days day falls outside the range, or None when the range has no days."""
        if self.first_day is None or self.last_day is None:
            return None
        if day < self.first_day:
            return (self.first_day - day).days
        return max(0, (day - self.last_day).days)

    def __str__(self) -> str:
        if self.earliest == self.latest:
            return str(self.earliest)
        return f"{self.earliest}\u2013{self.latest}"


@dataclass(frozen=True)
class Connected:
    """A resource the entity is tied to (death place, work, author, country), by name and link."""

    role: str
    names: tuple[str, ...]
    qid: str | None = None


@dataclass
class EditionEntity:
    """One person, work or place of the edition, with what may confirm or refute a candidate."""

    iri: str
    path: str
    kind: str
    label: str
    names: list[tuple[str, str]] = field(default_factory=list)  # (text, language)
    alt_names: list[tuple[str, str]] = field(default_factory=list)
    birth: YearRange | None = None
    death: YearRange | None = None
    date: YearRange | None = None  # a work's date
    occupations: list[str] = field(default_factory=list)
    connected: list[Connected] = field(default_factory=list)
    qid: str | None = None  # its Wikidata link, if it has one

    @property
    def search_names(self) -> list[str]:
        """Every form worth looking up: each name as written and without its diacritics."""
        forms: list[str] = []
        for text, _ in (*self.names, *self.alt_names):
            for form in (text, ascii_variant(text)):
                if form not in forms:
                    forms.append(form)
        return forms


def years_of(*literals: Literal | None) -> YearRange | None:
    """The range of years (and days) that date literals (xsd:date, xsd:gYear, EDTF) allow."""
    bounds = [b for lit in literals if lit is not None for b in _day_bounds(str(lit))]
    if not bounds:
        return None
    years = [year for year, _, _ in bounds]
    days = [d for _, first, last in bounds for d in (first, last) if d is not None]
    return YearRange(
        min(years), max(years), min(days) if days else None, max(days) if days else None
    )


def _day_bounds(text: str) -> list[tuple[int, date | None, date | None]]:
    """(year, first day, last day) for every date in a lexical form; days only for CE years."""
    found = []
    for year_text, month, day in DATE.findall(text):
        year = int(year_text)
        if year < 1:
            found.append((year, None, None))
            continue
        if month and day:
            first = last = date(year, int(month), int(day))
        elif month:
            first = date(year, int(month), 1)
            last = date(year, int(month), calendar.monthrange(year, int(month))[1])
        else:
            first, last = date(year, 1, 1), date(year, 12, 31)
        found.append((year, first, last))
    return found


def links_of(graph: Graph) -> dict[str, str]:
    """{edition resource IRI: QID} for every owl:sameAs or cn:linkTarget to a Wikidata item."""
    links: dict[str, str] = {}
    for subject, target in graph.subject_objects(OWL.sameAs):
        if str(target).startswith(str(WD)):
            links[str(subject)] = str(target)[len(str(WD)) :]
    for record in graph.subjects(RDF.type, CN.WikidataLink):
        subject = graph.value(record, CN.linkSubject)
        target = graph.value(record, CN.linkTarget)
        if subject is not None and target is not None and str(target).startswith(str(WD)):
            links.setdefault(str(subject), str(target)[len(str(WD)) :])
    return links


def edition_entities(graph: Graph, base: str) -> list[EditionEntity]:
    """Every person, work, place, event and organization of the edition, with their evidence."""
    links = links_of(graph)
    entities: list[EditionEntity] = []
    seen: set[URIRef] = set()
    for cls, kind in KINDS.items():
        for node in sorted(graph.subjects(RDF.type, cls)):
            # A death is an event too, but the person is what gets linked.
            if not isinstance(node, URIRef) or node in seen or (node, RDF.type, CN.Death) in graph:
                continue
            seen.add(node)
            entities.append(_entity(graph, node, kind, base, links))
    return entities


def _names(graph: Graph, node: URIRef, predicates) -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = []
    for predicate in predicates:
        for value in graph.objects(node, predicate):
            if isinstance(value, Literal) and (str(value), value.language or "") not in names:
                names.append((str(value), value.language or ""))
    return names


def _label(graph: Graph, node: URIRef) -> str:
    """The English preferred label when there is one (the edition's display name)."""
    for predicate in STRONG_NAMES:
        values = [v for v in graph.objects(node, predicate) if isinstance(v, Literal)]
        for value in sorted(values, key=lambda v: (v.language != "en", str(v))):
            return str(value)
    return str(node).rstrip("/").rsplit("/", 1)[-1]


def _connected(graph: Graph, node, role: str, links: dict[str, str]) -> Connected:
    names = tuple(text for text, _ in _names(graph, node, (*STRONG_NAMES, *WEAK_NAMES)))
    return Connected(role, names, links.get(str(node)))


def _entity(
    graph: Graph, node: URIRef, kind: str, base: str, links: dict[str, str]
) -> EditionEntity:
    iri = str(node)
    strong = _names(graph, node, STRONG_NAMES)
    entity = EditionEntity(
        iri=iri,
        path=iri[len(base) :] if iri.startswith(base) else iri,
        kind=kind,
        label=_label(graph, node),
        names=strong,
        alt_names=[n for n in _names(graph, node, WEAK_NAMES) if n not in strong],
        qid=links.get(iri),
    )
    if kind == "person":
        entity.birth = years_of(*graph.objects(node, SCHEMA.birthDate))
        entity.occupations = sorted(str(o) for o in graph.objects(node, SCHEMA.jobTitle))
        for death in graph.subjects(CRM.P100_was_death_of, node):
            entity.death = years_of(
                graph.value(death, CN.earliestDate), graph.value(death, CN.latestDate)
            ) or years_of(graph.value(death, CN.edtf))
            for place in graph.objects(death, SCHEMA.location):
                entity.connected.append(_connected(graph, place, "place of death", links))
        entity.death = entity.death or years_of(*graph.objects(node, SCHEMA.deathDate))
        for work in graph.subjects(SCHEMA.author, node):
            entity.connected.append(_connected(graph, work, "work", links))
    elif kind == "work":
        entity.date = years_of(
            graph.value(node, CN.earliestDate), graph.value(node, CN.latestDate)
        ) or years_of(graph.value(node, CN.edtf), graph.value(node, SCHEMA.datePublished))
        for author in graph.objects(node, SCHEMA.author):
            entity.connected.append(_connected(graph, author, "author", links))
    elif kind == "place":
        for container in graph.objects(node, SCHEMA.containedInPlace):
            entity.connected.append(_connected(graph, container, "country", links))
    entity.connected.sort(key=lambda c: (c.role, c.names))
    return entity
