"""The resource service: one typed view of a resource, from one query, for its page.

A person's page needs the resource's statements with the labels of what they point to, what
points at it, a page of the passages that mention it (quoted from the entry's text), its recorded
death beside the writer's reports of it, and the translation's rights. VIEW asks for all of that at
once, with ?r bound by the store (never pasted into the text), and `view` turns the rows into
dataclasses the templates render. Nothing here imports Flask.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from carnets.namespaces import PREFIXES
from carnets.services.display import When, local_href, when
from carnets.services.texts import (
    TEXT_BRANCHES,
    AnnotatedText,
    Neighbours,
    annotate,
    neighbours,
)
from carnets.store.base import (
    PAGE_SIZE,
    Rows,
    Store,
    mention_page_query,
    read_mention_page,
    values,
)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "https://schema.org/name",
    "http://purl.org/dc/terms/title",
)
TEXT = "https://schema.org/text"
POSITION = "https://schema.org/position"
DATE_CREATED = "https://schema.org/dateCreated"
CN = "https://w3id.org/carnets/ontology#"
DATES = (DATE_CREATED, CN + "edtf", CN + "earliestDate", CN + "latestDate")
RIGHTS = "http://purl.org/dc/terms/rights"
CONTEXT_CHARS = 160  # characters of text quoted on each side of a mention
INCOMING_LIMIT = 500  # resources listed as referring to one resource

# Each UNION branch binds ?part to say which part of the view its rows are; #MENTIONS# becomes
# the VALUES of one page of the mentions (see carnets.store.base.MENTION_PAGE). Mentions, their
# targets and the entries that
# mention the resource are not listed as referring resources: they are shown as passages.
VIEW = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX cn: <https://w3id.org/carnets/ontology#>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
SELECT * WHERE {
  {
    BIND("out" AS ?part)
    ?r ?p ?o .
    OPTIONAL { ?o skos:prefLabel|rdfs:label|schema:name|dcterms:title ?label }
  } UNION {
    BIND("blank" AS ?part)
    ?r ?via ?node . FILTER(isBlank(?node)) ?node ?p ?o .
    OPTIONAL { ?o skos:prefLabel|rdfs:label|schema:name|dcterms:title ?label }
  } UNION {
    BIND("in" AS ?part)
    { SELECT DISTINCT ?s ?p WHERE {
        ?s ?p ?r .
        FILTER(?p NOT IN (oa:hasBody, oa:hasSource, schema:mentions))
      } LIMIT #INCOMING# }
    OPTIONAL { ?s skos:prefLabel|rdfs:label|schema:name|dcterms:title ?label }
  } UNION {
    BIND("passage" AS ?part)
    #MENTIONS#
    ?mention oa:hasTarget ?target .
    ?target oa:hasSource ?entry ; oa:hasSelector ?position .
    ?position oa:start ?start ; oa:end ?end .
    OPTIONAL { ?entry schema:dateCreated ?date }
    ?entry schema:text ?text .
    OPTIONAL { ?entry skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en")) }
    OPTIONAL { ?entry dcterms:rights ?rights }
    BIND(IF(?start > #CONTEXT#, ?start - #CONTEXT#, 0) AS ?from)
    BIND(SUBSTR(?text, ?from + 1, ?start - ?from) AS ?before)
    BIND(SUBSTR(?text, ?start + 1, ?end - ?start) AS ?quote)
    BIND(SUBSTR(?text, ?end + 1, #CONTEXT#) AS ?after)
    BIND(?from > 0 AS ?cutBefore)
    BIND(STRLEN(?text) > ?end + #CONTEXT# AS ?cutAfter)
  } UNION {
    BIND("death" AS ?part)
    ?death crm:P100_was_death_of ?r .
    OPTIONAL { ?death cn:edtf ?date }
    OPTIONAL { ?death schema:location/skos:prefLabel ?place
               FILTER(LANGMATCHES(LANG(?place), "en")) }
    OPTIONAL { ?death cn:manner/skos:prefLabel ?manner FILTER(LANGMATCHES(LANG(?manner), "en")) }
    OPTIONAL { ?death cn:cause ?cause }
  } UNION {
    BIND("report" AS ?part)
    ?death crm:P100_was_death_of ?r .
    ?report cn:reportsDeath ?death ; cn:reportedIn ?entry ; cn:quote ?words .
    ?entry schema:dateCreated ?entryDate .
    OPTIONAL { ?report cn:reportedManner/skos:prefLabel ?reported
               FILTER(LANGMATCHES(LANG(?reported), "en")) }
    OPTIONAL { ?report cn:certainty/skos:prefLabel ?certainty
               FILTER(LANGMATCHES(LANG(?certainty), "en")) }
  } UNION {
    BIND("fact" AS ?part)
    {
      #FACTS#
    }
    OPTIONAL { ?fact skos:prefLabel ?label }
    OPTIONAL { ?fact cn:edtf ?date ; cn:earliestDate ?earliest ; cn:latestDate ?latest }
    OPTIONAL { ?fact cn:attestedIn ?entry . OPTIONAL { ?entry skos:prefLabel ?entryLabel } }
#TEXT#  } UNION {
    BIND("rights" AS ?part)
    ?dataset dcterms:rights ?rights .
  }
}
""".replace("#TEXT#", TEXT_BRANCHES.lstrip("\n"))

