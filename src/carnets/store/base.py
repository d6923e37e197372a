"""The one interface every store offers, and what is shared by its implementations.

The web layer and the exporters talk to a `Store`; whether it is pyoxigraph in this process or a
SPARQL 1.1 endpoint elsewhere is decided once, by `carnets.store.open_store(settings)`.
Formats are named by canonical media types (those of carnets.conneg) so that nothing between
the HTTP request and the engine has to translate them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol, runtime_checkable

import pyoxigraph as ox

from carnets.conneg import (
    CSV,
    JSON_LD,
    N_QUADS,
    N_TRIPLES,
    RDF_XML,
    SPARQL_JSON,
    SPARQL_XML,
    TRIG,
    TSV,
    TURTLE,
)
from carnets.store.query_text import bind_variables

RESULT_TYPES = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
GRAPH_TYPES = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML)
DATASET_TYPES = (N_QUADS, TRIG, JSON_LD)
PAGE_SIZE = 100  # mentions on one page of a description, for RDF clients and people alike


# Rows of a SELECT, as pyoxigraph terms keyed by variable name (unbound variables left out).
Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class QueryResult:
    """A query's answer, already serialized by the engine.

    `form` is SELECT, ASK or CONSTRUCT (DESCRIBE answers are graphs too); `truncated` is the
    row cap when the query service cut the answer to it (the web layer tells the client).
    """

    body: bytes
    media_type: str
    form: str
    truncated: int | None = None


@dataclass(frozen=True)
class QueryRequest:
    """A query ready to run, as the query service prepared it; small and picklable.

    Protocol dataset parameters, when given, replace FROM/FROM NAMED (a request naming only
    named graphs has an empty default graph); `union_default` makes the default graph the union
    of the named graphs when neither the request nor the query names a dataset.
    """

    text: str
    media_type: str
    default_graphs: Sequence[str] = field(default_factory=tuple)
    named_graphs: Sequence[str] = field(default_factory=tuple)
    union_default: bool = True
    federated: bool = False  # it calls allowed SERVICE endpoints: a worker with network runs it
    form: str = "SELECT"  # SELECT, ASK or CONSTRUCT (for DESCRIBE too), as the service read it
    lane: str = "general"  # which workers run it, where a store has lanes (see workers.py)


@dataclass(frozen=True)
class DescribeRequest:
    """One page of the description of a resource (see describe_query), as `media_type`."""

    iri: str
    media_type: str
    page: int = 1
    size: int = PAGE_SIZE
    graphs: tuple[str, ...] = ()  # the default graph is their union (empty: of every graph)


@dataclass(frozen=True)
class SelectRequest:
    """One of the site's own SELECTs, with variables bound to terms (see bind_variables)."""

    text: str
    bindings: tuple[tuple[str, ox.NamedNode | ox.Literal], ...] = ()
    graphs: tuple[str, ...] = ()  # the default graph is their union (empty: of every graph)


PREFIXES = {
    "cn": "https://w3id.org/carnets/ontology#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "oa": "http://www.w3.org/ns/oa#",
    "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
}


@runtime_checkable
class Store(Protocol):
    """A read-only RDF dataset with the edition's named graphs; the default graph is their union.

    A store runs what it is given: reading, refusing and capping scholars' queries is the query
    service's work (carnets.services.queries), the same for every store.
    """

    base: str
    # Whether the engine that runs queries without SERVICE calls has no network of its own.
    sandboxed: bool
    # Whether `execute` honours QueryRequest.lane (a light lane that runaways cannot take).
    lanes: bool
    # Whether the data lives in an engine elsewhere, which may hold other data than the release
    # it was loaded from: then dumps and VoID are written from the engine (see the publisher).
    remote: bool

    def execute(self, request: QueryRequest, timeout: float) -> QueryResult:
        """Run a prepared query and return the engine's serialization as `request.media_type`.

        Raises QueryError (malformed), QueryRefused (the engine would not), QueryTimeout.
        """
        ...

    def select(
        self, text: str, bindings: Mapping[str, Any] | None = None, timeout: float = 30.0
    ) -> Rows:
        """Rows of one of the site's own SELECTs over the union graph, variables pre-bound.

        `bindings` maps variable names to pyoxigraph terms; they are bound by the engine (or
        written as terms by the query reader for a remote engine), never pasted in as text.
        """
        ...

    def describe(
        self, iri: str, media_type: str, page: int = 1, size: int = PAGE_SIZE
    ) -> bytes | None:
        """A page of one resource's description (see describe_query), or None if it has none.

        None also for a page past the last one; the description carries Hydra paging terms
        when the resource's mentions do not fit on one page.
        """
        ...

    def graph_names(self) -> list[str]:
        """The named graphs, sorted."""
        ...

    def triple_counts(self) -> dict[str, int]:
        """Triples per named graph."""
        ...

    def dump(self, output: BinaryIO, media_type: str) -> None:
        """Write every quad (N-Quads, TriG, JSON-LD) or the union graph (other types)."""
        ...

    def close(self) -> None: ...


