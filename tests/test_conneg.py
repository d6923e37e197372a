"""Content negotiation tables, read as a table."""

from __future__ import annotations

import pytest

from carnets import conneg
from carnets.conneg import NotAcceptable, negotiate

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("table", "accept", "format_name", "expected"),
    [
        (conneg.RESULTS, None, None, conneg.SPARQL_JSON),
        (conneg.RESULTS, "", None, conneg.SPARQL_JSON),
        (conneg.RESULTS, "*/*", None, conneg.SPARQL_JSON),
        (conneg.RESULTS, "application/*", None, conneg.SPARQL_JSON),
        (conneg.RESULTS, BROWSER, None, conneg.SPARQL_XML),
        (conneg.RESULTS, "text/csv;q=0.4, text/tab-separated-values", None, conneg.TSV),
        (conneg.RESULTS, "application/json", None, conneg.SPARQL_JSON),
        (conneg.RESULTS, "text/html", "csv", conneg.CSV),
        (conneg.RESULTS, None, "application/sparql-results+xml", conneg.SPARQL_XML),
        (conneg.GRAPHS, None, None, conneg.TURTLE),
        (conneg.GRAPHS, "*/*", None, conneg.TURTLE),
        (conneg.GRAPHS, "application/ld+json;q=1, text/turtle;q=0.5", None, conneg.JSON_LD),
        (conneg.GRAPHS, "text/plain", None, conneg.N_TRIPLES),
        (conneg.GRAPHS, "text/*", None, conneg.TURTLE),
        (conneg.GRAPHS, None, "rdf", conneg.RDF_XML),
        (conneg.RESOURCES, BROWSER, None, conneg.HTML),
        (conneg.RESOURCES, "*/*", None, conneg.TURTLE),
        (conneg.RESOURCES, "application/rdf+xml", None, conneg.RDF_XML),
        (conneg.RESOURCES, "text/html;q=0.1, text/turtle", None, conneg.TURTLE),
    ],
)
def test_negotiate(table, accept, format_name, expected):
    assert negotiate(table, accept, format_name) == expected


@pytest.mark.parametrize(
    ("table", "accept", "format_name"),
    [
        (conneg.RESULTS, "text/turtle", None),
        (conneg.GRAPHS, "application/sparql-results+json", None),
        (conneg.RESULTS, None, "ttl"),
        (conneg.RESOURCES, "image/png", None),
    ],
)
def test_not_acceptable(table, accept, format_name):
    with pytest.raises(NotAcceptable):
        negotiate(table, accept, format_name)


def test_every_offer_points_at_a_canonical_type():
    for table in (conneg.RESULTS, conneg.GRAPHS, conneg.RESOURCES):
        assert set(table.offers.values()) <= set(table.offers)
        assert set(table.names.values()) <= set(table.canonical())
        assert table.default in table.canonical()


def test_text_types_say_utf8():
    assert conneg.content_type(conneg.TURTLE) == "text/turtle; charset=utf-8"
    assert conneg.content_type(conneg.SPARQL_JSON) == conneg.SPARQL_JSON
