"""HTML pages for people: a resource's labels, properties with links, and its passages.

The page is built from the same N-Triples an RDF client gets, so it shows nothing the data
does not say; the passages come from one extra query over the mentions' selectors, and every
quotation of the translated text is shown with the translation's rights statement.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import render_template

from carnets import conneg
from carnets.namespaces import PREFIXES
from carnets.store.base import is_safe_iri
from carnets.web.app import publisher

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "https://schema.org/name",
    "http://purl.org/dc/terms/title",
)
TEXT = "https://schema.org/text"
RIGHTS = "http://purl.org/dc/terms/rights"
CONTEXT_CHARS = 160

PASSAGES = """
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?entry ?label ?date ?start ?end ?text ?rights WHERE {
  ?mention oa:hasBody <%s> ; oa:hasTarget ?target .
  ?target oa:hasSource ?entry ; oa:hasSelector ?position .
  ?position oa:start ?start ; oa:end ?end .
  ?entry schema:text ?text .
  OPTIONAL { ?entry skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en")) }
  OPTIONAL { ?entry schema:dateCreated ?date }
  OPTIONAL { ?entry dcterms:rights ?rights }
} ORDER BY ?date ?entry ?start LIMIT 500
"""

# A person's death as the record has it, and each of Serge's reports of it, side by side.
DEATH = """
PREFIX cn: <https://w3id.org/carnets/ontology#>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?death ?date ?place ?manner ?cause ?report ?entry ?entryDate ?words ?reported ?certainty
WHERE {
  ?death crm:P100_was_death_of <%s> .
  OPTIONAL { ?death cn:edtf ?date }
  OPTIONAL { ?death schema:location/skos:prefLabel ?place FILTER(LANGMATCHES(LANG(?place), "en")) }
  OPTIONAL { ?death cn:manner/skos:prefLabel ?manner FILTER(LANGMATCHES(LANG(?manner), "en")) }
  OPTIONAL { ?death cn:cause ?cause }
  OPTIONAL {
    ?report cn:reportsDeath ?death ; cn:reportedIn ?entry ; cn:quote ?words .
    ?entry schema:dateCreated ?entryDate .
    OPTIONAL { ?report cn:reportedManner/skos:prefLabel ?reported
               FILTER(LANGMATCHES(LANG(?reported), "en")) }
    OPTIONAL { ?report cn:certainty/skos:prefLabel ?certainty
               FILTER(LANGMATCHES(LANG(?certainty), "en")) }
  }
} ORDER BY ?entryDate
"""
# Mentions and their targets are shown as quoted passages, not as links without a label.
ANNOTATION_TYPES = (
    ox.NamedNode("https://w3id.org/carnets/ontology#Mention"),
    ox.NamedNode("http://www.w3.org/ns/oa#SpecificResource"),
)


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
class Value:
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


def curie(iri: str) -> str:
    best = max(
        ((p, str(ns)) for p, ns in PREFIXES.items() if iri.startswith(str(ns))),
        key=lambda pair: len(pair[1]),
        default=None,
    )
    return f"{best[0]}:{iri[len(best[1]) :]}" if best else iri


def local_href(iri: str) -> str:
    base = publisher().base
    return "/" + iri[len(base) :] if iri.startswith(base) else iri


class _Graph:
    """The description's triples, indexed for rendering."""

    def __init__(self, n_triples: bytes) -> None:
        self.out: dict[ox.NamedNode | ox.BlankNode, list[tuple[str, object]]] = defaultdict(list)
        self.incoming: dict[str, list[tuple[object, str]]] = defaultdict(list)
        for triple in ox.parse(n_triples, ox.RdfFormat.N_TRIPLES):
            self.out[triple.subject].append((triple.predicate.value, triple.object))
            if isinstance(triple.object, ox.NamedNode):
                self.incoming[triple.object.value].append((triple.subject, triple.predicate.value))

    def is_annotation(self, node) -> bool:
        return any((RDF_TYPE, kind) in self.out.get(node, []) for kind in ANNOTATION_TYPES)

    def label(self, node) -> str:
        """The preferred label, in English if there is one; a CURIE when there is none."""
        if not isinstance(node, ox.NamedNode):
            return "(anonymous)"
        best: tuple[tuple[int, bool], str] | None = None
        for predicate, obj in self.out.get(node, []):
            if predicate in LABELS and isinstance(obj, ox.Literal):
                rank = (LABELS.index(predicate), obj.language not in (None, "en"))
                if best is None or rank < best[0]:
                    best = (rank, obj.value)
        return best[1] if best else curie(node.value)

    def value(self, node, depth: int = 0) -> Value:
        if isinstance(node, ox.Literal):
            datatype = (
                None
                if node.language or node.datatype.value.endswith("#string")
                else curie(node.datatype.value)
            )
            return Value(node.value, lang=node.language, datatype=datatype)
        if isinstance(node, ox.BlankNode):
            nested = self.properties(node, depth + 1) if depth < 3 else []
            return Value("", nested=nested)
        return Value(self.label(node), href=local_href(node.value))

    def properties(self, node, depth: int = 0) -> list[tuple[Value, list[Value]]]:
        grouped: dict[str, list] = defaultdict(list)
        for predicate, obj in self.out.get(node, []):
            if obj not in grouped[predicate]:
                grouped[predicate].append(obj)
        return [
            (Value(curie(p), href=p), [self.value(o, depth) for o in objs])
            for p, objs in sorted(
                grouped.items(), key=lambda item: (item[0] != RDF_TYPE, curie(item[0]))
            )
        ]


def resource_page(iri: str, n_triples: bytes) -> str:
    graph = _Graph(n_triples)
    subject = ox.NamedNode(iri)
    properties = [(name, values) for name, values in graph.properties(subject) if name.href != TEXT]
    texts = [o.value for p, o in graph.out.get(subject, []) if p == TEXT]
    rights = [o.value for p, o in graph.out.get(subject, []) if p == RIGHTS]
    incoming = sorted(
        {
            (graph.label(s), local_href(s.value), curie(p))
            for s, p in graph.incoming.get(iri, [])
            if isinstance(s, ox.NamedNode) and s != subject and not graph.is_annotation(s)
        }
    )
    return render_template(
        "resource.html",
        iri=iri,
        title=graph.label(subject),
        properties=properties,
        texts=texts,
        rights=rights[0] if rights else dataset_rights(),
        incoming=incoming,
        passages=passages(iri),
        death=death(iri),
        formats=conneg.SUFFIXES,
        path=local_href(iri).split("#")[0],
    )


def passages(iri: str) -> list[Passage]:
    """Every passage that mentions `iri`, quoted with some of the text around it."""
    if not is_safe_iri(iri):
        return []
    carnets = publisher()
    result = carnets.store.query(
        PASSAGES % iri, conneg.SPARQL_JSON, timeout=carnets.settings.query_timeout
    )
    found = []
    for row in json.loads(result.body)["results"]["bindings"]:
        text = row["text"]["value"]
        start, end = int(row["start"]["value"]), int(row["end"]["value"])
        before = text[max(0, start - CONTEXT_CHARS) : start]
        after = text[end : end + CONTEXT_CHARS]
        if start > CONTEXT_CHARS and " " in before:
            before = "…" + before[before.index(" ") + 1 :]
        if end + CONTEXT_CHARS < len(text) and " " in after:
            after = after[: after.rindex(" ")] + "…"
        entry = row["entry"]["value"]
        label = row.get("label", row.get("date", row["entry"]))["value"]
        found.append(
            Passage(
                Value(label, href=local_href(entry)),
                before,
                text[start:end],
                after,
                row.get("rights", {}).get("value") or dataset_rights(),
            )
        )
    return found


def death(iri: str) -> Death | None:
    """The recorded death of a person and Serge's reports of it, or None."""
    if not is_safe_iri(iri):
        return None
    carnets = publisher()
    result = carnets.store.query(
        DEATH % iri, conneg.SPARQL_JSON, timeout=carnets.settings.query_timeout
    )
    rows = json.loads(result.body)["results"]["bindings"]
    if not rows:
        return None

    def text(row: dict, name: str) -> str | None:
        return row[name]["value"] if name in row else None

    first = rows[0]
    found = Death(
        Value("the record", href=local_href(first["death"]["value"])),
        text(first, "date"),
        text(first, "place"),
        text(first, "manner"),
        text(first, "cause"),
    )
    for row in rows:
        if "report" in row:
            entry = Value(row["entryDate"]["value"], href=local_href(row["entry"]["value"]))
            found.reports.append(
                Report(entry, row["words"]["value"], text(row, "reported"), text(row, "certainty"))
            )
    return found


def dataset_rights() -> str | None:
    """The rights statement of the translation, as the dataset description gives it."""
    carnets = publisher()
    query = (
        f"SELECT ?rights WHERE {{ <{carnets.base}dataset> <http://purl.org/dc/terms/rights> "
        "?rights } LIMIT 1"
    )
    result = carnets.store.query(query, conneg.SPARQL_JSON, timeout=carnets.settings.query_timeout)
    rows = json.loads(result.body)["results"]["bindings"]
    return rows[0]["rights"]["value"] if rows else None


def home_page() -> str:
    carnets = publisher()
    result = carnets.store.query(
        """PREFIX schema: <https://schema.org/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX cn: <https://w3id.org/carnets/ontology#>
        SELECT ?entry ?label WHERE { ?entry a cn:Entry . OPTIONAL { ?entry skos:prefLabel ?label }
          OPTIONAL { ?entry schema:position ?n } OPTIONAL { ?entry schema:dateCreated ?d } }
        ORDER BY ?n ?d ?entry LIMIT 100""",
        conneg.SPARQL_JSON,
        timeout=carnets.settings.query_timeout,
    )
    entries = [
        Value(row.get("label", row["entry"])["value"], href=local_href(row["entry"]["value"]))
        for row in json.loads(result.body)["results"]["bindings"]
    ]
    return render_template(
        "home.html", base=carnets.base, entries=entries, counts=carnets.triple_counts
    )
