"""The publisher over the shipped edition (ontology/ and data/ at the top of the repository),
validated by its real shapes and built into a temporary folder, as `carnets serve` does it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from carnets.config import PROJECT_ROOT, Settings
from carnets.export import prepare_release
from carnets.loading import load_dataset, union_graph
from carnets.store import open_store
from carnets.validation import validate
from carnets.web import create_app

pytestmark = [
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Iterator[tuple[FlaskClient, object]]:
    settings = Settings.from_env({}, root=PROJECT_ROOT)
    release = prepare_release(settings, validate=validate, root=tmp_path_factory.mktemp("shipped"))
    store = open_store(settings, release.store_path, workers=2)
    yield create_app(settings, store, release).test_client(), store
    store.close()


def test_named_graphs_are_all_there(shipped):
    _, store = shipped
    counts = store.triple_counts()
    base = "https://w3id.org/carnets/serge/"
    assert {base + "graph/ontology", base + "graph/edition"} <= set(counts)
    assert all(n > 0 for n in counts.values())


def test_people_dereference_in_every_format(shipped):
    client, store = shipped
    query = (
        "SELECT ?p WHERE { ?p a <https://w3id.org/carnets/ontology#Person> } ORDER BY ?p LIMIT 5"
    )
    rows = json.loads(client.get("/sparql", query_string={"query": query}).data)
    people = [row["p"]["value"] for row in rows["results"]["bindings"]]
    assert people
    for iri in people:
        path = iri.removeprefix("https://w3id.org/carnets/serge/")
        held = Graph().parse(
            data=store.describe(iri, "application/n-triples").decode(), format="nt"
        )
        for suffix, parser in (("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml")):
            body = client.get(f"/{path}.{suffix}").data.decode("utf-8")
            assert isomorphic(Graph().parse(data=body, format=parser), held), (iri, suffix)
        page = client.get(f"/{path}", headers={"Accept": "text/html"})
        assert page.status_code == 200


def test_passages_of_a_person_are_quoted(shipped):
    client, _ = shipped
    query = """PREFIX oa: <http://www.w3.org/ns/oa#>
    SELECT ?p (COUNT(*) AS ?n) WHERE { ?m oa:hasBody ?p } GROUP BY ?p ORDER BY DESC(?n) LIMIT 1"""
    row = json.loads(client.get("/sparql", query_string={"query": query}).data)
    most = row["results"]["bindings"][0]["p"]["value"]
    page = client.get(
        "/" + most.removeprefix("https://w3id.org/carnets/serge/"), headers={"Accept": "text/html"}
    ).get_data(as_text=True)
    assert "<mark>" in page


def test_dumps_and_void(shipped):
    client, store = shipped
    with client.get("/download/carnets.nq") as response:
        response.direct_passthrough = False
        lines = [line for line in response.get_data().decode("utf-8").splitlines() if line]
    assert len(lines) == sum(store.triple_counts().values())
    void = Graph().parse(data=client.get("/dataset.ttl").data.decode(), format="turtle")
    dataset = URIRef("https://w3id.org/carnets/serge/dataset")
    assert (dataset, URIRef("http://rdfs.org/ns/void#sparqlEndpoint"), None) in void


def test_the_dump_is_the_edition_triple_for_triple(shipped):
    """What the engine serves is what the files say: no literal normalized, nothing lost."""
    client, _ = shipped
    with client.get("/download/carnets.nt") as response:
        body = response.get_data(as_text=True)
    served = Graph().parse(data=body, format="nt")
    files = union_graph(load_dataset(Settings.from_env({}, root=PROJECT_ROOT)))
    assert len(served) == len(files)
    assert isomorphic(served, files)


def test_a_person_page_sets_the_record_beside_serge_s_reports(shipped):
    client, _ = shipped
    page = client.get("/person/max-jacob", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "1944-03-05, Drancy: died in custody (pneumonia)" in html
    assert "“Max Jacob was tortured and murdered”: tortured and murdered" in html
    assert html.count("<mark>Max Jacob</mark>") == 3  # each passage once
    assert "under copyright" in html  # quotations carry the translation's rights


def test_an_entry_page_lists_what_refers_to_it_by_name(shipped):
    client, _ = shipped
    html = client.get("/entry/1944-11-05", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Serge on the death of Max Jacob, 5 November 1944" in html
    assert "-target</a>" not in html and "#m1003-1016" not in html


def test_the_ontology_dereferences_as_a_page_and_as_rdf(shipped):
    client, _ = shipped
    page = client.get("/ontology", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Vary" in page.headers
    assert '<tr id="DeathReport">' in html  # the anchor of cn:DeathReport
    assert "report of a death" in html and "récit d&#39;un décès" in html
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    files = Graph()
    for path in sorted((PROJECT_ROOT / "ontology").glob("*.ttl")):
        files.parse(path)
    assert isomorphic(graph, files)
    jsonld = client.get("/ontology.jsonld")
    assert jsonld.mimetype == "application/ld+json"
    assert len(Graph().parse(data=jsonld.get_data(as_text=True), format="json-ld")) == len(files)