# What a resource URI returns: its own triples, with the types, labels and dates of what it
# points to; what points at it, by its types, labels and dates (not the pointing resource's
# whole description: a dataset or an entry would drown a person's page), except the mentions and
# the entries that mention it, which are paged: one page of its mentions in full, with their
# targets and selectors and the entry they are in (ordered by the entry's date, then position),
# and those entries' schema:mentions of it; for an entry, the mentions in it; the reports of a
# person's death, and the reports an entry makes; and the records of its Wikidata links.
# ?r is bound by `describe_query`; #MENTIONS# becomes the VALUES of one page of mentions.
_DESCRIBE = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX cn: <https://w3id.org/carnets/ontology#>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
CONSTRUCT {
  ?r ?p ?o . ?o ?lp ?ol .
  ?in ?ip ?r . ?in ?inp ?ino .
  ?m ?mp ?mo . ?t ?tp ?to . ?sel ?sp ?so . ?x ?xp ?xo .
  ?rep ?rp ?rv .
  ?link ?kp ?ko .
  ?entry schema:mentions ?r .
}
WHERE {
  {
    ?r ?p ?o .
    OPTIONAL { ?o ?lp ?ol . FILTER(?lp IN (rdf:type, skos:prefLabel, rdfs:label,
                                           schema:dateCreated)) }
  } UNION {
    ?in ?ip ?r . FILTER(?ip NOT IN (oa:hasBody, schema:mentions))
    OPTIONAL { ?in ?inp ?ino .
               FILTER(?inp IN (rdf:type, skos:prefLabel, rdfs:label, schema:dateCreated)) }
  }
  # One page of the mentions, each branch starting from its VALUES, so that the engine joins
  # from the hundred mentions rather than from every annotation in the store.
  UNION { #MENTIONS# ?m ?mp ?mo . }
  UNION { #MENTIONS# ?m oa:hasTarget ?t . ?t ?tp ?to . }
  UNION { #MENTIONS# ?m oa:hasTarget ?t . ?t oa:hasSelector ?sel . ?sel ?sp ?so . }
  UNION {
    #MENTIONS# ?m oa:hasTarget ?t . ?t oa:hasSource ?x . ?x ?xp ?xo .
    FILTER(?xp IN (rdf:type, skos:prefLabel, schema:dateCreated, schema:position))
  }
  UNION { #MENTIONS# ?m oa:hasTarget ?t . ?t oa:hasSource ?entry . ?entry schema:mentions ?r . }
  UNION { ?t oa:hasSource ?r ; ?tp ?to . }
  UNION { ?t oa:hasSource ?r ; oa:hasSelector ?sel . ?sel ?sp ?so . }
  UNION { ?t oa:hasSource ?r . ?m oa:hasTarget ?t ; ?mp ?mo . }
  UNION {
    ?t oa:hasSource ?r . ?m oa:hasTarget ?t ; oa:hasBody ?x . ?x ?xp ?xo .
    FILTER(?xp IN (rdf:type, skos:prefLabel))
  } UNION {
    ?death crm:P100_was_death_of ?r . ?rep cn:reportsDeath ?death ; ?rp ?rv .
  } UNION {
    ?rep cn:reportsDeath|cn:reportedIn ?r ; ?rp ?rv .
  } UNION {
    ?link cn:linkSubject ?r ; ?kp ?ko .
  }
}
"""
# The mentions of ?r: how many, and one page of them (#PAGE# is its LIMIT and OFFSET). Pages
# follow the mentions' IRIs, which the annotator mints as {entry}#m{start}-{end}, so a page
# holds neighbouring entries; the index of oa:hasBody answers this without a join.
MENTION_PAGE = """
SELECT ?total ?m WHERE {
  { SELECT (COUNT(*) AS ?total) WHERE { ?m <http://www.w3.org/ns/oa#hasBody> ?r } }
  UNION
  { SELECT ?m WHERE { ?m <http://www.w3.org/ns/oa#hasBody> ?r } ORDER BY ?m #PAGE# }
}
"""
HYDRA = "http://www.w3.org/ns/hydra/core#"


def mention_page_query(iri: str, page: int, size: int) -> str:
    limits = f"LIMIT {int(size)} OFFSET {(int(page) - 1) * int(size)}"
    return bind_variables(MENTION_PAGE.replace("#PAGE#", limits), {"r": str(ox.NamedNode(iri))})


def read_mention_page(rows: Rows) -> tuple[int, list[ox.NamedNode]]:
    """The total and the mentions of a page, from the rows of `mention_page_query`."""
    total = next((int(row["total"].value) for row in rows if "total" in row), 0)
    return total, [row["m"] for row in rows if "m" in row]


def values(variable: str, terms: Sequence[ox.NamedNode | ox.Literal]) -> str:
    """A VALUES block binding `variable` to `terms`, each written by pyoxigraph (escaped)."""
    return f"VALUES ?{variable} {{ {' '.join(str(term) for term in terms)} }}"


def describe_query(iri: str, mentions: Sequence[ox.NamedNode]) -> str:
    """The CONSTRUCT that describes `iri`, with `mentions` (one page of them) in full."""
    text = _DESCRIBE.replace("#MENTIONS#", values("m", mentions))
    return bind_variables(text, {"r": str(ox.NamedNode(iri))})


def page_iri(iri: str, page: int) -> str:
    return f"{iri}?page={page}"


def paging_triples(iri: str, page: int, size: int, total: int) -> list[ox.Triple]:
    """Hydra paging of a resource's mentions, when they do not fit on one page.

    The mentions of `iri` form a hydra:Collection (its members are the annotations whose
    oa:hasBody is `iri`); the description is one hydra:PartialCollectionView of it.
    """
    last = max(1, -(-total // size))
    if last == 1 and page == 1:
        return []
    h = {
        name: ox.NamedNode(HYDRA + name)
        for name in (
            "Collection",
            "PartialCollectionView",
            "view",
            "totalItems",
            "manages",
            "property",
            "object",
            "first",
            "last",
            "next",
            "previous",
        )
    }
    collection, manages = ox.BlankNode("mentions"), ox.BlankNode("mentionsOf")
    view = ox.NamedNode(page_iri(iri, page))
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    triples = [
        ox.Triple(collection, rdf_type, h["Collection"]),
        ox.Triple(collection, h["totalItems"], ox.Literal(str(total), datatype=integer)),
        ox.Triple(collection, h["manages"], manages),
        ox.Triple(manages, h["property"], ox.NamedNode("http://www.w3.org/ns/oa#hasBody")),
        ox.Triple(manages, h["object"], ox.NamedNode(iri)),
        ox.Triple(collection, h["view"], view),
        ox.Triple(view, rdf_type, h["PartialCollectionView"]),
        ox.Triple(view, h["first"], ox.NamedNode(page_iri(iri, 1))),
        ox.Triple(view, h["last"], ox.NamedNode(page_iri(iri, last))),
    ]
    if page > 1:
        triples.append(ox.Triple(view, h["previous"], ox.NamedNode(page_iri(iri, page - 1))))
    if page < last:
        triples.append(ox.Triple(view, h["next"], ox.NamedNode(page_iri(iri, page + 1))))
    return triples


def description_order(triple: ox.Triple) -> tuple:
    """Subjects grouped (so Turtle can group them), IRIs before blank nodes; a total order,
    so that the same description is always written the same way."""
    subject = triple.subject
    return (
        isinstance(subject, ox.BlankNode),
        subject.value,
        triple.predicate.value,
        str(triple.object),
    )
