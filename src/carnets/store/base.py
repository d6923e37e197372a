"""The one interface every store offers, and what is shared by its implementations.

The web layer and the exporters talk to a `Store`; whether it is pyoxigraph in this process or a
SPARQL 1.1 endpoint elsewhere is decided once, by `carnets.store.open_store(settings)`.
Formats are named by canonical media types (those of carnets.conneg) so that nothing between
the HTTP request and the engine has to translate them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol, runtime_checkable

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

RESULT_TYPES = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
GRAPH_TYPES = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML)
DATASET_TYPES = (N_QUADS, TRIG, JSON_LD)


@dataclass(frozen=True)
class QueryResult:
    """A query's answer, already serialized by the engine.

    `truncated` is the row cap when the answer was cut to it (the web layer tells the client);
    `form` says which conneg table the media type came from.
    """

    body: bytes
    media_type: str
    form: str
    truncated: int | None = None


@runtime_checkable
class Store(Protocol):
    """A read-only RDF dataset with the edition's named graphs; the default graph is their union."""

    base: str

    def query(
        self,
        text: str,
        media_type: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run a SPARQL query and serialize its answer as `media_type`.

        `media_type` must fit the query's form: a results type (RESULT_TYPES) for SELECT and
        ASK, a graph type (GRAPH_TYPES) for CONSTRUCT and DESCRIBE. Dataset parameters, when
        given, replace the query's FROM and FROM NAMED as the SPARQL Protocol requires.
        Raises QueryError (malformed), QueryRefused (not allowed), QueryTimeout.
        """
        ...

    def describe(self, iri: str, media_type: str) -> bytes | None:
        """The description of one resource (see DESCRIBE_RESOURCE), or None if it has none."""
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
# whole description: a dataset or an entry would drown a person's page); in full, the mentions
# of it with their targets and selectors and the text they are in, or, for an entry, the
# mentions in it; the reports of a person's death, and the reports an entry makes; and the
# records of its Wikidata links.
DESCRIBE_RESOURCE = """
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
}
WHERE {
  {
    ?r ?p ?o .
    OPTIONAL { ?o ?lp ?ol . FILTER(?lp IN (rdf:type, skos:prefLabel, rdfs:label,
                                           schema:dateCreated)) }
  } UNION {
    ?in ?ip ?r .
    OPTIONAL { ?in ?inp ?ino .
               FILTER(?inp IN (rdf:type, skos:prefLabel, rdfs:label, schema:dateCreated)) }
  }
  # Each branch starts from ?r: a UNION inside a join would be evaluated unbound.
  UNION { ?m oa:hasBody ?r ; ?mp ?mo . }
  UNION { ?m oa:hasBody ?r ; oa:hasTarget ?t . ?t ?tp ?to . }
  UNION { ?m oa:hasBody ?r ; oa:hasTarget/oa:hasSelector ?sel . ?sel ?sp ?so . }
  UNION {
    ?m oa:hasBody ?r ; oa:hasTarget/oa:hasSource ?x . ?x ?xp ?xo .
    FILTER(?xp IN (rdf:type, skos:prefLabel, schema:dateCreated, schema:position))
  }
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

_IRI = re.compile(r"^[^\x00-\x20<>\"{}|^`\\]+$")


def is_safe_iri(iri: str) -> bool:
    """True if `iri` can be written as <iri> in a query without escaping anything."""
    return bool(_IRI.match(iri))
