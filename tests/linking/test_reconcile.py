"""The reconciliation service as OpenRefine calls it: manifest, batch queries, suggest, preview.

Two tiers: a bare Flask app over an rdflib graph (use_graph), and the publisher's real app
(create_app over an embedded pyoxigraph store built from the fixture edition).
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from flask import Flask

from carnets.loading import load_dataset, union_graph
from carnets.web import reconcile

BASE = "https://w3id.org/carnets/serge/"
PERSON = "https://w3id.org/carnets/ontology#Person"
PLACE = "https://w3id.org/carnets/ontology#Place"


@pytest.fixture
def service(settings):
    app = Flask(__name__)
    app.register_blueprint(reconcile.bp)
    reconcile.use_graph(app, union_graph(load_dataset(settings)), settings.base)
    return app.test_client()


def _reconcile(client, queries: dict, method: str = "post") -> dict:
    if method == "post":
        response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    else:
        response = client.get("/reconcile", query_string={"queries": json.dumps(queries)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_manifest(service):
    response = service.get("/reconcile")
    manifest = response.get_json()
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert manifest["identifierSpace"] == BASE
    assert manifest["schemaSpace"] == "https://w3id.org/carnets/ontology#"
    assert {t["name"] for t in manifest["defaultTypes"]} == {"Person", "Work", "Place"}
    assert manifest["view"]["url"] == BASE + "{{id}}"
    assert manifest["preview"]["url"] == BASE + "reconcile/preview?id={{id}}"
    assert manifest["suggest"]["entity"]["service_path"] == "/suggest/entity"
    assert "0.2" in manifest["versions"]


def test_manifest_as_jsonp(service):
    response = service.get("/reconcile?callback=jsonp123")
    text = response.get_data(as_text=True)
    assert response.mimetype == "application/javascript"
    assert text.startswith("jsonp123({") and text.endswith("});")


def test_a_batch_as_openrefine_sends_it(service):
    results = _reconcile(
        service,
        {
            "q0": {"query": "Max Jacob", "type": PERSON, "type_strict": "should", "limit": 3},
            "q1": {"query": "Mandelstam, Osip", "type": PERSON},
            "q2": {"query": "Leningrad", "type": PLACE},
            "q3": {"query": "Zochtchenko"},
            "q4": {"query": "Nobody At All", "type": PERSON},
        },
    )
    assert set(results) == {"q0", "q1", "q2", "q3", "q4"}
    jacob = results["q0"]["result"][0]
    assert jacob["id"] == "person/max-jacob"
    assert jacob["name"] == "Max Jacob"
    assert jacob["type"] == [{"id": PERSON, "name": "Person"}]
    assert jacob["score"] == 100.0 and jacob["match"] is True
    assert jacob["description"] == "1876\u20131944; painter; poet; place of death Drancy"
    assert results["q1"]["result"][0]["id"] == "person/osip-mandelstam"
    assert results["q2"]["result"][0]["id"] == "place/saint-petersburg"  # through an alt label
    assert results["q3"]["result"][0]["id"] == "person/mikhail-zoshchenko"  # close spelling
    assert results["q3"]["result"][0]["match"] is False
    assert results["q4"]["result"] == []


def test_get_works_as_well_as_post(service):
    results = _reconcile(service, {"q0": {"query": "Black Sea"}}, method="get")
    assert results["q0"]["result"][0]["id"] == "place/black-sea"


def test_the_type_filters_candidates(service):
    results = _reconcile(
        service,
        {"q0": {"query": "Saint-Exupéry", "type": PLACE}, "q1": {"query": "Saint-Exupéry"}},
    )
    assert results["q0"]["result"] == []
    assert results["q1"]["result"][0]["id"] == "person/antoine-de-saint-exupery"


def test_dates_confirm_or_refute(service):
    results = _reconcile(
        service,
        {
            "right": {"query": "Max Jacob", "properties": [{"pid": "deathYear", "v": "1944"}]},
            "wrong": {"query": "Max Jacob", "properties": [{"pid": "birthYear", "v": 1888}]},
            "range": {
                "query": "Benjamin Crémieux",
                "properties": [{"pid": "deathYear", "v": "1944-04-14"}],
            },
        },
    )
    right, wrong = results["right"]["result"][0], results["wrong"]["result"][0]
    assert right["match"] is True
    assert {"id": "deathYear", "value": 5.0} in right["features"]
    assert wrong["score"] == 70.0 and wrong["match"] is False  # a namesake born in 1888
    assert results["range"]["result"][0]["match"] is True  # April 1944 holds the 14th


def test_a_wikidata_column_matches_exactly(service):
    results = _reconcile(
        service,
        {
            "q0": {"query": "R. Rolland", "properties": [{"pid": "wikidata", "v": "Q47162"}]},
            "q1": {
                "query": "Rolland",
                "properties": [{"pid": "wikidata", "v": "http://www.wikidata.org/entity/Q1"}],
            },
        },
    )
    first = results["q0"]["result"][0]
    assert (first["id"], first["score"], first["match"]) == ("person/romain-rolland", 100.0, True)
    refuted = results["q1"]["result"][0]  # a surname alone, but another item: kept, marked down
    assert (refuted["id"], refuted["score"], refuted["match"]) == (
        "person/romain-rolland",
        35.0,
        False,
    )


def test_a_single_query_in_the_old_style(service):
    response = service.get("/reconcile", query_string={"query": "Istanbul"})
    assert response.get_json()["result"][0]["id"] == "place/istanbul"


def test_malformed_queries_are_a_400(service):
    response = service.post("/reconcile", data={"queries": "{not json"})
    assert response.status_code == 400
    assert "queries is not valid JSON" in response.get_json()["message"]
    assert service.post("/reconcile", data={"queries": "[1]"}).status_code == 400


def test_suggest(service):
    entities = service.get("/reconcile/suggest/entity?prefix=mand").get_json()["result"]
    assert [e["id"] for e in entities] == ["person/osip-mandelstam"]
    assert entities[0]["notable"] == [{"id": PERSON, "name": "Person"}]
    by_word = service.get("/reconcile/suggest/entity?prefix=petersb").get_json()["result"]
    assert [e["id"] for e in by_word] == ["place/saint-petersburg"]
    places = service.get(
        "/reconcile/suggest/entity", query_string={"prefix": "s", "type": PLACE}
    ).get_json()["result"]
    # Names starting with the prefix first, then names with a word that does (Black Sea).
    assert [e["id"] for e in places] == [
        "place/saint-petersburg", "place/soviet-union", "place/black-sea",
    ]  # fmt: skip
    types = service.get("/reconcile/suggest/type?prefix=pe").get_json()["result"]
    assert types == [{"id": PERSON, "name": "Person"}]
    props = service.get("/reconcile/suggest/property?prefix=death").get_json()["result"]
    assert [p["id"] for p in props] == ["deathYear"]


def test_preview(service):
    response = service.get("/reconcile/preview?id=person/jean-giraudoux")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Jean Giraudoux" in html and "1882\u20131944" in html and "Q99002001" in html
    assert service.get("/reconcile/preview?id=person/nobody").status_code == 404


def test_data_extension_gives_wikidata_items(service):
    proposed = service.get("/reconcile/properties", query_string={"type": PERSON}).get_json()
    assert {"id": "wikidata", "name": "Wikidata item"} in proposed["properties"]
    extend = {"ids": ["person/romain-rolland", "person/max-jacob"], "properties": [
        {"id": "wikidata"}, {"id": "deathYear"},
    ]}  # fmt: skip
    answer = service.post("/reconcile", data={"extend": json.dumps(extend)}).get_json()
    assert answer["rows"]["person/romain-rolland"] == {
        "wikidata": [{"str": "Q47162"}],
        "deathYear": [{"str": "1944"}],
    }
    assert answer["rows"]["person/max-jacob"]["wikidata"] == []


def test_through_the_publishers_app_and_store(settings, tmp_path):
    from carnets.export import prepare_release
    from carnets.store import open_store
    from carnets.web import create_app

    release = prepare_release(
        settings, validate=lambda s: SimpleNamespace(conforms=True), root=tmp_path / "release"
    )
    store = open_store(settings, release.store_path, workers=0)
    try:
        client = create_app(settings, store=store, release=release).test_client()
        manifest = client.get("/reconcile").get_json()
        assert manifest["identifierSpace"] == settings.base
        results = _reconcile(
            client, {"q0": {"query": "Osip Emilievich Mandelstam", "type": PERSON}}
        )
        best = results["q0"]["result"][0]
        assert (best["id"], best["match"]) == ("person/osip-mandelstam", True)
        assert best["description"] == "1891\u20131938; poet"
    finally:
        store.close()
