"""The remote store: any SPARQL 1.1 endpoint, spoken to over the SPARQL Protocol.

The remote engine serializes its own answers, as pyoxigraph does for the embedded store; this
class forwards a prepared request (dataset parameters, Accept, time limit) and maps the answer's
status to Carnets' errors. Reading, refusing and capping queries is the query service's work,
the same as for the embedded store. Plain urllib keeps the raw bytes and the exact media type,
which SPARQLWrapper's result wrappers would otherwise parse.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO

import pyoxigraph as ox

from carnets.conneg import N_TRIPLES, SPARQL_JSON
from carnets.errors import QueryError, QueryRefused, QueryTimeout
from carnets.store.base import (
    PAGE_SIZE,
    PREFIXES,
    QueryRequest,
    QueryResult,
    Rows,
    describe_query,
    description_order,
    mention_page_query,
    paging_triples,
    read_mention_page,
)
from carnets.store.query_text import bind_variables


class RemoteStore:
    """A Store backed by a SPARQL 1.1 query endpoint (read-only: updates are never sent).

    The remote engine makes its own SERVICE calls, out of this server's reach: `sandboxed` is
    False, so the query service lets through only calls it is sure are to allowed endpoints.
    """

    sandboxed = False
    lanes = False  # the engine schedules its own queries
    remote = True

    def __init__(
        self,
        endpoint: str,
        base: str,
        *,
        user_agent: str = "Carnets",
        timeout: float = 30.0,
        graphs: Sequence[str] = (),
    ) -> None:
        self.endpoint = endpoint
        self.base = base
        self.user_agent = user_agent
        self.timeout = timeout
        # The edition's named graphs: when given, the default graph is their union and GRAPH ?g
        # sees only them, whatever else the engine holds (Virtuoso keeps its own graphs).
        self.graphs = tuple(graphs)

    def _union(self) -> list[tuple[str, str]]:
        """Protocol parameters that make the default graph the union of the edition's graphs."""
        return [("default-graph-uri", g) for g in self.graphs] + [
            ("named-graph-uri", g) for g in self.graphs
        ]

    def _post(
        self,
        text: str,
        accept: str,
        params: Sequence[tuple[str, str]] = (),
        timeout: float | None = None,
    ) -> bytes:
        body = urllib.parse.urlencode([("query", text), *params]).encode("utf-8")
        request = urllib.request.Request(
            self.endpoint,
            data=body,
            method="POST",
            headers={
                "Accept": accept,
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": self.user_agent,
            },
        )
        timeout = timeout or self.timeout
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            message = error.read().decode("utf-8", "replace").strip() or error.reason
            if error.code in (408, 503, 504):
                raise QueryTimeout(f"the remote endpoint gave up: {message}") from None
            if error.code == 403:
                raise QueryRefused(message) from None
            raise QueryError(message) from None
        except TimeoutError:
            raise QueryTimeout(f"the remote endpoint did not answer within {timeout:g} s") from None
        except urllib.error.URLError as error:
            raise QueryError(f"the remote endpoint could not be reached: {error.reason}") from None

    def execute(self, request: QueryRequest, timeout: float) -> QueryResult:
        params = [("default-graph-uri", g) for g in request.default_graphs]
        params += [("named-graph-uri", g) for g in request.named_graphs]
        if not params and request.union_default:
            params = self._union()
        body = self._post(request.text, request.media_type, params, timeout)
        if request.form == "ASK":
            body = _boolean_answer(body, request.media_type)
        return QueryResult(body, request.media_type, request.form)

    def select(
        self, text: str, bindings: Mapping[str, Any] | None = None, timeout: float = 30.0
    ) -> Rows:
        terms = {name: str(term) for name, term in (bindings or {}).items()}
        body = self._post(bind_variables(text, terms), SPARQL_JSON, self._union(), timeout)
        try:
            results = ox.parse_query_results(_blank_node_labels(body), ox.QueryResultsFormat.JSON)
        except SyntaxError as error:
            raise QueryError(f"the remote endpoint's results could not be read: {error}") from None
        if isinstance(results, ox.QueryBoolean):
            raise QueryError("a SELECT was answered with a boolean")
        names = [variable.value for variable in results.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in results]

    def describe(
        self, iri: str, media_type: str, page: int = 1, size: int = PAGE_SIZE
    ) -> bytes | None:
        total, mentions = read_mention_page(self.select(mention_page_query(iri, page, size)))
        if page > 1 and not mentions:
            return None
        n_triples = self._post(describe_query(iri, mentions), N_TRIPLES, self._union())
        triples = sorted(set(ox.parse(n_triples, ox.RdfFormat.N_TRIPLES)), key=description_order)
        if not triples:
            return None
        triples += paging_triples(iri, page, size, total)
        return ox.serialize(
            triples, format=ox.RdfFormat.from_media_type(media_type), prefixes=PREFIXES
        )

    def graph_names(self) -> list[str]:
        return sorted(self.triple_counts())

    def triple_counts(self) -> dict[str, int]:
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return dict(sorted((row["g"].value, int(row["n"].value)) for row in rows))

    def dump(self, output: BinaryIO, media_type: str) -> None:
        """Every graph of the remote engine, fetched one at a time and written by pyoxigraph."""
        format_ = ox.RdfFormat.from_media_type(media_type)

        def quads():
            for name in self.graph_names():
                graph = ox.NamedNode(name)
                text = bind_variables(
                    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": str(graph)}
                )
                body = self._post(text, N_TRIPLES, self._union())
                for triple in ox.parse(body, ox.RdfFormat.N_TRIPLES):
                    yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)

        if format_.supports_datasets:
            ox.serialize(quads(), output, format_)
        else:  # the union graph, as the embedded store writes it
            ox.serialize((quad.triple for quad in quads()), output, format_, prefixes=PREFIXES)

    def close(self) -> None:
        pass


def _boolean_answer(body: bytes, media_type: str) -> bytes:
    """An ASK answer in the boolean form of `media_type`, whatever form the engine chose.

    Virtuoso 7 answers ASK as a one-column SELECT (a row when true, none when false).
    """
    if media_type == SPARQL_JSON:
        answer = json.loads(body)
        if "boolean" in answer:
            return body
        value = bool(answer.get("results", {}).get("bindings"))
    elif media_type == "application/sparql-results+xml":
        if b"<boolean>" in body:
            return body
        value = b"<result>" in body or b"<result " in body
    else:  # CSV and TSV have no boolean form: engines write the bare word
        text = body.decode("utf-8").strip()
        if text in ("true", "false"):
            return body
        value = len(text.splitlines()) > 1
    if media_type == SPARQL_JSON:
        return json.dumps({"head": {}, "boolean": value}).encode()
    if media_type == "application/sparql-results+xml":
        return (
            '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head></head><boolean>{str(value).lower()}</boolean></sparql>"
        ).encode()
    return str(value).lower().encode()


def _blank_node_labels(body: bytes) -> bytes:
    """JSON results with Virtuoso's `nodeID://b10000` blank nodes written as labels."""
    if b"nodeID://" not in body:
        return body
    answer = json.loads(body)
    for row in answer.get("results", {}).get("bindings", []):
        for cell in row.values():
            if cell.get("type") == "bnode":
                cell["value"] = cell["value"].removeprefix("nodeID://")
    return json.dumps(answer).encode()
