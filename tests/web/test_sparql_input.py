"""What the SPARQL endpoint makes of odd input (issue 7, points 3 and 6): text that is not
UTF-8 is refused rather than repaired, an update sent as a query is a malformed query, and the
service description names the endpoint from the settings, never from the Host header."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from carnets.web import create_app

BASE = "https://w3id.org/carnets/serge/"
SD = "http://www.w3.org/ns/sparql-service-description#"
# A string literal that is Latin-1 "é" (0xE9), not UTF-8: werkzeug kept it as the text
# "%E9", or replaced it, and the query ran.
LATIN1_QUERY_STRING = "query=ASK%20%7B%20FILTER(%22caf%E9%22%20!%3D%20%22%22)%20%7D"
LATIN1_BODY = b'ASK { FILTER("caf\xe9" != "") }'


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("get", {"query_string": LATIN1_QUERY_STRING}),
        (
            "post",
            {"data": LATIN1_QUERY_STRING, "content_type": "application/x-www-form-urlencoded"},
        ),
        (
            "post",
            {
                "data": b"query=" + LATIN1_BODY.replace(b" ", b"+"),
                "content_type": "application/x-www-form-urlencoded",
            },
        ),
        ("post", {"data": LATIN1_BODY, "content_type": "application/sparql-query"}),
        ("get", {"query_string": "query=ASK%7B%7D&default-graph-uri=urn:%FF"}),
    ],
    ids=["get-escaped", "form-escaped", "form-raw", "direct-raw", "graph-parameter"],
)
def test_text_that_is_not_utf8_is_400_with_a_message(client, method, kwargs):
    response = getattr(client, method)("/sparql", **kwargs)
    assert response.status_code == 400, response.data
    assert response.mimetype == "text/plain"
    assert "not UTF-8" in response.get_data(as_text=True)


def test_utf8_text_escaped_or_not_still_runs(client):
    escaped = client.get(
        "/sparql?query=ASK%20%7B%20FILTER(%22caf%C3%A9%22%20!%3D%20%22%22)%20%7D",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert escaped.status_code == 200 and escaped.json["boolean"] is True
    direct = client.post(
        "/sparql",
        data='ASK { FILTER("café" != "") }'.encode(),
        content_type="application/sparql-query",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert direct.status_code == 200 and direct.json["boolean"] is True


INSERT = f'INSERT DATA {{ <{BASE}person/intruder> <{BASE}p> "x" }}'


@pytest.mark.parametrize(
    "send",
    [
        lambda client: client.get("/sparql", query_string={"query": INSERT}),
        lambda client: client.post("/sparql", data={"query": INSERT}),
        lambda client: client.post("/sparql", data=INSERT, content_type="application/sparql-query"),
    ],
    ids=["get", "form", "direct"],
)
def test_an_update_sent_as_a_query_is_400_with_the_parsers_message(client, send):
    response = send(client)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert text.startswith("error at 1:1: INSERT starts a SPARQL Update")


def test_an_update_sent_as_an_update_is_still_403(client):
    assert client.post("/sparql", data={"update": INSERT}).status_code == 403
    direct = client.post("/sparql", data=INSERT, content_type="application/sparql-update")
    assert direct.status_code == 403


def described_endpoint(client, host: str) -> URIRef | None:
    response = client.get("/sparql", headers={"Accept": "text/turtle", "Host": host})
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    service = graph.value(predicate=RDF.type, object=URIRef(SD + "Service"))
    return graph.value(service, URIRef(SD + "endpoint"))


def test_the_host_header_is_not_reflected_into_the_service_description(client):
    assert described_endpoint(client, "evil.example") == URIRef(f"{BASE}sparql")
    page = client.get("/sparql", headers={"Accept": "text/html", "Host": "evil.example"})
    assert "evil.example" not in page.get_data(as_text=True)


def test_a_public_url_names_the_endpoint(settings, store, release):
    app = create_app(replace(settings, public_url="https://carnets.example.org/"), store, release)
    endpoint = described_endpoint(app.test_client(), "evil.example")
    assert endpoint == URIRef("https://carnets.example.org/sparql")


def test_the_host_header_names_the_endpoint_only_when_trusted(settings, store, release):
    app = create_app(replace(settings, trust_host=True), store, release)
    endpoint = described_endpoint(app.test_client(), "127.0.0.1:8000")
    assert endpoint == URIRef("http://127.0.0.1:8000/sparql")
