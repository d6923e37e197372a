"""The publisher over a remote engine: create_app with a RemoteStore and no release."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from carnets.config import Settings
from carnets.namespaces import EDITION_GRAPHS
from carnets.store.remote import RemoteStore
from carnets.web import create_app

BASE = "https://w3id.org/carnets/serge/"
PEOPLE = """PREFIX cn: <https://w3id.org/carnets/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?name WHERE { ?person a cn:Person ; skos:prefLabel ?name } ORDER BY ?name"""
LABEL = ox.Triple(
    ox.NamedNode(BASE + "person/max-jacob"),
    ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
    ox.Literal("Max Jacob", language="en"),
)


def triples_in(body: bytes, format: ox.RdfFormat) -> set[ox.Triple]:
    return {quad.triple for quad in ox.parse(body, format)}


@pytest.fixture(scope="session")
def remote_app(loaded, settings: Settings) -> Flask:
    graphs = [settings.base + name for name in EDITION_GRAPHS]
    store = RemoteStore(loaded.engine.query_url, settings.base, timeout=30, graphs=graphs)
    return create_app(settings, store=store, release=None)


@pytest.fixture
def client(remote_app: Flask) -> FlaskClient:
    return remote_app.test_client()


def test_sparql_select(client):
    response = client.get(
        "/sparql",
        query_string={"query": PEOPLE},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    names = [row["name"]["value"] for row in json.loads(response.data)["results"]["bindings"]]
    assert names == ["Max Jacob", "Osip Mandelstam", "Victor Serge"]


def test_sparql_construct_by_post(client):
    query = f"CONSTRUCT WHERE {{ <{BASE}person/max-jacob> ?p ?o }}"
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert LABEL in triples_in(response.data, ox.RdfFormat.TURTLE)


def test_person_page(client):
    response = client.get("/person/max-jacob", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Max Jacob</h1>" in page
    assert 'href="/entry/1944-08-10"' in page
    assert "News of <mark>Max Jacob</mark>: tortured and murdered" in page


@pytest.mark.parametrize("path", ["/person/max-jacob", "/person/max-jacob.ttl"])
def test_person_as_turtle(client, path):
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert LABEL in triples_in(response.data, ox.RdfFormat.TURTLE)


@pytest.mark.parametrize("query", ["SELECT * WHERE { ?s ?p ", "SELEKT ?s WHERE {}"])
def test_malformed_query_is_400(client, query):
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_unknown_resource_is_404(client, accept):
    assert client.get("/person/nobody", headers={"Accept": accept}).status_code == 404
