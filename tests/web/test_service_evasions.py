"""No query reaches another host unless the allow-list names it, however the query is written.

Each evasion aims at the canary, a real endpoint on 127.0.0.1 that answers CANARY to anything
and records every connection. Three servers are attacked: the production set-up (query workers
cut off the network, no allow-list), one whose allow-list names another endpoint (a federation
worker with network beside the cut-off ones), and one whose engine has the network of its
process (the reading of the query is all that guards it). The canary must hear nothing.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from carnets.store import open_store
from carnets.web import create_app

EVASIONS = {
    "plain": "SELECT * WHERE {{ SERVICE <{C}> {{ ?s ?p ?o }} }}",
    "lower case": "select * where {{ service <{C}> {{ ?s ?p ?o }} }}",
    "silent": "SELECT * WHERE {{ SERVICE SILENT <{C}> {{ ?s ?p ?o }} }}",
    "keyword glued to SILENT": "SELECT * WHERE {{ SERVICESILENT<{C}> {{ ?s ?p ?o }} }}",
    "comment ended by CR": "SELECT * WHERE {{ # a comment\rSERVICE <{C}> {{ ?s ?p ?o }} }}",
    "comment in the clause": "SELECT * WHERE {{ SERVICE # x\r<{C}> {{ ?s ?p ?o }} }}",
    "escaped IRI then #": "SELECT * WHERE {{ BIND(<urn:x:\\u0041#> AS ?z) "
    "SERVICE <{C}> {{ ?s ?p ?o }} }}",
    "escaped IRI then '": "SELECT * WHERE {{ BIND(<urn:x:\\u0041'> AS ?z) "
    "SERVICE <{C}> {{ ?s ?p ?o }} }}",
    "escape in the endpoint": "SELECT * WHERE {{ SERVICE <{H}\\u0073parql> {{ ?s ?p ?o }} }}",
    "escape in the keyword": "SELECT * WHERE {{ \\u0053ERVICE <{C}> {{ ?s ?p ?o }} }}",
    "long escape in the keyword": "SELECT * WHERE {{ \\U00000053ERVICE <{C}> {{ ?s ?p ?o }} }}",
    "prefixed name": "PREFIX c: <{H}> SELECT * WHERE {{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
    "keyword glued to a prefixed name": "PREFIX : <{H}> SELECT * WHERE "
    "{{ SERVICE:sparql {{ ?s ?p ?o }} }}",
    "prefix declared twice": "PREFIX c: <{R}> PREFIX c: <{H}> SELECT * WHERE "
    "{{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
    "relative IRI under BASE": "BASE <{H}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    "BASE declared twice": "BASE <{R}> BASE <{H}> SELECT * WHERE "
    "{{ SERVICE <./sparql> {{ ?s ?p ?o }} }}",
    "less-than read as an IRI": "PREFIX : <{H}> SELECT * WHERE {{ BIND(1 AS ?a) "
    "FILTER(?a<?b)SERVICE:sparql#>\n{{ ?s ?p ?o }} }}",
    "quote inside a less-than": "SELECT * WHERE {{ BIND(1 AS ?a) "
    "FILTER(?a<?b&&'>) . ?s ?p \"x') SERVICE <{C}> {{ ?s ?p ?o }} #\" .\n}}",
    "silent, inside a less-than": "SELECT * WHERE {{ BIND(1 AS ?a) "
    "FILTER(?a<?b&&'>) . ?s ?p \"x') SERVICE SILENT <{C}> {{ ?s ?p ?o }} #\" .\n}}",
    "keyword glued to a boolean": "SELECT * WHERE {{ BIND(true AS ?t) ?s ?p trueSERVICE <{C}> "
    "{{ ?x ?y ?z }} }}",
    "variable bound by VALUES": "SELECT * WHERE {{ VALUES ?e {{ <{C}> }} "
    "SERVICE ?e {{ ?s ?p ?o }} }}",
    "variable bound by BIND": "SELECT * WHERE {{ BIND(<{C}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "variable bound afterwards": "SELECT * WHERE {{ SERVICE ?e {{ ?s ?p ?o }} "
    "VALUES ?e {{ <{C}> }} }}",
    "in OPTIONAL": "SELECT * WHERE {{ OPTIONAL {{ SERVICE <{C}> {{ ?s ?p ?o }} }} }}",
    "in UNION": "SELECT * WHERE {{ {{ BIND(1 AS ?x) }} UNION {{ SERVICE <{C}> {{ ?s ?p ?o }} }} }}",
    "in MINUS": "SELECT * WHERE {{ BIND(1 AS ?s) MINUS {{ SERVICE <{C}> {{ ?s ?p ?o }} }} }}",
    "in EXISTS": "SELECT * WHERE {{ BIND(1 AS ?x) "
    "FILTER EXISTS {{ SERVICE <{C}> {{ ?s ?p ?o }} }} }}",
    "in NOT EXISTS": "SELECT * WHERE {{ BIND(1 AS ?x) "
    "FILTER NOT EXISTS {{ SERVICE <{C}> {{ ?s ?p ?o }} }} }}",
    "in a subquery": "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{C}> {{ ?s ?p ?o }} }} }} }}",
    "in GRAPH": "SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{C}> {{ ?s ?p ?o }} }} }}",
    "nested in an allowed call": "SELECT * WHERE {{ SERVICE <{A}> "
    "{{ SERVICE <{C}> {{ ?s ?p ?o }} }} }}",
    "ASK": "ASK {{ SERVICE <{C}> {{ ?s ?p ?o }} }}",
    "CONSTRUCT": "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{C}> {{ ?s ?p ?o }} }}",
    "DESCRIBE": "DESCRIBE ?s WHERE {{ SERVICE <{C}> {{ ?s ?p ?o }} }}",
    "long string before": 'SELECT * WHERE {{ BIND("""a " "" SERVICE""" AS ?x) '
    "SERVICE <{C}> {{ ?s ?p ?o }} }}",
    "FROM": "SELECT * FROM <{C}> WHERE {{ ?s ?p ?o }}",
    "FROM NAMED": "SELECT * FROM NAMED <{C}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
}


