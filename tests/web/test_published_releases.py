"""Releases on the web: /releases/ as a page and a DCAT catalog, versioned files with their
checksums as ETags, /releases/latest/, and 410 Gone for a resource an earlier release had."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from releasing import SMALL, TESTVILLE, copy_edition, release_twice

from carnets.export import prepare_release
from carnets.releases import make_release
from carnets.store import open_store
from carnets.web import create_app

BASE = "https://w3id.org/carnets/serge/"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Iterator[tuple]:
    """The small edition released twice, served by the real app over its current files."""
    settings = copy_edition(SMALL, tmp_path_factory.mktemp("published"), rate_limit=0)
    first, second = release_twice(settings)
    release = prepare_release(settings)
    store = open_store(settings, release.store_path, workers=0)
    app = create_app(settings, store, release)
    yield settings, app, first.release, second.release
    store.close()


class Client(FlaskClient):
    """The test client, reading and closing each response (files are served from disk)."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        response.get_data()
        response.close()
        return response


@pytest.fixture
def client(published) -> FlaskClient:
    app = published[1]
    app.test_client_class = Client
    return app.test_client()


def test_the_listing_is_a_page_for_people(client):
    page = client.get("/releases/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert '<a href="/releases/2/">2</a> <span class="meta">(current)</span>' in html
    assert '<a href="/releases/1/">1</a>' in html and "2026-12-01" in html
    assert "1 removed, 1 changed" in html
    assert "Accept" in page.headers["Vary"]
    again = client.get(
        "/releases/", headers={"Accept": "text/html", "If-None-Match": page.headers["ETag"]}
    )
    assert again.status_code == 304
    assert client.get("/releases").status_code == 301


def test_the_listing_is_a_dcat_catalog_for_machines(client):
    for accept, fmt in (
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ):
        answer = client.get("/releases/", headers={"Accept": accept})
        assert answer.status_code == 200 and answer.mimetype == accept
        store = ox.Store()
        store.load(answer.data, fmt)
        assert store.query(
            f"""PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX prov: <http://www.w3.org/ns/prov#>
            ASK {{ <{BASE}releases/> a dcat:Catalog ; dcat:dataset <{BASE}releases/1/>,
                     <{BASE}releases/2/> .
                   <{BASE}dataset> dcat:hasCurrentVersion <{BASE}releases/2/> .
                   <{BASE}releases/2/> prov:wasDerivedFrom <{BASE}releases/1/> ;
                     dcat:distribution/dcat:downloadURL <{BASE}releases/2/carnets.nq.gz> }}"""
        )
    jsonld = client.get("/releases/?format=jsonld")
    assert jsonld.mimetype == "application/ld+json" and b"dcat:Catalog" in jsonld.data


def test_a_release_page_and_its_description(client, published):
    _, _, _, second = published
    page = client.get("/releases/2/", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    sums = second.checksums()
    assert sums["carnets.nq.gz"] in html and 'href="/releases/2/carnets.ttl"' in html
    assert "Testville" in html and "Drancy (Seine)" in html  # the changelog
    turtle = client.get("/releases/2/", headers={"Accept": "text/turtle"})
    assert turtle.data == (second.path / "void.ttl").read_bytes()
    assert client.get("/releases/9/").status_code == 404
    assert client.get("/releases/2").status_code == 301


def test_files_are_served_with_media_type_checksum_and_download_name(client, published):
    _, _, first, _ = published
    sums = first.checksums()
    expected = {
        "carnets.ttl": "text/turtle; charset=utf-8",
        "carnets.nt": "application/n-triples; charset=utf-8",
        "carnets.jsonld": "application/ld+json",
        "carnets.nq": "application/n-quads; charset=utf-8",
        "carnets.nq.gz": "application/gzip",
        "void.ttl": "text/turtle; charset=utf-8",
        "CHANGELOG.md": "text/markdown; charset=utf-8",
        "SHA256SUMS": "text/plain; charset=utf-8",
    }
    for name, content_type in expected.items():
        answer = client.get(f"/releases/1/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["Content-Type"] == content_type, name
        assert answer.data == (first.path / name).read_bytes(), name
        digest = hashlib.sha256(answer.data).hexdigest()
        assert answer.headers["ETag"] == f'"{digest}"'
        assert digest == sums.get(name, digest)
        assert "immutable" in answer.headers["Cache-Control"]
    dump = client.get("/releases/1/carnets.nt")
    assert dump.headers["Content-Disposition"] == "attachment; filename=carnets.nt"
    again = client.get("/releases/1/carnets.nt", headers={"If-None-Match": dump.headers["ETag"]})
    assert again.status_code == 304
    packed = client.get("/releases/1/carnets.nt", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.data == (first.path / "carnets.nt.gz").read_bytes()
    assert packed.headers["ETag"] == f'"{sums["carnets.nt.gz"]}"'
    for missing in (
        "/releases/1/nothing.ttl",
        "/releases/1/..%2Frelease.json",
        "/releases/1/.lock",
    ):
        assert client.get(missing).status_code == 404, missing


def test_latest_names_the_newest_release(client):
    answer = client.get("/releases/latest/carnets.nq")
    assert answer.status_code == 302 and answer.headers["Location"] == "/releases/2/carnets.nq"


def test_a_resource_an_earlier_release_had_is_gone(client):
    page = client.get("/place/testville", headers={"Accept": "text/html"})
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "Testville" in html and 'href="/releases/1/"' in html
    assert page.headers["Link"] == '</releases/1/>; rel="predecessor-version"'
    for url, accept in (("/place/testville", "text/turtle"), ("/place/testville.nt", None)):
        answer = client.get(url, headers={"Accept": accept} if accept else {})
        assert answer.status_code == 410
        store = ox.Store()
        store.load(answer.data, ox.RdfFormat.from_media_type(answer.mimetype))
        assert store.query(
            f"""PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX dcat: <http://www.w3.org/ns/dcat#>
            ASK {{ <{TESTVILLE}> dcterms:isPartOf ?r . ?r dcat:version "1" }}"""
        )
    # A URI no release ever had is still simply not found; a renamed one still answers.
    assert client.get("/place/atlantis").status_code == 404
    drancy = client.get("/place/drancy", headers={"Accept": "text/turtle"})
    assert drancy.status_code == 200 and "Drancy (Seine)" in drancy.get_data(as_text=True)


def test_a_release_published_while_serving_is_offered_at_once(client, published):
    settings = published[0]
    (settings.data_dir / "zz-third.ttl").write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        f'<{BASE}place/drancy> skos:altLabel "Drancy-la-Jolie"@fr .\n'
    )
    try:
        third = make_release(settings, "3", "2026-12-02", environ={})
    finally:
        (settings.data_dir / "zz-third.ttl").unlink()
    assert third.created
    assert client.get("/releases/latest/").headers["Location"] == "/releases/3/"
    assert client.get("/releases/3/carnets.ttl").status_code == 200
