"""The federation examples (queries/federation-*.rq) run for real: the edition in pyoxigraph,
Wikidata replaced by the local Wikidata-shaped endpoint, SERVICE over HTTP on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from carnets.loading import EditionFiles

QUERIES = Path(__file__).resolve().parents[2] / "queries"
WIKIDATA = "https://query.wikidata.org/sparql"
FEDERATION = sorted(QUERIES.glob("federation-*.rq"))
BASE = "https://w3id.org/carnets/serge/"


def test_there_are_federation_examples():
    assert len(FEDERATION) >= 4


@pytest.mark.parametrize("path", FEDERATION, ids=lambda p: p.name)
def test_each_example_is_documented_and_parses(path):
    text = path.read_text()
    assert text.startswith("# ") and "README" in text
    assert f"SERVICE <{WIKIDATA}>" in text
    prepareQuery(text)


@pytest.fixture
def edition_store(settings) -> ox.Store:
    store = ox.Store()
    for paths in EditionFiles.find(settings).by_graph(settings.base).values():
        for path in paths:
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    night_flight = ox.NamedNode(BASE + "work/night-flight")
    same_as = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
    store.add(
        ox.Quad(night_flight, same_as, ox.NamedNode("http://www.wikidata.org/entity/Q99000201"))
    )
    return store


def _run(store: ox.Store, name: str, endpoint: str) -> list[dict[str, str]]:
    text = (QUERIES / name).read_text().replace(WIKIDATA, endpoint)
    results = store.query(text)
    names = [v.value for v in results.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in results]


def test_deaths_compared(edition_store, fake_wikidata):
    rows = {
        r["name"]: r
        for r in _run(edition_store, "federation-deaths-compared.rq", fake_wikidata.url)
    }
    assert set(rows) == {"Jean Giraudoux", "Romain Rolland"}  # the linked people with deaths
    assert rows["Jean Giraudoux"]["agrees"] == "false"
    assert rows["Jean Giraudoux"]["wikidataDeath"].startswith("1945")
    assert rows["Romain Rolland"]["agrees"] == "true"


def test_people_occupations(edition_store, fake_wikidata):
    rows = {
        r["name"]: r
        for r in _run(edition_store, "federation-people-occupations.rq", fake_wikidata.url)
    }
    assert rows["Victor Brauner"]["occupations"] == "painter"
    assert rows["Romain Rolland"]["portrait"].endswith("Romain%20Rolland%201915.jpg")
    assert rows["Romain Rolland"]["passages"] == "0"  # the fixture has no mentions


def test_places_map(edition_store, fake_wikidata):
    rows = {
        r["name"]: r for r in _run(edition_store, "federation-places-map.rq", fake_wikidata.url)
    }
    assert set(rows) == {"France", "Soviet Union"}
    assert rows["France"]["coordinates"] == "Point(2 47)"


def test_works_authors(edition_store, fake_wikidata):
    rows = _run(edition_store, "federation-works-authors.rq", fake_wikidata.url)
    assert len(rows) == 1
    assert rows[0]["title"] == "Night Flight"
    assert rows[0]["editionAuthor"] == "Antoine de Saint-Exupéry"
    assert rows[0]["wikidataAuthor"] == "Antoine de Saint-Exupéry"
    assert rows[0]["wikidataDate"].startswith("1931")


@pytest.fixture
def published(settings, tmp_path):
    """The publisher's app over the fixture edition, with an allow-list for SERVICE."""
    from carnets.export import prepare_release
    from carnets.store import open_store
    from carnets.web import create_app

    def make(allow: tuple[str, ...]):
        configured = settings.__class__(**{**settings.__dict__, "service_allow": allow})
        release = prepare_release(
            configured, validate=lambda s: SimpleNamespace(conforms=True), root=tmp_path / "rel"
        )
        store = open_store(configured, release.store_path, workers=0)
        stores.append(store)
        return create_app(configured, store=store, release=release).test_client()

    stores: list = []
    yield make
    for store in stores:
        store.close()


def test_the_server_refuses_service_unless_allowed(published, fake_wikidata):
    text = (QUERIES / "federation-places-map.rq").read_text().replace(WIKIDATA, fake_wikidata.url)
    accept = {"Accept": "application/sparql-results+json"}
    refused = published(()).post("/sparql", data={"query": text}, headers=accept)
    assert refused.status_code == 403
    assert fake_wikidata.script.requests == []
    allowed = published((fake_wikidata.url,)).post("/sparql", data={"query": text}, headers=accept)
    assert allowed.status_code == 200, allowed.get_data(as_text=True)
    names = {b["name"]["value"] for b in allowed.get_json()["results"]["bindings"]}
    assert names == {"France", "Soviet Union"}
