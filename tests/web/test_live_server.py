"""The publisher behind the production server (waitress) on 127.0.0.1, spoken to over real HTTP."""

from __future__ import annotations

import gzip
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPConnection

import pytest
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

BASE = "https://w3id.org/carnets/serge/"
PEOPLE = """PREFIX cn: <https://w3id.org/carnets/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?name WHERE { ?person a cn:Person ; skos:prefLabel ?name } ORDER BY ?name"""
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"


def http_from(source: str, url: str) -> tuple[int, bytes]:
    """A GET sent from another loopback address: another client, as far as the server knows."""
    parsed = urllib.parse.urlsplit(url)
    connection = HTTPConnection(
        parsed.hostname, parsed.port, timeout=30, source_address=(source, 0)
    )
    try:
        connection.request("GET", f"{parsed.path}?{parsed.query}")
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def http(url: str, *, data: bytes | None = None, headers: dict | None = None, method=None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_get_and_both_posts(live_server):
    encoded = urllib.parse.urlencode({"query": PEOPLE})
    accept = {"Accept": "application/sparql-results+json"}
    answers = [
        http(f"{live_server}/sparql?{encoded}", headers=accept),
        http(
            f"{live_server}/sparql",
            data=encoded.encode(),
            headers={**accept, "Content-Type": "application/x-www-form-urlencoded"},
        ),
        http(
            f"{live_server}/sparql",
            data=PEOPLE.encode("utf-8"),
            headers={**accept, "Content-Type": "application/sparql-query"},
        ),
    ]
    for status, headers, body in answers:
        assert status == 200
        assert headers["Access-Control-Allow-Origin"] == "*"
        names = [row["name"]["value"] for row in json.loads(body)["results"]["bindings"]]
        assert names == ["Max Jacob", "Osip Mandelstam", "Victor Serge"]


def test_sparqlwrapper_as_a_client(live_server):
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setQuery(PEOPLE)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert rows[1]["name"]["value"] == "Osip Mandelstam"
    client.setQuery(f"DESCRIBE <{BASE}person/osip-mandelstam>")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert().decode("utf-8"), format="turtle")
    assert Literal("Мандельштам", lang="ru") in set(graph.objects())


def test_malformed_query_and_update_over_http(live_server):
    status, headers, _ = http(f"{live_server}/sparql?query=SELECT%20%3Fx%20WHERE%20%7B")
    assert status == 400
    assert headers.get_content_type() == "text/plain"
    status, _, _ = http(
        f"{live_server}/sparql",
        data=b"CLEAR ALL",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert status == 403


def test_runaway_query_is_stopped_while_others_are_served(live_server, settings):
    outcome: dict = {}

    def runaway() -> None:  # from another client, which is then kept out of the light lane
        started = time.monotonic()
        encoded = urllib.parse.urlencode({"query": RUNAWAY})
        outcome["answer"] = http_from("127.0.0.2", f"{live_server}/sparql?{encoded}")
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)  # the runaway query is now running in a worker
    encoded = urllib.parse.urlencode({"query": PEOPLE})
    for _ in range(5):
        started = time.monotonic()
        status, _, _ = http(f"{live_server}/sparql?{encoded}")
        assert status == 200
        assert time.monotonic() - started < settings.query_timeout / 2
    assert thread.is_alive()
    thread.join(timeout=30)
    status, body = outcome["answer"]
    assert status == 503
    assert b"limit" in body
    assert outcome["seconds"] < settings.query_timeout + 2
    time.sleep(0.5)  # the killed worker is replaced
    for _ in range(4):
        assert http(f"{live_server}/sparql?{encoded}")[0] == 200


def test_resource_negotiation_over_http(live_server, store):
    status, headers, body = http(
        f"{live_server}/person/max-jacob", headers={"Accept": "text/turtle"}
    )
    assert status == 200
    assert "Accept" in headers["Vary"]
    graph = Graph().parse(data=body.decode("utf-8"), format="turtle")
    assert (URIRef(BASE + "person/max-jacob"), None, None) in graph
    assert http(f"{live_server}/person/nobody")[0] == 404


def test_gzip_dump_and_conditional_get_over_http(live_server):
    status, headers, body = http(
        f"{live_server}/download/carnets.nq", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    lines = gzip.decompress(body).decode("utf-8").splitlines()
    assert lines and all(f"<{BASE}graph/" in line for line in lines)
    status, _, _ = http(
        f"{live_server}/download/carnets.nq",
        headers={"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]},
    )
    assert status == 304


def test_cors_preflight_over_http(live_server):
    status, headers, _ = http(
        f"{live_server}/sparql",
        method="OPTIONS",
        headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST"},
    )
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]


def test_one_log_line_per_request(live_server, caplog):
    with caplog.at_level(logging.INFO, logger="carnets.access"):
        http(f"{live_server}/sparql?query=ASK%7B%7D")
        http(f"{live_server}/person/nobody")
        time.sleep(0.1)
    lines = [r.getMessage() for r in caplog.records if r.name == "carnets.access"]
    assert len(lines) == 2
    assert '"GET /sparql?query=ASK%7B%7D" 200' in lines[0]
    assert '"GET /person/nobody" 404' in lines[1]
    assert lines[0].endswith("ms")


@pytest.mark.parametrize("path", ["/sparql", "/person/max-jacob", "/download/carnets.ttl"])
def test_head_over_http(live_server, path):
    status, _, body = http(f"{live_server}{path}", method="HEAD")
    assert status == 200
    assert body == b""
