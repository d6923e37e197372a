"""/download/ dumps, checksums and caching; the VoID/DCAT description; the JSON-LD context."""

from __future__ import annotations

import gzip
import hashlib

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

pytestmark = [
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning"),
]

BASE = "https://w3id.org/carnets/serge/"
SPDX = Namespace("http://spdx.org/rdf/terms#")
DUMPS = {
    "carnets.ttl": ("text/turtle", "turtle"),
    "carnets.nt": ("application/n-triples", "nt"),
    "carnets.jsonld": ("application/ld+json", "json-ld"),
    "carnets.nq": ("application/n-quads", "nquads"),
}


def fetch(client, url: str, **headers):
    with client.get(url, headers=headers) as response:
        response.direct_passthrough = False
        return response.status_code, response.headers, response.get_data()


def distinct_triples(store) -> int:
    rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")
    return int(rows[0]["n"].value)


@pytest.mark.parametrize(("name", "kind"), DUMPS.items())
def test_dumps_reparse_to_the_same_number_of_triples(client, store, name, kind):
    media_type, parser = kind
    status, headers, body = fetch(client, f"/download/{name}")
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == media_type
    if parser in ("nquads", "json-ld"):
        dataset = Dataset()
        dataset.parse(data=body.decode("utf-8"), format=parser)
        per_graph = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
        assert per_graph == store.triple_counts()  # named graphs kept
    else:
        graph = Graph().parse(data=body.decode("utf-8"), format=parser)
        assert len(graph) == distinct_triples(store)


def test_gzip_on_request_and_as_a_file(client):
    status, headers, body = fetch(client, "/download/carnets.nt", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    plain = fetch(client, "/download/carnets.nt")[2]
    assert gzip.decompress(body) == plain
    status, headers, packed = fetch(client, "/download/carnets.nt.gz")
    assert headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in headers
    assert gzip.decompress(packed) == plain


def test_etag_and_last_modified_spare_a_second_download(client):
    _, headers, _ = fetch(client, "/download/carnets.ttl")
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert fetch(client, "/download/carnets.ttl", **{"If-None-Match": etag})[0] == 304
    assert fetch(client, "/download/carnets.ttl", **{"If-Modified-Since": modified})[0] == 304
    gz_etag = fetch(client, "/download/carnets.ttl", **{"Accept-Encoding": "gzip"})[1]["ETag"]
    assert gz_etag != etag  # the compressed representation is another entity


def test_checksums_match_the_files(client):
    status, _, sums = fetch(client, "/download/SHA256SUMS")
    assert status == 200
    listed = dict(reversed(line.split("  ")) for line in sums.decode().splitlines())
    assert set(listed) == {*DUMPS, *(f"{name}.gz" for name in DUMPS)}
    for name, digest in listed.items():
        assert hashlib.sha256(fetch(client, f"/download/{name}")[2]).hexdigest() == digest
    headers = fetch(client, "/download/carnets.nq")[1]
    assert headers["Digest"].startswith("sha-256=")


def test_download_index_and_unknown_dump(client):
    status, _, page = fetch(client, "/download/", Accept="text/html")
    assert status == 200
    assert b'href="/download/carnets.nq"' in page
    assert fetch(client, "/download/carnets.xlsx")[0] == 404
    assert fetch(client, "/download")[0] == 301


@pytest.mark.parametrize("url", ["/.well-known/void", "/dataset"])
def test_void_and_dcat_description(client, store, url):
    status, headers, body = fetch(client, url, Accept="text/turtle")
    assert status == 200
    assert "Accept" in headers["Vary"]
    graph = Graph().parse(data=body.decode("utf-8"), format="turtle")
    dataset = URIRef(BASE + "dataset")
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert graph.value(dataset, DCTERMS.title) is not None
    assert graph.value(dataset, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert "Mitchell Abidor" in graph.value(dataset, DCTERMS.rights)
    assert graph.value(dataset, URIRef("https://schema.org/version")) == Literal("0.1.0")
    assert graph.value(dataset, VOID.triples).toPython() == sum(store.triple_counts().values())
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    assert graph.value(dataset, VOID.exampleResource) == URIRef(BASE + "person/max-jacob")
    dumps = {str(u) for u in graph.objects(dataset, VOID.dataDump)}
    assert dumps == {f"{BASE}download/{name}" for name in DUMPS}
    partitions = {
        graph.value(p, VOID["class"]): graph.value(p, VOID.entities).toPython()
        for p in graph.objects(dataset, VOID.classPartition)
    }
    assert partitions[URIRef("https://w3id.org/carnets/ontology#Person")] == 3
    assert partitions[URIRef("https://w3id.org/carnets/ontology#Mention")] == 3
    vocabularies = set(graph.objects(dataset, VOID.vocabulary))
    assert URIRef("http://www.w3.org/ns/oa#") in vocabularies
    linkset = URIRef(BASE + "graph/links")
    assert (linkset, RDF.type, VOID.Linkset) in graph
    assert graph.value(linkset, VOID.triples).toPython() == 2
    assert graph.value(linkset, VOID.objectsTarget) == URIRef("http://www.wikidata.org/entity/")
    for distribution in graph.objects(dataset, DCAT.distribution):
        url = str(graph.value(distribution, DCAT.downloadURL))
        checksum = graph.value(graph.value(distribution, SPDX.checksum), SPDX.checksumValue)
        body = fetch(client, "/" + url[len(BASE) :])[2]
        assert hashlib.sha256(body).hexdigest() == str(checksum)
        assert graph.value(distribution, DCAT.byteSize).toPython() == len(body)


@pytest.mark.parametrize(
    ("accept", "parser"),
    [
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
)
def test_void_in_other_formats(client, accept, parser):
    body = fetch(client, "/.well-known/void", Accept=accept)[2]
    graph = Graph().parse(data=body.decode("utf-8"), format=parser)
    assert (URIRef(BASE + "dataset"), RDF.type, VOID.Dataset) in graph


def test_dataset_page_for_browsers(client):
    status, _, page = fetch(client, "/dataset", Accept="text/html")
    assert status == 200
    assert b"void:sparqlEndpoint" in page


def test_context_is_published_at_its_own_url(client):
    status, headers, body = fetch(client, "/context.jsonld")
    assert status == 200
    assert headers["Content-Type"].startswith("application/ld+json")
    import json

    context = json.loads(body)["@context"]
    assert context["cn"] == "https://w3id.org/carnets/ontology#"
    assert context["reportsDeath"] == {"@id": "cn:reportsDeath", "@type": "@id"}
    assert fetch(client, "/context.jsonld", **{"If-None-Match": headers["ETag"]})[0] == 304
