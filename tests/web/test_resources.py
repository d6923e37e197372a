"""Dereferenceable URIs: content negotiation, format URLs, pages, 404s."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

BASE = "https://w3id.org/carnets/serge/"
PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
SUFFIXES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}
RESOURCES = [
    "person/max-jacob",
    "entry/1944-08-10",
    "death/max-jacob",
    "report/1944-08-10/max-jacob",
    "work/night-flight",
    "place/drancy",
]


def held(store, path: str) -> Graph:
    """What the store holds as the description of {base}{path}."""
    return Graph().parse(
        data=store.describe(BASE + path, "application/n-triples").decode(), format="nt"
    )


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize("media_type", PARSERS)
def test_negotiated_rdf_is_isomorphic_to_the_store(client, store, path, media_type):
    response = client.get(f"/{path}", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.vary
    graph = Graph().parse(data=response.data.decode("utf-8"), format=PARSERS[media_type])
    assert isomorphic(graph, held(store, path))


@pytest.mark.parametrize(("suffix", "media_type"), SUFFIXES.items())
def test_format_urls(client, store, suffix, media_type):
    response = client.get(f"/person/max-jacob.{suffix}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" not in response.vary
    graph = Graph().parse(data=response.data.decode("utf-8"), format=PARSERS[media_type])
    assert isomorphic(graph, held(store, "person/max-jacob"))


def test_description_is_enough_to_read_the_resource(client):
    graph = Graph().parse(data=client.get("/person/max-jacob.ttl").data.decode(), format="turtle")
    person = URIRef(BASE + "person/max-jacob")
    skos = "http://www.w3.org/2004/02/skos/core#"
    assert graph.value(person, URIRef(skos + "prefLabel")) == Literal("Max Jacob", lang="en")
    # the Wikidata link (links graph) and the mentions and reports pointing at it
    assert (
        person,
        URIRef("http://www.w3.org/2002/07/owl#sameAs"),
        URIRef("http://www.wikidata.org/entity/Q353115"),
    ) in graph
    mentions = set(graph.subjects(URIRef("http://www.w3.org/ns/oa#hasBody"), person))
    assert len(mentions) == 2
    report = URIRef(BASE + "report/1944-08-10/max-jacob")
    cn = "https://w3id.org/carnets/ontology#"
    assert graph.value(report, URIRef(cn + "quote")) == Literal("tortured and murdered", lang="en")
    # labels of what it points to: the entries that mention it carry their label
    entry = URIRef(BASE + "entry/1944-11-05")
    assert graph.value(entry, URIRef(skos + "prefLabel")) is not None
    # ...but not their whole text
    assert graph.value(entry, URIRef("https://schema.org/text")) is None


def test_entry_description_holds_its_anchored_mentions(client):
    graph = Graph().parse(data=client.get("/entry/1944-08-10.nt").data.decode(), format="nt")
    mention = URIRef(BASE + "entry/1944-08-10#m8-17")
    oa = "http://www.w3.org/ns/oa#"
    assert graph.value(mention, URIRef(oa + "hasBody")) == URIRef(BASE + "person/max-jacob")
    starts = set(graph.objects(None, URIRef(oa + "start")))
    assert {Literal(8), Literal(70)} <= starts


def test_jsonld_is_compact_with_the_published_context(client):
    response = client.get("/death/max-jacob", headers={"Accept": "application/ld+json"})
    document = response.get_json()
    published = client.get("/context.jsonld").get_json()["@context"]
    assert document["@context"] == published
    assert "cn:manner" in response.get_data(as_text=True) or "manner" in document


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/turtle"),
        ("*/*", "text/turtle"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.5", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("text/plain", "application/n-triples"),
    ],
)
def test_resource_negotiation_table(client, accept, expected):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/person/max-jacob", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == expected


def test_unacceptable_is_406(client):
    assert client.get("/person/max-jacob", headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize(
    "path", ["person/nobody", "entry/1066-10-14", "person/max-jacob/extra", "nothing.ttl"]
)
def test_unknown_uris_are_404(client, path):
    for accept in ("text/html", "text/turtle"):
        response = client.get(f"/{path}", headers={"Accept": accept})
        assert response.status_code == 404


def test_html_page_has_labels_links_and_passages_with_rights(client):
    page = client.get("/person/max-jacob", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<h1>Max Jacob</h1>" in page
    assert 'href="/entry/1944-08-10"' in page
    assert "News of <mark>Max Jacob</mark>: tortured and murdered" in page
    assert "I think of <mark>Max Jacob</mark> again" in page
    assert "Translation © 2019 Mitchell Abidor and Richard Greeman" in page
    assert 'href="/person/max-jacob.ttl"' in page


def test_entry_page_shows_its_text_with_the_rights_statement(client):
    page = client.get("/entry/1944-08-10", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Мандельштам" in page
    assert "Translation © 2019" in page


def test_non_ascii_survives_in_every_resource_format(client):
    for suffix, media_type in SUFFIXES.items():
        data = client.get(f"/person/osip-mandelstam.{suffix}").data.decode("utf-8")
        graph = Graph().parse(data=data, format=PARSERS[media_type])
        assert Literal("Мандельштам", lang="ru") in set(graph.objects())


def test_conditional_get_on_resources(client):
    first = client.get("/person/max-jacob.ttl")
    assert first.headers["ETag"]
    again = client.get("/person/max-jacob.ttl", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_alternate_links_and_content_location(client):
    response = client.get("/person/max-jacob", headers={"Accept": "text/turtle"})
    assert response.headers["Content-Location"] == "/person/max-jacob.ttl"
    assert '</person/max-jacob.jsonld>; rel="alternate"' in response.headers["Link"]


def test_home_page_and_rdf_clients_at_the_root(client):
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'href="/entry/1944-08-10"' in page.get_data(as_text=True)
    rdf = client.get("/", headers={"Accept": "text/turtle"})
    assert rdf.status_code == 303
    assert rdf.headers["Location"].endswith("/dataset")


@pytest.mark.parametrize("graph", ["graph/edition", "graph/links", "graph/ontology"])
def test_named_graph_uris_dereference_to_their_void_description(client, graph):
    response = client.get(f"/{graph}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    parsed = Graph().parse(data=response.data.decode("utf-8"), format="turtle")
    void = "http://rdfs.org/ns/void#"
    assert (URIRef(BASE + graph), URIRef(void + "triples"), None) in parsed
