"""The query service: one reading of each query, the same refusals and row cap for every store."""

from __future__ import annotations

import pytest

from carnets.errors import QueryError
from carnets.services.queries import QueryService
from carnets.store import Store

TSV = "text/tab-separated-values"


@pytest.fixture(params=["pooled", "in_process"])
def service(request) -> QueryService:
    store: Store = request.getfixturevalue(request.param)
    return QueryService(store, max_rows=7, timeout=10)


def test_row_cap_cuts_and_says_so(service):
    result = service.query("SELECT * WHERE { ?s ?p ?o }", TSV)
    assert result.truncated == 7
    assert len(result.body.decode().splitlines()) == 8
    fits = service.query("SELECT * WHERE { ?s ?p ?o } LIMIT 5", TSV)
    assert fits.truncated is None
    exactly = service.query("SELECT * WHERE { ?s ?p ?o } LIMIT 7", TSV)
    assert exactly.truncated is None
    assert len(exactly.body.decode().splitlines()) == 8


def test_row_cap_counts_rows_of_csv_with_line_breaks(service):
    text = 'SELECT ?t WHERE { VALUES ?n { 1 2 3 4 5 6 7 8 } BIND(CONCAT("a\\nb", STR(?n)) AS ?t) }'
    assert service.query(text, "text/csv").truncated == 7
    assert service.query(text.replace(" 8 ", " "), "text/csv").truncated is None


def test_ask_and_construct_are_never_capped(service):
    assert service.query("ASK { ?s ?p ?o }", TSV).truncated is None
    graph = service.query("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert graph.truncated is None
    assert len(graph.body.splitlines()) > 7


def test_updates_and_unreadable_queries_are_refused_before_the_store(service):
    # An update is not a query: a parse error, with where the update starts.
    with pytest.raises(QueryError, match="1:1: INSERT starts a SPARQL Update"):
        service.prepare("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(QueryError, match="1:31: CLEAR starts a SPARQL Update"):
        service.prepare("SELECT * WHERE { ?s ?p ?o } ; CLEAR ALL")
    with pytest.raises(QueryError, match="starts with SELECT"):
        service.prepare('define get:soft "replace" SELECT * FROM <http://x/> WHERE { ?s ?p ?o }')


def test_the_query_is_read_once_and_the_form_kept(service):
    prepared = service.prepare("PREFIX x: <urn:x:> DESCRIBE x:a")
    assert prepared.form == "DESCRIBE"
    assert prepared.request.form == "CONSTRUCT"
    assert prepared.cap is None
    selected = service.prepare("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }")
    assert selected.cap == 7
    assert selected.request.union_default is False
    assert "LIMIT 8" in selected.request.text
