"""The light reading of SPARQL text that happens before a query is run."""

from __future__ import annotations

import pytest

from carnets.store.query_text import read_query


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * {}", "SELECT"),
        ("prefix x: <http://x/> ask {}", "ASK"),
        ("BASE <http://b/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://x>", "DESCRIBE"),
        ("INSERT DATA { <a> <b> <c> }", "UPDATE"),
        ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "UPDATE"),
        ("CLEAR ALL", "UPDATE"),
        ("SELECT * {} ; INSERT DATA { <a> <b> <c> }", "UPDATE"),
        ('SELECT * { ?s ?p "INSERT DATA" }', "SELECT"),
        ("# INSERT DATA\nSELECT * {}", "SELECT"),
        ("SELEKT * {}", None),
    ],
)
def test_form(text, form):
    assert read_query(text).form == form


def test_dataset_clauses_and_services_are_resolved():
    info = read_query(
        "PREFIX g: <http://example.org/g/>\n"
        "SELECT * FROM g:one FROM NAMED <http://example.org/two> WHERE {\n"
        '  ?s ?p "FROM <http://not/this>" .\n'
        "  SERVICE SILENT <http://remote/sparql> { ?s ?p ?o }  # SERVICE <http://comment>\n"
        "  SERVICE ?endpoint { ?s ?p ?o }\n"
        "}"
    )
    assert info.from_graphs == ["http://example.org/g/one"]
    assert info.from_named_graphs == ["http://example.org/two"]
    assert info.services == ["http://remote/sparql", "?endpoint"]


@pytest.mark.parametrize(
    ("text", "limit", "rewritten"),
    [
        ("SELECT * { ?s ?p ?o }", None, "SELECT * { ?s ?p ?o }\nLIMIT 9\n"),
        ("SELECT * { ?s ?p ?o } LIMIT 500 OFFSET 2", 500, "SELECT * { ?s ?p ?o } LIMIT 9 OFFSET 2"),
        (
            "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 3 } } VALUES ?s { <a> }",
            None,
            "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 3 } } \nLIMIT 9\nVALUES ?s { <a> }",
        ),
        ('SELECT * { ?s ?p "} LIMIT 4" }', None, 'SELECT * { ?s ?p "} LIMIT 4" }\nLIMIT 9\n'),
    ],
)
def test_top_level_limit(text, limit, rewritten):
    info = read_query(text)
    assert info.limit == limit
    assert info.with_limit(9) == rewritten


def test_less_than_is_not_an_iri():
    info = read_query("SELECT * { ?s ?p ?o FILTER(?o < 5 && ?o > 2) } LIMIT 4")
    assert info.limit == 4
