"""The remote store, pointed at a real SPARQL 1.1 endpoint: this publisher on 127.0.0.1."""

from __future__ import annotations

import io
import json
from collections import Counter

import pyoxigraph as ox
import pytest

from carnets.errors import QueryError, QueryRefused, QueryTimeout
from carnets.services.queries import QueryService
from carnets.store import Store
from carnets.store.remote import RemoteStore

BASE = "https://w3id.org/carnets/serge/"


@pytest.fixture(scope="module")
def remote(live_server) -> RemoteStore:
    return RemoteStore(f"{live_server}/sparql", BASE, timeout=10)


@pytest.fixture(scope="module")
def remote_queries(remote) -> QueryService:
    return QueryService(remote, max_rows=7, timeout=10)


@pytest.fixture(scope="module")
def local_queries(store) -> QueryService:
    return QueryService(store, max_rows=7, timeout=10)


def test_is_a_store(remote):
    assert isinstance(remote, Store)


def test_query_results_come_from_the_remote_engine(remote_queries, local_queries):
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/carnets/ontology#Person> } ORDER BY ?s"
    ours = remote_queries.query(query, "application/sparql-results+json")
    assert ours.body == local_queries.query(query, "application/sparql-results+json").body


@pytest.mark.parametrize("media_type", ["text/csv", "application/sparql-results+json"])
def test_row_cap_counts_rows_not_lines(remote_queries, media_type):
    # Literals with line breaks: a count of lines would see far more rows than there are.
    query = (
        "SELECT ?t WHERE { VALUES ?n { 1 2 3 4 5 6 7 8 9 } "
        'BIND(CONCAT("a\\nb\\nc", STR(?n)) AS ?t) }'
    )
    result = remote_queries.query(query, media_type)
    assert result.truncated == 7
    fits = remote_queries.query(query.replace(" 8 9 ", " "), media_type)
    assert fits.truncated is None


def test_dataset_parameters_are_forwarded(remote_queries, store):
    links = BASE + "graph/links"
    result = remote_queries.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "application/sparql-results+json",
        default_graphs=[links],
    )
    n = int(json.loads(result.body)["results"]["bindings"][0]["n"]["value"])
    assert n == store.triple_counts()[links]


def test_errors_map_to_carnets_errors(remote_queries):
    with pytest.raises(QueryError):
        remote_queries.query("SELECT * WHERE {", "application/sparql-results+json")
    with pytest.raises(QueryError, match="SPARQL Update"):  # an update is not a query
        remote_queries.query("CLEAR ALL", "application/sparql-results+json")
    with pytest.raises(QueryRefused):
        remote_queries.query("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", "text/csv")
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with pytest.raises(QueryTimeout):
        remote_queries.query(runaway, "text/csv")


def test_describe_counts_and_dump(remote, store):
    iri = BASE + "person/max-jacob"
    assert remote.describe(iri, "application/n-triples") is not None
    assert remote.describe(BASE + "person/nobody", "text/turtle") is None
    assert remote.triple_counts() == store.triple_counts()
    for media_type, format_ in (
        ("application/n-quads", ox.RdfFormat.N_QUADS),
        ("application/trig", ox.RdfFormat.TRIG),
    ):
        output = io.BytesIO()
        remote.dump(output, media_type)
        quads = list(ox.parse(output.getvalue(), format_))
        assert len(quads) == sum(store.triple_counts().values())
        per_graph = Counter(quad.graph_name.value for quad in quads)
        assert dict(per_graph) == store.triple_counts()


def test_unreachable_endpoint_is_a_clear_error():
    with pytest.raises(QueryError, match="could not be reached"):
        unreachable = RemoteStore("http://127.0.0.1:9/sparql", BASE, timeout=2)
        QueryService(unreachable).query("ASK {}", "text/csv")