def _query(template: str, canary, allowed) -> str:
    return template.format(C=canary.url, H=canary.root, A=allowed.url, R=allowed.root)


def _post(base: str, params: list[tuple[str, str]]) -> tuple[int, str]:
    data = urllib.parse.urlencode(params).encode()
    request = urllib.request.Request(
        base + "/sparql", data=data, headers={"Accept": "application/sparql-results+json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.parametrize("name", EVASIONS)
def test_the_production_server_calls_nobody(live_server, canary, allowed_endpoint, name):
    """Workers without network, no allow-list: over HTTP, by POST and by GET."""
    query = _query(EVASIONS[name], canary, allowed_endpoint)
    heard = len(canary.connections) + len(allowed_endpoint.connections)
    status, body = _post(live_server, [("query", query)])
    assert status < 500, body
    assert "CANARY" not in body
    url = f"{live_server}/sparql?{urllib.parse.urlencode({'query': query})}"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            assert "CANARY" not in response.read().decode()
    except urllib.error.HTTPError as error:
        assert error.code < 500
    assert len(canary.connections) + len(allowed_endpoint.connections) == heard


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_graph_parameters_fetch_nothing(live_server, canary, parameter):
    heard = len(canary.connections)
    query = "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    status, body = _post(live_server, [("query", query), (parameter, canary.url)])
    assert status < 500 and "CANARY" not in body
    assert len(canary.connections) == heard


@pytest.fixture(scope="module", params=["federation worker", "engine with network"])
def allowing(request, settings, release, allowed_endpoint) -> Iterator[FlaskClient]:
    """A server whose allow-list names `allowed_endpoint`, with and without a sandbox."""
    configured = replace(settings, service_allow=(allowed_endpoint.url,))
    workers = 1 if request.param == "federation worker" else 0
    store = open_store(configured, release.store_path, workers=workers)
    assert store.sandboxed is (workers == 1)
    client = create_app(configured, store, release).test_client()
    client.sandboxed = store.sandboxed
    yield client
    store.close()


def test_the_allowed_endpoint_is_called(allowing, allowed_endpoint):
    heard = len(allowed_endpoint.connections)
    query = f"SELECT ?canary WHERE {{ SERVICE <{allowed_endpoint.url}> {{ ?s ?p ?o }} }}"
    response = allowing.post("/sparql", data={"query": query})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "CANARY" in response.get_data(as_text=True)
    assert len(allowed_endpoint.connections) == heard + 1


@pytest.mark.parametrize("name", EVASIONS)
def test_an_allow_list_lets_nothing_else_through(allowing, canary, allowed_endpoint, name):
    heard = len(canary.connections)
    response = allowing.post(
        "/sparql", data={"query": _query(EVASIONS[name], canary, allowed_endpoint)}
    )
    assert response.status_code < 500, response.get_data(as_text=True)
    assert "CANARY" not in response.get_data(as_text=True)
    assert len(canary.connections) == heard


def test_a_refusal_says_why(allowing, canary):
    """The reading refuses what it is unsure of when the engine has the network; a worker
    without network refuses the call itself."""
    query = f"PREFIX : <{canary.root}> SELECT * WHERE {{ SERVICE:sparql {{ ?s ?p ?o }} }}"
    response = allowing.post("/sparql", data={"query": query})
    assert response.status_code == 403
    message = response.get_data(as_text=True)
    if allowing.sandboxed:
        assert message.startswith("the query tried to reach another host")
    else:
        assert "'SERVICE' at line 1, column " in message
        assert "(in the prefix of 'SERVICE:sparql')" in message
