"""The embedded pyoxigraph store: formats, datasets, time limits, descriptions, dumps.

Queries go through the query service, as the endpoint sends them; what the service itself
decides (refusals, the row cap) is tested in tests/services.
"""

from __future__ import annotations

import io
import json
import time

import pyoxigraph as ox
import pytest

from carnets.errors import QueryError, QueryTimeout
from carnets.services.queries import QueryService
from carnets.store import Store, open_store

BASE = "https://w3id.org/carnets/serge/"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def query(store: Store, text: str, media_type: str, *, timeout: float = 30.0, **dataset):
    """A query as the endpoint runs it: read and checked by the query service, then the store."""
    return QueryService(store, timeout=timeout).query(text, media_type, **dataset)


def count(result) -> int:
    return int(json.loads(result.body)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(params=["pooled", "in_process"])
def either(request) -> Store:
    return request.getfixturevalue(request.param)


def test_both_kinds_satisfy_the_protocol(pooled, in_process):
    assert isinstance(pooled, Store)
    assert isinstance(in_process, Store)


def test_union_default_graph_and_named_graphs(either):
    counts = either.triple_counts()
    assert count(query(either, COUNT, "application/sparql-results+json")) == sum(counts.values())
    links = BASE + "graph/links"
    only = query(either, COUNT, "application/sparql-results+json", default_graphs=[links])
    assert count(only) == counts[links] == 2


@pytest.mark.parametrize(
    "media_type",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_results_are_serialized_by_the_engine(either, media_type):
    result = query(
        either, "SELECT ?s WHERE { ?s a <https://w3id.org/carnets/ontology#Person> }", media_type
    )
    assert result.media_type == media_type
    assert result.form == "SELECT"
    if media_type != "text/csv":
        fmt = ox.QueryResultsFormat.from_media_type(media_type)
        assert len(list(ox.parse_query_results(result.body, fmt))) == 3


def test_graph_query_in_a_results_type_is_an_error(either):
    with pytest.raises(QueryError):
        query(either, "CONSTRUCT WHERE { ?s ?p ?o }", "text/csv")


def test_syntax_error_carries_the_parsers_position(either):
    with pytest.raises(QueryError, match=r"1:\d+"):
        query(either, "SELECT * WHERE { ?s ?p", "application/sparql-results+json")


def test_pool_stops_a_runaway_query_and_keeps_serving(pooled):
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        query(pooled, RUNAWAY, "application/sparql-results+json", timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert count(query(pooled, COUNT, "application/sparql-results+json", timeout=5)) > 0
    time.sleep(0.5)
    for _ in range(3):  # the replacement worker serves too
        assert count(query(pooled, COUNT, "application/sparql-results+json", timeout=5)) > 0


def test_in_process_store_answers_the_time_limit(in_process):
    # A query that ends by itself within a second: the in-process store cannot stop it.
    bounded = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with pytest.raises(QueryTimeout):
        query(in_process, bounded, "application/sparql-results+json", timeout=0.05)


def test_describe_unknown_is_none(either):
    assert either.describe(BASE + "person/nobody", "text/turtle") is None


def test_describe_has_no_duplicates(either):
    lines = either.describe(BASE + "person/max-jacob", "application/n-triples").splitlines()
    assert len(lines) == len(set(lines))


@pytest.mark.parametrize("media_type", ["application/n-quads", "application/trig"])
def test_dataset_dump_keeps_graphs(either, media_type):
    output = io.BytesIO()
    either.dump(output, media_type)
    quads = list(ox.parse(output.getvalue(), ox.RdfFormat.from_media_type(media_type)))
    graphs = {q.graph_name.value for q in quads}
    assert graphs == set(either.graph_names())
    assert len(quads) == sum(either.triple_counts().values())


def test_open_store_chooses_in_one_place(store_settings, store_release):
    from dataclasses import replace

    from carnets.errors import ConfigError
    from carnets.store.remote import RemoteStore

    remote = open_store(
        replace(store_settings, store="remote", remote_query_url="http://127.0.0.1:9/sparql")
    )
    assert isinstance(remote, RemoteStore)
    with pytest.raises(ConfigError):
        open_store(replace(store_settings, store="remote"))
    with pytest.raises(ConfigError):
        open_store(replace(store_settings, store="sqlite"))
    with pytest.raises(ConfigError):
        open_store(store_settings)  # embedded needs a built store
    embedded = open_store(store_settings, store_release.store_path, workers=0)
    embedded.close()
