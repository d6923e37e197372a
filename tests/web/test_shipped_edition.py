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


HTML = {"Accept": "text/html"}


def _section(html: str, heading: str) -> str:
    """The list under one heading of a page."""
    start = html.index(f"<h2>{heading}</h2>")
    return html[start : html.index("</ul>", start)]


def test_person_pages_list_meetings_letters_and_citizenship(shipped):
    client, _ = shipped
    html = client.get("/person/antoine-de-saint-exupery?lang=en", headers=HTML).data.decode()
    meetings = _section(html, "Meetings")
    for label in (
        "Serge and Saint-Exupéry at a café on the place de l’École Militaire",
        "Evenings at Saint-Exupéry’s home on the place Vauban",
        "Serge’s last encounter with Saint-Exupéry, at Léon Werth’s",
    ):
        assert label in meetings
    # dated meetings in their order, the passage linked to its entry
    assert meetings.index("place Vauban") < meetings.index("last encounter")
    assert 'href="/event/serge-last-encounter-with-saint-exupery"' in meetings
    assert 'href="/entry/1944-08-10"' in meetings
    assert "Antoine de Saint-Exupéry, French" in _section(html, "Citizenship")

    serge = client.get("/person/victor-serge?lang=en", headers=HTML).data.decode()
    assert "Serge’s letter to Duhamel announcing the death of Voloshin" in _section(
        serge, "Letters sent"
    )
    assert "a letter from Duhamel" in _section(serge, "Letters received")
    assert "Victor Serge, stateless, 1936–1947" in _section(serge, "Citizenship")


def test_work_and_event_pages_list_publications_and_related_events(shipped):
    client, _ = shipped
    html = client.get("/work/memoirs-of-a-revolutionary?lang=en", headers=HTML).data.decode()
    assert "Le Seuil, 1951" in _section(html, "Publications")
    plot = client.get("/event/20-july-plot?lang=en", headers=HTML).data.decode()
    assert "Hanging of eight officers after the 20 July plot" in _section(plot, "Followed by")
    assert "World War II" in _section(plot, "Part of")
    hanging = client.get(
        "/event/executions-after-the-20-july-plot?lang=en", headers=HTML
    ).data.decode()
    assert "20 July plot" in _section(hanging, "Caused by")
    letter = client.get("/work/letter-from-duhamel?lang=en", headers=HTML).data.decode()
    assert "Serge’s letter to Duhamel" in _section(letter, "Answers")


def test_the_new_facts_are_listed_in_french(shipped):
    client, _ = shipped
    html = client.get("/person/antoine-de-saint-exupery?lang=fr", headers=HTML).data.decode()
    assert "Dernière rencontre de Serge avec Saint-Exupéry, chez Léon Werth" in _section(
        html, "Rencontres"
    )
    assert "rapporté dans" in _section(html, "Rencontres")
    assert "Antoine de Saint-Exupéry, Français" in _section(html, "Citoyenneté")
    plot = client.get("/event/20-july-plot?lang=fr", headers=HTML).data.decode()
    assert "Suivi de" in plot and "Fait partie de" in plot
    work = client.get("/work/unforgiving-years?lang=fr", headers=HTML).data.decode()
    assert "Publication des Années sans pardon, François Maspero, 1971" in _section(
        work, "Publications"
    )
