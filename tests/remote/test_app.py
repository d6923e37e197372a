"""The publisher over a remote engine: create_app with a RemoteStore and no release."""

from __future__ import annotations

import hashlib
import json
import time
import urllib.parse

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from carnets.config import Settings
from carnets.namespaces import EDITION_GRAPHS
from carnets.store.remote import RemoteStore
from carnets.web import create_app
from carnets.web.state import EXTENSION

BASE = "https://w3id.org/carnets/serge/"
PEOPLE = """PREFIX cn: <https://w3id.org/carnets/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?name WHERE { ?person a cn:Person ; skos:prefLabel ?name } ORDER BY ?name"""
LABEL = ox.Triple(
    ox.NamedNode(BASE + "person/max-jacob"),
    ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
    ox.Literal("Max Jacob", language="en"),
)


NT = ox.RdfFormat.N_TRIPLES


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


EXTRA = (
    f"<{BASE}person/max-jacob> <http://www.w3.org/2004/02/skos/core#altLabel> "
    '"Max Jacob (only in the engine)"@en'
)


def _update(loaded, text: str) -> None:
    form = urllib.parse.urlencode({"update": text}).encode("utf-8")
    status = loaded.writer().send(
        "POST", loaded.engine.update_url, form, "application/x-www-form-urlencoded"
    )
    assert status < 300


def _download(client, path: str) -> bytes:
    with client.get(path, headers={"Accept-Encoding": "identity"}) as response:
        assert response.status_code == 200
        return response.data


def _published(app: Flask, timeout: float = 60.0):
    """The release the app wrote from its engine, once the background thread has written it."""
    carnets = app.extensions[EXTENSION]
    deadline = time.monotonic() + timeout
    while carnets.engine_release is None and carnets.engine_problem is None:
        assert time.monotonic() < deadline, "the dumps were not written from the engine in time"
        time.sleep(0.05)
    assert carnets.engine_problem is None
    return carnets.engine_release


def test_dumps_and_void_are_written_from_the_engine(remote_app: Flask, client, loaded):
    """The dump holds what the engine answers queries from, triple for triple."""
    _published(remote_app)
    dump = _download(client, "/download/carnets.nt")
    graphs = remote_app.extensions[EXTENSION].store.graphs
    values = "VALUES ?g { " + " ".join(f"<{g}>" for g in graphs) + " }"
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } " + values + " }"
    engine = triples_in(loaded.engine.ask_engine(construct, "application/n-triples"), NT)
    served = triples_in(dump, NT)
    assert len(served) == len(engine) > 50
    # Blank nodes are relabelled on the way: compare the ground triples exactly.
    ground = {t for t in engine if not any(isinstance(x, ox.BlankNode) for x in t)}
    assert ground <= served
    sums = client.get("/download/SHA256SUMS").get_data(as_text=True)
    assert hashlib.sha256(dump).hexdigest() + "  carnets.nt" in sums
    void = triples_in(client.get("/dataset.ttl").data, ox.RdfFormat.TURTLE)
    counts = [t.object.value for t in void if t.predicate.value.endswith("void#triples")]
    assert str(sum(remote_app.extensions[EXTENSION].store.triple_counts().values())) in counts


def test_a_change_in_the_engine_shows_in_the_dumps_and_in_health(loaded, settings, release):
    """Loaded from one build and changed since: what /download/ offers is the engine's data,
    and /health says that the engine no longer holds the validated release."""
    graph = settings.base + EDITION_GRAPHS[0]
    _update(loaded, f"INSERT DATA {{ GRAPH <{graph}> {{ {EXTRA} }} }}")
    try:
        graphs = [settings.base + name for name in EDITION_GRAPHS]
        store = RemoteStore(loaded.engine.query_url, settings.base, timeout=30, graphs=graphs)
        app = create_app(settings, store=store, release=release)
        client = app.test_client()
        published = _published(app)
        assert published.path != release.path
        dump = _download(client, "/download/carnets.nt")
        assert b"only in the engine" in dump
        assert b"only in the engine" not in release.dump_path("carnets.nt").read_bytes()
        assert client.get("/dataset").headers["ETag"] != f'"{release.fingerprint}-void-html"'
        health = client.get("/health")
        assert health.status_code == 503
        assert "does not hold this release's graphs" in health.get_data(as_text=True)
    finally:
        _update(loaded, f"DELETE DATA {{ GRAPH <{graph}> {{ {EXTRA} }} }}")


def test_dumps_wait_for_the_engine_with_503_and_retry_after(loaded, settings):
    """Before the engine's dumps are written, /download/ says so instead of serving old ones."""
    store = RemoteStore("http://127.0.0.1:9/sparql", settings.base, timeout=1)
    app = create_app(settings, store=store, release=None)
    carnets = app.extensions[EXTENSION]
    deadline = time.monotonic() + 30
    while carnets.engine_problem is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    response = app.test_client().get("/download/carnets.nt")
    assert response.status_code == 503
    assert "could not be written from the remote engine" in response.get_data(as_text=True)
    carnets.engine_problem = None  # as it is while the dumps are being written
    response = app.test_client().get("/download/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
