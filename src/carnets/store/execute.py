"""Running one request on a pyoxigraph store; what a query worker does, and nothing more.

The query service (carnets.services.queries) has already read, checked and capped the text,
so a worker only runs it: this module imports pyoxigraph and nothing heavy, so that a worker
process starts in milliseconds.
"""

from __future__ import annotations

import pyoxigraph as ox

from carnets.errors import QueryError, QueryRefused
from carnets.store.base import (
    GRAPH_TYPES,
    PREFIXES,
    RESULT_TYPES,
    DescribeRequest,
    QueryRequest,
    QueryResult,
    Rows,
    SelectRequest,
    describe_query,
    description_order,
    mention_page_query,
    paging_triples,
    read_mention_page,
)
from carnets.store.query_text import bind_variables


def answer(
    store: ox.Store, request: QueryRequest | DescribeRequest | SelectRequest
) -> QueryResult | Rows | bytes | None:
    """What a worker does with one request."""
    if isinstance(request, DescribeRequest):
        return describe(store, request)
    if isinstance(request, SelectRequest):
        return select(store, request)
    return execute(store, request)


def execute(store: ox.Store, request: QueryRequest) -> QueryResult:
    """Answer `request` from `store`; engine errors become QueryError with the engine's message."""
    if request.default_graphs or request.named_graphs:
        arguments: dict = {
            "default_graph": [ox.NamedNode(iri) for iri in request.default_graphs],
            "named_graphs": [ox.NamedNode(iri) for iri in request.named_graphs],
        }
    else:
        arguments = {"use_default_graph_as_union": request.union_default}
    try:
        results = store.query(request.text, **arguments)
        if isinstance(results, ox.QuerySolutions | ox.QueryBoolean):
            if request.media_type not in RESULT_TYPES:
                raise QueryError(f"{request.media_type} cannot hold SELECT or ASK results")
            form = "SELECT" if isinstance(results, ox.QuerySolutions) else "ASK"
            format_ = ox.QueryResultsFormat.from_media_type(request.media_type)
        else:
            if request.media_type not in GRAPH_TYPES:
                raise QueryError(f"{request.media_type} cannot hold CONSTRUCT or DESCRIBE results")
            form = "CONSTRUCT"
            format_ = ox.RdfFormat.from_media_type(request.media_type)
        return QueryResult(results.serialize(format=format_), request.media_type, form)
    except SyntaxError as error:
        raise QueryError(str(error)) from None
    except PermissionError as error:  # a worker without network tried to open a socket
        raise QueryRefused(
            f"the query tried to reach another host, which this endpoint does not do ({error})"
        ) from None
    except (OSError, RuntimeError, ValueError, TypeError) as error:
        raise QueryError(f"the query could not be evaluated: {error}") from None


def describe(store: ox.Store, request: DescribeRequest) -> bytes | None:
    """The resource's description, or None when nothing in the store mentions it."""
    if request.media_type not in GRAPH_TYPES:
        raise QueryError(f"{request.media_type} is not a graph format")
    query = mention_page_query(request.iri, request.page, request.size)
    rows = select(store, SelectRequest(query, graphs=request.graphs))
    total, mentions = read_mention_page(rows)
    if request.page > 1 and not mentions:
        return None
    found = store.query(describe_query(request.iri, mentions), **_dataset(request.graphs))
    # CONSTRUCT repeats triples; a set removes them and sorting by subject lets Turtle group them.
    triples = sorted(set(found), key=description_order)
    if not triples:
        return None
    triples += paging_triples(request.iri, request.page, request.size, total)
    return ox.serialize(
        triples, format=ox.RdfFormat.from_media_type(request.media_type), prefixes=PREFIXES
    )


def select(store: ox.Store, request: SelectRequest) -> Rows:
    """The rows of a trusted SELECT over the union graph, as terms keyed by variable name."""
    results = store.query(
        bind_variables(request.text, {name: str(term) for name, term in request.bindings}),
        **_dataset(request.graphs),
    )
    names = [variable.value for variable in results.variables]
    return [{name: row[name] for name in names if row[name] is not None} for row in results]


def _dataset(graphs: tuple[str, ...]) -> dict:
    """The default graph of the site's own queries: the union of `graphs` (one edition's, when
    a store holds several), else of every named graph. GRAPH ?g still sees every graph."""
    if graphs:
        return {"default_graph": [ox.NamedNode(iri) for iri in graphs]}
    return {"use_default_graph_as_union": True}