# The meetings, letters, publications, citizenships and related events a page lists under their
# own headings, in this order: (kind, the pattern that binds ?fact from ?r).
FACTS = (
    ("Meetings", "?fact schema:participant ?r ; a cn:Meeting ."),
    ("Letters sent", "?fact schema:sender ?r ; a cn:Letter ."),
    ("Letters received", "?fact schema:recipient ?r ; a cn:Letter ."),
    ("Answers", "?r cn:answers ?fact ."),
    ("Answered by", "?fact cn:answers ?r ."),
    ("Citizenship", "?r cn:citizenship ?fact ."),
    ("Publications", "?r schema:publication ?fact ."),
    ("Publication of", "?fact schema:publication ?r ."),
    ("Part of", "?r schema:superEvent ?fact ."),
    ("Includes", "?fact schema:superEvent ?r ."),
    ("Caused by", "?r cn:causedBy ?fact ."),
    ("Led to", "?fact cn:causedBy ?r ."),
    ("After", "?fact cn:followedBy ?r ."),
    ("Followed by", "?r cn:followedBy ?fact ."),
)
VIEW = VIEW.replace(
    "#FACTS#",
    "\n    } UNION {\n      ".join(f'BIND("{kind}" AS ?kind) {pattern}' for kind, pattern in FACTS),
)

HOME = """
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX cn: <https://w3id.org/carnets/ontology#>
SELECT ?entry ?label WHERE {
  ?entry a cn:Entry .
  OPTIONAL { ?entry skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en")) }
  OPTIONAL { ?entry schema:position ?n } OPTIONAL { ?entry schema:dateCreated ?d }
} ORDER BY ?n ?d ?entry LIMIT 1000
"""


@dataclass
class Value:
    """A term as a page shows it: text, a link for resources, language or datatype for literals."""

    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None
    nested: list[tuple[Value, list[Value]]] = field(default_factory=list)


@dataclass
class Passage:
    entry: Value
    before: str
    quote: str
    after: str
    rights: str | None
    anchor: str | None = None  # the mention's place in the entry's page (its IRI's fragment)


@dataclass
class Report:
    entry: Value
    words: str
    manner: str | None
    certainty: str | None


@dataclass
class Death:
    record: Value
    date: str | None
    place: str | None
    manner: str | None
    cause: str | None
    reports: list[Report] = field(default_factory=list)


@dataclass
class Fact:
    """A meeting, letter, publication, citizenship or related event, listed on a page."""

    value: Value
    when: When | None
    passage: Value | None  # the entry or editorial text that reports it


