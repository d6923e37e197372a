"""Indices of the edition's resources: people, places, works, events, organisations, deaths,
entries and editorial texts, each resource once, with how often the texts mention it.

One query per index, grouped by resource, so that a resource with labels in three languages
or mentions in forty passages is still one row; labels are picked in the reader's language
(else English) here, not in the query. The class is bound by the store, never pasted in.
Nothing here imports Flask.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from carnets.services.display import When, local_href, when
from carnets.services.texts import CN, KINDS, pick
from carnets.store.base import Store

PREFIXES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX cn: <https://w3id.org/carnets/ontology#>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
"""

# Every index: the resources of ?class, their labels (each language apart, see `_labels`), and
# their mentions, in entries and in the editorial texts. Each part binds ?part; the facts an
# index shows besides come from FACTS.
INDEX = (
    PREFIXES
    + """
SELECT * WHERE {
  ?r a ?class .
  {
    BIND("label" AS ?part)
    ?r skos:prefLabel ?label .
  } UNION {
    BIND("count" AS ?part)
    { SELECT ?r (COUNT(DISTINCT ?m) AS ?mentions) (COUNT(DISTINCT ?entry) AS ?entries)
             (COUNT(DISTINCT ?note) AS ?notes)
      WHERE {
        ?r a ?class .
        ?m oa:hasBody ?r ; oa:hasTarget/oa:hasSource ?text .
        OPTIONAL { ?text a cn:Entry BIND(?text AS ?entry) }
        OPTIONAL { ?text a cn:EditorialText BIND(?text AS ?note) }
      } GROUP BY ?r }
  } UNION {
    BIND("fact" AS ?part)
    #FACTS#
  }
}
"""
)

# What each index shows besides the name and the counts: ?fact names the column, ?value (a
# literal) or ?link and ?linkLabel (a resource and its labels) fill it.
FACTS: dict[str, str] = {
    "Person": """
      { ?r schema:birthDate ?value BIND("born" AS ?fact) }
      UNION { ?death crm:P100_was_death_of ?r ; cn:edtf ?value BIND("died" AS ?fact) }
      UNION { ?death crm:P100_was_death_of ?r ; cn:earliestDate ?value BIND("dateFrom" AS ?fact) }
      UNION { ?death crm:P100_was_death_of ?r ; cn:latestDate ?value BIND("dateTo" AS ?fact) }
      UNION { ?r cn:relationToSerge ?link . ?link skos:prefLabel ?linkLabel
              BIND("relation" AS ?fact) }
      UNION { ?r owl:sameAs ?link FILTER(STRSTARTS(STR(?link), "http://www.wikidata.org/"))
              BIND("wikidata" AS ?fact) }
    """,
    "Work": """
      { ?r schema:author ?link . ?link skos:prefLabel ?linkLabel BIND("author" AS ?fact) }
      UNION { ?r cn:edtf ?value BIND("date" AS ?fact) }
      UNION { ?r cn:earliestDate ?value BIND("dateFrom" AS ?fact) }
      UNION { ?r cn:latestDate ?value BIND("dateTo" AS ?fact) }
      UNION { ?r a ?link FILTER(STRSTARTS(STR(?link), "https://schema.org/")
                               && ?link != schema:CreativeWork) BIND("genre" AS ?fact) }
    """,
    "Event": """
      { ?r cn:edtf ?value BIND("date" AS ?fact) }
      UNION { ?r cn:earliestDate ?value BIND("dateFrom" AS ?fact) }
      UNION { ?r cn:latestDate ?value BIND("dateTo" AS ?fact) }
      UNION { ?r schema:location ?link . ?link skos:prefLabel ?linkLabel BIND("place" AS ?fact) }
    """,
    "Place": """
      { ?r schema:containedInPlace ?link . ?link skos:prefLabel ?linkLabel
        BIND("within" AS ?fact) }
      UNION { ?r owl:sameAs ?link FILTER(STRSTARTS(STR(?link), "http://www.wikidata.org/"))
              BIND("wikidata" AS ?fact) }
    """,
    "Organization": """
      { ?r owl:sameAs ?link FILTER(STRSTARTS(STR(?link), "http://www.wikidata.org/"))
        BIND("wikidata" AS ?fact) }
    """,
    "Death": """
      { ?r crm:P100_was_death_of ?link . ?link skos:prefLabel ?linkLabel
        BIND("person" AS ?fact) }
      UNION { ?r cn:edtf ?value BIND("date" AS ?fact) }
      UNION { ?r cn:earliestDate ?value BIND("dateFrom" AS ?fact) }
      UNION { ?r cn:latestDate ?value BIND("dateTo" AS ?fact) }
      UNION { ?r schema:location ?link . ?link skos:prefLabel ?linkLabel BIND("place" AS ?fact) }
      UNION { ?r cn:manner ?link . ?link skos:prefLabel ?linkLabel BIND("manner" AS ?fact) }
      UNION { ?report cn:reportsDeath ?r ; cn:reportedIn ?link .
              ?link schema:dateCreated ?value BIND("report" AS ?fact) }
      UNION { { SELECT ?r (COUNT(?m) AS ?value) WHERE {
                  ?r a ?class ; crm:P100_was_death_of ?person . ?m oa:hasBody ?person
                } GROUP BY ?r }
              BIND("personMentions" AS ?fact) }
    """,
    "Entry": """
      { ?r schema:dateCreated ?value BIND("date" AS ?fact) }
      UNION { ?r schema:position ?value BIND("position" AS ?fact) }
      UNION { { SELECT ?r (COUNT(?report) AS ?value) WHERE {
                  ?r a ?class . ?report cn:reportedIn ?r } GROUP BY ?r }
              BIND("reports" AS ?fact) }
      UNION { { SELECT ?r (COUNT(?m) AS ?value) WHERE {
                  ?r a ?class . ?t oa:hasSource ?r . ?m oa:hasTarget ?t } GROUP BY ?r }
              BIND("inside" AS ?fact) }
    """,
    "EditorialText": """
      { { SELECT ?r (COUNT(?m) AS ?value) WHERE {
            ?r a ?class . ?t oa:hasSource ?r . ?m oa:hasTarget ?t } GROUP BY ?r }
        BIND("inside" AS ?fact) }
    """,
}

