"""SPARQLWrapper 2.0, with its defaults, against the production server (issue 7, point 6).

SPARQLWrapper sends its return format three times over, as `format`, `output` and `results`
(for TSV, JSON-LD and RDF/XML twice: its name and a media type), next to an Accept header;
for a format the query form cannot have (Turtle for a SELECT, CSV for a CONSTRUCT) it sends
`Accept: */*`, and warns. Every query form, every return format, by GET and both POSTs, must
be answered, and in the format asked for whenever the query form has it.
"""

from __future__ import annotations

import json
import warnings
from xml.dom.minidom import Document

import pytest
from rdflib import Graph
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

JACOB = "<https://w3id.org/carnets/serge/person/max-jacob>"
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
QUERIES = {
    "SELECT": SKOS + f"SELECT ?name WHERE {{ {JACOB} skos:prefLabel ?name }}",
    "ASK": f"ASK {{ {JACOB} ?p ?o }}",
    "CONSTRUCT": SKOS + f"CONSTRUCT WHERE {{ {JACOB} skos:prefLabel ?name }}",
    "DESCRIBE": f"DESCRIBE {JACOB}",
}
# What each return format gets, where the query form has it; otherwise the default.
RESULTS = {
    JSON: "application/sparql-results+json",
    XML: "application/sparql-results+xml",
    CSV: "text/csv",
    TSV: "text/tab-separated-values",
}
GRAPHS = {
    TURTLE: "text/turtle",
    N3: "text/turtle",  # Turtle is N3, and SPARQLWrapper reads it as N3
    XML: "application/rdf+xml",
    RDF: "application/rdf+xml",
    RDFXML: "application/rdf+xml",
    JSONLD: "application/ld+json",
    JSON: "application/ld+json",
}
METHODS = {
    "GET": (GET, URLENCODED),
    "POST": (POST, URLENCODED),
    "POST-direct": (POST, POSTDIRECTLY),
}


def as_text(converted: object) -> str:
    if isinstance(converted, dict):
        return json.dumps(converted, ensure_ascii=False)
    if isinstance(converted, bytes):
        return converted.decode("utf-8")
    if isinstance(converted, Graph):
        return converted.serialize(format="nt")
    assert isinstance(converted, Document), type(converted)
    return converted.toxml()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV, N3, TURTLE, JSONLD, RDF, RDFXML])
@pytest.mark.parametrize("form", QUERIES)
def test_every_form_and_format_with_sparqlwrapper_defaults(
    live_server, form, return_format, method
):
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setQuery(QUERIES[form])
    client.setReturnFormat(return_format)
    client.setMethod(METHODS[method][0])
    client.setRequestMethod(METHODS[method][1])
    with warnings.catch_warnings():
        # SPARQLWrapper warns when it asks for a format the form cannot have (Accept: */*)
        # and gets another: that is the answer it asked for.
        warnings.simplefilter("ignore", RuntimeWarning)
        # SPARQLWrapper parses RDF/XML and JSON-LD into an rdflib ConjunctiveGraph.
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        result = client.query()
        media_type = result.info()["content-type"].split(";")[0]
        text = as_text(result.convert())
    table = RESULTS if form in ("SELECT", "ASK") else GRAPHS
    default = "application/sparql-results+json" if table is RESULTS else "text/turtle"
    assert media_type == table.get(return_format, default)
    if form == "ASK":
        assert "true" in text.lower()
    else:
        assert "Max Jacob" in text


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"output": "csv"}, "text/csv"),  # Fuseki's name for the parameter
        ({"format": "srx"}, "application/sparql-results+xml"),
        ({"format": ["tsv", "text/tab-separated-values"]}, "text/tab-separated-values"),
        ({"format": "application/sparql-results+json"}, "application/sparql-results+json"),
    ],
)
def test_other_clients_format_names(client, parameters, expected):
    response = client.get("/sparql", query_string={"query": QUERIES["SELECT"], **parameters})
    assert response.status_code == 200
    assert response.mimetype == expected


def test_an_unknown_format_name_is_still_406(client):
    response = client.get(
        "/sparql", query_string={"query": QUERIES["SELECT"], "format": "yaml"}, headers={}
    )
    assert response.status_code == 406
    assert "yaml" in response.get_data(as_text=True)