@dataclass
class Pages:
    """Where a page of passages sits among all of them."""

    number: int
    size: int
    total: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))


@dataclass
class ResourceView:
    iri: str
    title: str
    properties: list[tuple[Value, list[Value]]]
    texts: list[str]
    rights: str | None
    incoming: list[tuple[str, str, str]]  # label, link, property (as a CURIE)
    passages: list[Passage]
    pages: Pages
    death: Death | None
    # For a resource with a text (an entry, an editorial note): the text with its mentions and
    # the writer's reports anchored in it, and the texts before and after it in the notebooks.
    text: AnnotatedText | None = None
    neighbours: Neighbours | None = None
    types: list[str] = field(default_factory=list)
    lang: str = "en"
    when: When | None = None  # its date (an entry's day, a death's EDTF), uncertainty kept
    # Meetings, letters, publications, citizenships and related events, by kind (FACTS' order).
    facts: list[tuple[str, list[Fact]]] = field(default_factory=list)


def curie(iri: str) -> str:
    best = max(
        ((p, str(ns)) for p, ns in PREFIXES.items() if iri.startswith(str(ns))),
        key=lambda pair: len(pair[1]),
        default=None,
    )
    return f"{best[0]}:{iri[len(best[1]) :]}" if best else iri


class Statements:
    """Statements about some subjects, with the labels of the terms they use, for a page."""

    def __init__(self, base: str, lang: str = "en") -> None:
        self.base = base
        self.lang = lang
        self.out: dict[object, list[tuple[str, object]]] = defaultdict(list)
        self.labels: dict[object, list[tuple[str, ox.Literal]]] = defaultdict(list)

    @classmethod
    def from_triples(cls, base: str, triples: Iterable[ox.Triple]) -> Statements:
        found = cls(base)
        for triple in triples:
            found.add(triple.subject, triple.predicate.value, triple.object)
        return found

    def add(self, subject, predicate: str, obj) -> None:
        if (predicate, obj) not in self.out[subject]:
            self.out[subject].append((predicate, obj))
        if predicate in LABELS and isinstance(obj, ox.Literal):
            self.labels[subject].append((predicate, obj))

    def href(self, iri: str) -> str:
        return local_href(iri, self.base)

    def label(self, node) -> str:
        """The preferred label, in the page's language (else English) if there is one; a CURIE
        when there is none."""
        if not isinstance(node, ox.NamedNode):
            return "(anonymous)"
        ranked = sorted(
            self.labels.get(node, []),
            key=lambda pair: (
                LABELS.index(pair[0]),
                pair[1].language != self.lang,
                pair[1].language not in (None, "en"),
            ),
        )
        return ranked[0][1].value if ranked else curie(node.value)

    def value(self, node, depth: int = 0) -> Value:
        if isinstance(node, ox.Literal):
            datatype = (
                None
                if node.language or node.datatype.value.endswith("#string")
                else curie(node.datatype.value)
            )
            return Value(node.value, lang=node.language, datatype=datatype)
        if isinstance(node, ox.BlankNode):
            return Value("", nested=self.properties(node, depth + 1) if depth < 3 else [])
        return Value(self.label(node), href=self.href(node.value))

    def properties(self, node, depth: int = 0) -> list[tuple[Value, list[Value]]]:
        grouped: dict[str, list] = defaultdict(list)
        for predicate, obj in self.out.get(node, []):
            grouped[predicate].append(obj)
        return [
            (Value(curie(p), href=self.href(p)), [self.value(o, depth) for o in objs])
            for p, objs in sorted(
                grouped.items(), key=lambda item: (item[0] != RDF_TYPE, curie(item[0]))
            )
        ]