# The indices this server offers: the path segment of the resources' URIs, the class, and how
# a page names them.
KINDS_BY_PATH: dict[str, str] = {
    "person": "Person",
    "place": "Place",
    "work": "Work",
    "event": "Event",
    "organization": "Organization",
    "death": "Death",
    "entry": "Entry",
    "note": "EditorialText",
}
TITLES: dict[str, dict[str, str]] = {
    "Person": {"en": "People", "fr": "Personnes"},
    "Place": {"en": "Places", "fr": "Lieux"},
    "Work": {"en": "Works", "fr": "Œuvres"},
    "Event": {"en": "Events", "fr": "Événements"},
    "Organization": {"en": "Organisations", "fr": "Organisations"},
    "Death": {"en": "Deaths", "fr": "Décès"},
    "Entry": {"en": "Entries", "fr": "Entrées"},
    "EditorialText": {"en": "Editorial texts", "fr": "Textes éditoriaux"},
}
SORTS = ("name", "mentions", "entries", "date")


@dataclass
class Link:
    label: str
    href: str


@dataclass
class Row:
    """One resource of an index, with what its columns show."""

    href: str
    label: str
    sort_label: str
    mentions: int = 0
    entries: int = 0
    notes: int = 0
    when: When | None = None
    facts: dict[str, list[Link | str]] = field(default_factory=dict)


@dataclass
class Index:
    kind: str
    path: str
    title: str
    rows: list[Row]
    sort: str
    descending: bool
    columns: list[str]  # the facts shown, in order


