"""The remote store, pointed at a real SPARQL 1.1 endpoint: this publisher on 127.0.0.1."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox
import pytest

from carnets.errors import QueryError, QueryRefused, QueryTimeout
from carnets.store import Store
from carnets.store.remote import RemoteStore

BASE = "https://w3id.org/carnets/serge/"


@pytest.fixture(scope="module")
def remote(live_server) -> RemoteStore:
    return RemoteStore(f"{live_server}/sparql", BASE, timeout=10)


def test_is_a_store(remote):
    assert isinstance(remote, Store)


def test_query_results_come_from_the_remote_engine(remote, store):
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/carnets/ontology#Person> } ORDER BY ?s"
    ours = remote.query(query, "application/sparql-results+json")
    assert ours.body == store.query(query, "application/sparql-results+json").body


def test_dataset_parameters_are_forwarded(remote, store):
    links = BASE + "graph/links"
    result = remote.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "application/sparql-results+json",
        default_graphs=[links],
    )
    n = int(json.loads(result.body)["results"]["bindings"][0]["n"]["value"])
    assert n == store.triple_counts()[links]


def test_errors_map_to_carnets_errors(remote):
    with pytest.raises(QueryError):
        remote.query("SELECT * WHERE {", "application/sparql-results+json")
    with pytest.raises(QueryRefused):
        remote.query("CLEAR ALL", "application/sparql-results+json")
    with pytest.raises(QueryRefused):
        remote.query("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", "text/csv")
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with pytest.raises(QueryTimeout):
        remote.query(runaway, "text/csv")


def test_describe_counts_and_dump(remote, store):
    iri = BASE + "person/max-jacob"
    assert remote.describe(iri, "application/n-triples") is not None
    assert remote.describe(BASE + "person/nobody", "text/turtle") is None
    assert remote.triple_counts() == store.triple_counts()
    output = io.BytesIO()
    remote.dump(output, "application/n-quads")
    quads = list(ox.parse(output.getvalue(), ox.RdfFormat.N_QUADS))
    assert len(quads) == sum(store.triple_counts().values())


def test_unreachable_endpoint_is_a_clear_error():
    with pytest.raises(QueryError, match="could not be reached"):
        RemoteStore("http://127.0.0.1:9/sparql", BASE, timeout=2).query("ASK {}", "text/csv")