class ResourceService:
    """Views of the edition's resources for its pages, each from one query on the store."""

    def __init__(
        self, store: Store, base: str, *, page_size: int = PAGE_SIZE, timeout: float = 30.0
    ) -> None:
        self.store = store
        self.base = base
        self.page_size = page_size
        self.timeout = timeout

    def view(self, iri: str, page: int = 1, lang: str = "en") -> ResourceView | None:
        """The page `page` of a resource's view, or None if the store says nothing of it.

        Labels are in `lang` where the graph has them (else English); quotations stay in the
        language of the text.
        """
        size = self.page_size
        page_rows = self.store.select(mention_page_query(iri, page, size), timeout=self.timeout)
        total, mentions = read_mention_page(page_rows)
        if page > 1 and not mentions:
            return None
        text = (
            VIEW.replace("#MENTIONS#", values("mention", mentions))
            .replace("#INCOMING#", str(INCOMING_LIMIT))
            .replace("#CONTEXT#", str(CONTEXT_CHARS))
        )
        bindings = {"r": ox.NamedNode(iri), "dataset": ox.NamedNode(self.base + "dataset")}
        rows = self.store.select(text, bindings, self.timeout)
        parts: dict[str, Rows] = defaultdict(list)
        for row in rows:
            parts[row.pop("part").value].append(row)
        if not (parts["out"] or parts["in"] or parts["passage"]):
            return None
        subject = ox.NamedNode(iri)
        statements = self._statements(subject, parts, lang)
        rights = parts["rights"][0]["rights"].value if parts["rights"] else None
        view = self._view(
            subject,
            statements,
            rights,
            [self._passage(row, rights) for row in sorted(parts["passage"], key=_text_order)],
            Pages(page, size, total),
            self._death(parts["death"], parts["report"]),
        )
        view.lang = lang
        view.facts = self._facts(parts["fact"], lang)
        own = statements.out.get(subject, [])
        view.types = sorted(o.value for p, o in own if p == RDF_TYPE)
        if view.texts:
            view.text = annotate(
                view.texts[0], parts["textmention"], parts["textreport"], self._href, lang
            )
        dates = {p: o.value for p, o in own if p in DATES}
        view.when = when(
            dates.get(CN + "edtf"),
            dates.get(CN + "earliestDate"),
            dates.get(CN + "latestDate"),
            exact=dates.get(DATE_CREATED),
            lang=lang,
        )
        position = next((o.value for p, o in own if p == POSITION), None)
        view.neighbours = neighbours(
            parts["neighbour"], int(position) if position else None, self._href, lang
        )
        return view

    def _statements(
        self, subject: ox.NamedNode, parts: dict[str, Rows], lang: str = "en"
    ) -> Statements:
        statements = Statements(self.base, lang)
        for row in parts["out"] + parts["blank"]:
            node = row.get("node", subject)
            statements.add(node, row["p"].value, row["o"])
            if "label" in row:
                statements.add(row["o"], LABELS[0], row["label"])
        for row in parts["in"]:
            statements.add(row["s"], row["p"].value, subject)
            if "label" in row:
                statements.add(row["s"], LABELS[0], row["label"])
        return statements

    def page_of_triples(self, iri: str, triples: Iterable[ox.Triple]) -> ResourceView:
        """A view of statements held outside the store (the release's VoID)."""
        statements = Statements.from_triples(self.base, triples)
        rights = next(
            (o.value for p, o in statements.out.get(ox.NamedNode(iri), []) if p == RIGHTS), None
        )
        pages = Pages(1, self.page_size, 0)
        return self._view(ox.NamedNode(iri), statements, rights, [], pages, None)

    def _view(
        self,
        subject: ox.NamedNode,
        statements: Statements,
        rights: str | None,
        passages: list[Passage],
        pages: Pages,
        death: Death | None,
    ) -> ResourceView:
        own = statements.out.get(subject, [])
        own_rights = [o.value for p, o in own if p == RIGHTS]
        incoming = {
            (statements.label(s), statements.href(s.value), curie(p))
            for s, statements_of_s in statements.out.items()
            if isinstance(s, ox.NamedNode) and s != subject
            for p, o in statements_of_s
            if o == subject
        }
        return ResourceView(
            iri=subject.value,
            title=statements.label(subject),
            properties=[(n, v) for n, v in statements.properties(subject) if n.href != TEXT],
            texts=[o.value for p, o in own if p == TEXT],
            rights=own_rights[0] if own_rights else rights,
            incoming=sorted(incoming),
            passages=passages,
            pages=pages,
            death=death,
        )

    def _passage(self, row: dict, dataset_rights: str | None) -> Passage:
        before, after = row["before"].value, row["after"].value
        if row["cutBefore"].value == "true" and " " in before:
            before = "…" + before[before.index(" ") + 1 :]
        if row["cutAfter"].value == "true" and " " in after:
            after = after[: after.rindex(" ")] + "…"
        label = row.get("label", row.get("date", row["entry"])).value
        rights = row["rights"].value if "rights" in row else dataset_rights
        entry = self._href(row["entry"].value)
        mention = row["mention"].value
        return Passage(
            Value(label, href=entry),
            before,
            row["quote"].value,
            after,
            rights,
            entry + "#" + mention.rsplit("#", 1)[-1] if "#" in mention else entry,
        )

    def _death(self, rows: Rows, reports: Rows) -> Death | None:
        if not rows:
            return None

        def text(row: dict, name: str) -> str | None:
            return row[name].value if name in row else None

        first = rows[0]
        found = Death(
            Value("the record", href=self._href(first["death"].value)),
            text(first, "date"),
            text(first, "place"),
            text(first, "manner"),
            text(first, "cause"),
        )
        for row in sorted(reports, key=lambda row: row["entryDate"].value):
            found.reports.append(
                Report(
                    Value(row["entryDate"].value, href=self._href(row["entry"].value)),
                    row["words"].value,
                    text(row, "reported"),
                    text(row, "certainty"),
                )
            )
        return found

    def _facts(self, rows: Rows, lang: str) -> list[tuple[str, list[Fact]]]:
        """The rows of the "fact" branch as lists per kind, labels in the page's language."""
        labels: dict[tuple[str, str], dict[str | None, str]] = defaultdict(dict)
        found: dict[tuple[str, str], dict] = {}
        for row in rows:
            key = (row["kind"].value, row["fact"].value)
            found.setdefault(key, row)
            for name, node in (("label", "fact"), ("entryLabel", "entry")):
                if name in row and node in row:
                    labels[(name, row[node].value)][row[name].language] = row[name].value

        def label(name: str, iri: str) -> str:
            known = labels.get((name, iri), {})
            return known.get(lang) or known.get("en") or next(iter(known.values()), curie(iri))

        grouped: dict[str, list[tuple[str, Fact]]] = defaultdict(list)
        for (kind, iri), row in found.items():
            dates = [row[n].value if n in row else None for n in ("date", "earliest", "latest")]
            entry = row["entry"].value if "entry" in row else None
            fact = Fact(
                Value(label("label", iri), href=self._href(iri)),
                when(*dates, lang=lang) if dates[0] else None,
                Value(label("entryLabel", entry), href=self._href(entry)) if entry else None,
            )
            grouped[kind].append((dates[1] or "", fact))
        return [
            (
                kind,
                [fact for _, fact in sorted(grouped[kind], key=lambda p: (p[0], p[1].value.text))],
            )
            for kind, _ in FACTS
            if grouped.get(kind)
        ]

    def _href(self, iri: str) -> str:
        return Statements(self.base).href(iri)

    def entries(self) -> list[Value]:
        """The edition's entries in their order, for the home page."""
        return [
            Value(row.get("label", row["entry"]).value, href=self._href(row["entry"].value))
            for row in self.store.select(HOME, timeout=self.timeout)
        ]


def _text_order(row: dict) -> tuple:
    """Passages by the entry's date, the entry, then where they are in its text."""
    date = row["date"].value if "date" in row else ""
    return (date, row["entry"].value, int(row["start"].value))
