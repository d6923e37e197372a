"""Running one query on a pyoxigraph store and serializing its answer; used in worker processes.

This module imports only pyoxigraph and the query reader, so that a worker process starts in
milliseconds; it is the whole of what a worker does.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from carnets.errors import QueryError, QueryRefused
from carnets.store.base import DESCRIBE_RESOURCE, GRAPH_TYPES, RESULT_TYPES, QueryResult
from carnets.store.query_text import read_query

# The fewest bytes one result row can take in each format: below (cap + 1) * this, a body
# cannot hold more than `cap` rows, so it need not be counted.
_MIN_ROW_BYTES = {
    "application/sparql-results+json": 3,
    "application/sparql-results+xml": 17,
    "text/csv": 2,
    "text/tab-separated-values": 1,
}


@dataclass(frozen=True)
class QueryRequest:
    """Everything a worker needs to answer one query; small and picklable."""

    text: str
    media_type: str
    default_graphs: Sequence[str] = field(default_factory=tuple)
    named_graphs: Sequence[str] = field(default_factory=tuple)
    max_rows: int | None = None
    federated: bool = False  # it calls allowed SERVICE endpoints: a worker with network runs it


@dataclass(frozen=True)
class DescribeRequest:
    """The description of one resource (DESCRIBE_RESOURCE), serialized as `media_type`."""

    iri: str
    media_type: str


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
}


def describe(store: ox.Store, request: DescribeRequest) -> bytes | None:
    """The resource's description, or None when nothing in the store mentions it."""
    if request.media_type not in GRAPH_TYPES:
        raise QueryError(f"{request.media_type} is not a graph format")
    found = store.query(
        DESCRIBE_RESOURCE,
        use_default_graph_as_union=True,
        substitutions={ox.Variable("r"): ox.NamedNode(request.iri)},
    )
    # CONSTRUCT repeats triples; a set removes them and sorting by subject lets Turtle group them.
    triples = sorted(set(found), key=_triple_order)
    if not triples:
        return None
    return ox.serialize(
        triples, format=ox.RdfFormat.from_media_type(request.media_type), prefixes=PREFIXES
    )


def _triple_order(triple: ox.Triple) -> tuple:
    subject = triple.subject
    return (isinstance(subject, ox.BlankNode), subject.value, triple.predicate.value)


def answer(store: ox.Store, request: QueryRequest | DescribeRequest) -> QueryResult | bytes | None:
    """What a worker does with one request."""
    if isinstance(request, DescribeRequest):
        return describe(store, request)
    return execute(store, request)


def dataset_arguments(request: QueryRequest, has_dataset_clause: bool) -> dict:
    """pyoxigraph's dataset arguments for the SPARQL Protocol's rules.

    Protocol parameters replace FROM/FROM NAMED entirely (a request naming only named graphs
    has an empty default graph); a query's own FROM is left to the engine; otherwise the
    default graph is the union of the named graphs.
    """
    if request.default_graphs or request.named_graphs:
        return {
            "default_graph": [ox.NamedNode(iri) for iri in request.default_graphs],
            "named_graphs": [ox.NamedNode(iri) for iri in request.named_graphs],
        }
    if has_dataset_clause:
        return {}
    return {"use_default_graph_as_union": True}


def execute(store: ox.Store, request: QueryRequest) -> QueryResult:
    """Answer `request` from `store`; engine errors become QueryError with the engine's message."""
    info = read_query(request.text)
    text = request.text
    cap = request.max_rows
    capped = info.form == "SELECT" and cap is not None and (info.limit is None or info.limit > cap)
    if capped:
        text = info.with_limit(cap + 1)
    arguments = dataset_arguments(request, info.has_dataset_clause)
    try:
        body, form = _run(store, text, request.media_type, arguments)
        if capped and _more_rows_than(body, request.media_type, cap):
            body, form = _run(store, info.with_limit(cap), request.media_type, arguments)
            return QueryResult(body, request.media_type, form, truncated=cap)
    except SyntaxError as error:
        raise QueryError(str(error)) from None
    except PermissionError as error:  # a worker without network tried to open a socket
        raise QueryRefused(
            f"the query tried to reach another host, which this endpoint does not do ({error})"
        ) from None
    except (OSError, RuntimeError, ValueError, TypeError) as error:
        raise QueryError(f"the query could not be evaluated: {error}") from None
    return QueryResult(body, request.media_type, form)


def _run(store: ox.Store, text: str, media_type: str, arguments: dict) -> tuple[bytes, str]:
    results = store.query(text, **arguments)
    if isinstance(results, ox.QuerySolutions | ox.QueryBoolean):
        if media_type not in RESULT_TYPES:
            raise QueryError(f"{media_type} cannot hold SELECT or ASK results")
        form = "SELECT" if isinstance(results, ox.QuerySolutions) else "ASK"
        return results.serialize(format=ox.QueryResultsFormat.from_media_type(media_type)), form
    if media_type not in GRAPH_TYPES:
        raise QueryError(f"{media_type} cannot hold CONSTRUCT or DESCRIBE results")
    return results.serialize(format=ox.RdfFormat.from_media_type(media_type)), "CONSTRUCT"


def _more_rows_than(body: bytes, media_type: str, cap: int) -> bool:
    if len(body) < (cap + 1) * _MIN_ROW_BYTES[media_type]:
        return False
    if media_type == "text/csv":
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1 > cap
    format_ = ox.QueryResultsFormat.from_media_type(media_type)
    return sum(1 for _ in ox.parse_query_results(body, format_)) > cap