def sort_key(text: str) -> str:
    """Names sorted as a reader expects: accents and case set aside."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lstrip("“\"'‘ ")


class IndexService:
    """The indices of the edition for its pages, one query each."""

    def __init__(self, store: Store, base: str, *, timeout: float = 30.0) -> None:
        self.store = store
        self.base = base
        self.timeout = timeout

    def href(self, iri: str) -> str:
        return local_href(iri, self.base)

    def index(
        self, path: str, lang: str = "en", sort: str = "name", descending: bool = False
    ) -> Index | None:
        """The index of the resources under `{base}{path}/`, or None if there is no such index."""
        kind = KINDS_BY_PATH.get(path)
        if kind is None:
            return None
        text = INDEX.replace("#FACTS#", FACTS[kind])
        rows = self.store.select(text, {"class": ox.NamedNode(CN + kind)}, self.timeout)
        found = self._rows(kind, rows, lang)
        columns = _columns(kind, found)
        sort = sort if sort in SORTS else "name"
        _sort(found, sort, descending)
        title = TITLES[kind].get(lang, TITLES[kind]["en"])
        return Index(kind, path, title, found, sort, descending, columns)

    def _rows(self, kind: str, rows: list[dict], lang: str) -> list[Row]:
        labels: dict[str, dict] = defaultdict(dict)
        counts: dict[str, dict] = {}
        facts: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        link_labels: dict[tuple[str, str], dict] = defaultdict(dict)
        for row in rows:
            iri = row["r"].value
            part = row["part"].value
            if part == "label":
                labels[iri][row["label"].language] = row["label"].value
            elif part == "count":
                counts[iri] = {k: int(row[k].value) for k in ("mentions", "entries", "notes")}
            elif "link" in row:
                link = row["link"].value
                if link not in facts[iri][row["fact"].value]:
                    facts[iri][row["fact"].value].append(link)
                if "linkLabel" in row:
                    link_labels[(iri, link)][row["linkLabel"].language] = row["linkLabel"].value
            else:
                value = row["value"].value
                if value not in facts[iri][row["fact"].value]:
                    facts[iri][row["fact"].value].append(value)
        found = []
        for iri in set(labels) | set(counts) | set(facts):
            of = facts[iri]
            label = pick(labels[iri], lang, iri.rsplit("/", 1)[-1])
            row = Row(self.href(iri), label, sort_key(label), **counts.get(iri, {}))
            row.when = self._when(kind, of, lang)
            row.facts = {
                name: self._fact(kind, name, values, link_labels, iri, lang)
                for name, values in of.items()
                if name in COLUMN_ORDER
            }
            if "inside" in of or "personMentions" in of:
                row.mentions = int((of.get("inside") or of["personMentions"])[0])
            found.append(row)
        return found

    @staticmethod
    def _when(kind: str, of: dict[str, list], lang: str) -> When | None:
        first = {name: values[0] for name, values in of.items() if values}
        if kind == "Entry":
            return when(exact=first["date"], lang=lang) if "date" in first else None
        edtf = first.get("died") if kind == "Person" else first.get("date")
        return when(edtf, first.get("dateFrom"), first.get("dateTo"), lang=lang)

    def _fact(
        self, kind: str, name: str, values: list[str], link_labels: dict, iri: str, lang: str
    ) -> list[Link | str]:
        if name == "report" and kind == "Death":
            return [Link(day_or_value(v, lang), f"/entry/{v}") for v in sorted(values)]
        if name in ("born", "died"):
            return [found.text for v in values if (found := when(edtf=v, lang=lang))]
        return [
            Link(self._link_label(link_labels.get((iri, v), {}), v, lang), self.href(v))
            if v.startswith(("http://", "https://"))
            else v
            for v in values
        ]

    @staticmethod
    def _link_label(labels: dict, iri: str, lang: str) -> str:
        if labels:
            return pick(labels, lang)
        if iri.startswith("http://www.wikidata.org/entity/"):
            return iri.rsplit("/", 1)[-1]
        if iri.startswith("https://schema.org/"):
            return iri.removeprefix("https://schema.org/")
        return iri.rsplit("/", 1)[-1]


def day_or_value(value: str, lang: str) -> str:
    found = when(exact=value, lang=lang)
    return found.text if found else value


COLUMN_ORDER = (
    "person",
    "relation",
    "born",
    "died",
    "author",
    "genre",
    "place",
    "within",
    "manner",
    "report",
    "reports",
    "wikidata",
)


def _columns(kind: str, rows: list[Row]) -> list[str]:
    present = {name for row in rows for name in row.facts}
    return [name for name in COLUMN_ORDER if name in present]


def _sort(rows: list[Row], sort: str, descending: bool) -> None:
    def key(row: Row) -> tuple:
        if sort == "mentions":
            return (row.mentions, row.sort_label)
        if sort == "entries":
            return (row.entries, row.sort_label)
        if sort == "date":
            return (row.when.sort_key if row.when else "9999", row.sort_label)
        return (row.sort_label,)

    # Counts read best most-first; names and dates first-first, unless the reader turns them.
    most_first = sort in ("mentions", "entries")
    rows.sort(key=key, reverse=most_first != descending)


def kind_label(kind: str, lang: str) -> str:
    return KINDS.get(kind, {}).get(lang, kind.lower())
