"""The SPARQL 1.1 Protocol at /sparql, as clients send it, over the Flask test client."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

# rdflib's JSON-LD parser builds a ConjunctiveGraph internally and warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

BASE = "https://w3id.org/carnets/serge/"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SR = "{http://www.w3.org/2005/sparql-results#}"

PEOPLE = """PREFIX cn: <https://w3id.org/carnets/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?person ?name WHERE { ?person a cn:Person ; skos:prefLabel ?name } ORDER BY ?name"""
NAMES = ["Max Jacob", "Osip Mandelstam", "Victor Serge"]
CONSTRUCT = f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT {{ ?p skos:altLabel ?l }} WHERE {{ <{BASE}person/osip-mandelstam> skos:altLabel ?l .
BIND(<{BASE}person/osip-mandelstam> AS ?p) }}"""
ALT_LABELS = {Literal("Mandelstam", lang="en"), Literal("Мандельштам", lang="ru")}


def names_from(media_type: str, body: bytes) -> list[str]:
    """The ?name column of PEOPLE, read back with a parser for each results format."""
    if media_type == "application/sparql-results+json":
        rows = json.loads(body)["results"]["bindings"]
        return [row["name"]["value"] for row in rows]
    if media_type == "application/sparql-results+xml":
        root = ET.fromstring(body)
        return [
            b.find(f"{SR}literal").text
            for b in root.iter(f"{SR}binding")
            if b.get("name") == "name"
        ]
    if media_type == "text/csv":
        return [row["name"] for row in csv.DictReader(io.StringIO(body.decode("utf-8")))]
    if media_type == "text/tab-separated-values":
        lines = body.decode("utf-8").splitlines()
        column = lines[0].split("\t").index("?name")
        return [line.split("\t")[column].split("@")[0].strip('"') for line in lines[1:]]
    raise AssertionError(media_type)


RESULT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


@pytest.mark.parametrize("media_type", RESULT_TYPES)
def test_select_by_get_in_every_results_format(client, media_type):
    response = client.get("/sparql", query_string={"query": PEOPLE}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.vary
    assert names_from(media_type, response.data) == NAMES


@pytest.mark.parametrize("media_type", RESULT_TYPES)
def test_select_by_post_form(client, media_type):
    response = client.post("/sparql", data={"query": PEOPLE}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert names_from(media_type, response.data) == NAMES


def test_select_by_post_direct_body(client):
    response = client.post(
        "/sparql",
        data=PEOPLE.encode("utf-8"),
        content_type="application/sparql-query",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert names_from(response.mimetype, response.data) == NAMES


@pytest.mark.parametrize("media_type", RESULT_TYPES)
def test_ask_in_every_results_format(client, media_type):
    query = f"ASK {{ <{BASE}person/max-jacob> ?p ?o }}"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media_type})
    assert response.status_code == 200
    body = response.data.decode("utf-8")
    if media_type.endswith("json"):
        assert json.loads(body)["boolean"] is True
    elif media_type.endswith("xml"):
        assert ET.fromstring(body).find(f"{SR}boolean").text == "true"
    else:
        assert body.strip().lower() == "true"


@pytest.mark.parametrize(("media_type", "parser"), GRAPH_TYPES.items())
def test_construct_in_every_graph_format(client, media_type, parser):
    response = client.get(
        "/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": media_type}
    )
    assert response.status_code == 200
    assert response.mimetype == media_type
    graph = Graph().parse(data=response.data.decode("utf-8"), format=parser)
    assert set(graph.objects()) == ALT_LABELS


@pytest.mark.parametrize(("media_type", "parser"), GRAPH_TYPES.items())
def test_describe_in_every_graph_format(client, media_type, parser):
    query = f"DESCRIBE <{BASE}person/max-jacob>"
    response = client.post("/sparql", data={"query": query}, headers={"Accept": media_type})
    assert response.status_code == 200
    graph = Graph().parse(data=response.data.decode("utf-8"), format=parser)
    assert Literal("Max Jacob", lang="en") in set(graph.objects(URIRef(f"{BASE}person/max-jacob")))


@pytest.mark.parametrize(
    ("accept", "select_type", "construct_type"),
    [
        (None, "application/sparql-results+json", "text/turtle"),
        ("*/*", "application/sparql-results+json", "text/turtle"),
        (
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "application/sparql-results+xml",
            "application/rdf+xml",
        ),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml", None),
        ("application/json", "application/sparql-results+json", "application/ld+json"),
        ("text/turtle;q=0.2, application/n-triples", None, "application/n-triples"),
    ],
)
def test_accept_defaults_and_q_values(client, accept, select_type, construct_type):
    headers = {"Accept": accept} if accept else {}
    for query, expected in ((PEOPLE, select_type), (CONSTRUCT, construct_type)):
        response = client.get("/sparql", query_string={"query": query}, headers=headers)
        if expected is None:
            assert response.status_code == 406
        else:
            assert response.status_code == 200, response.data
            assert response.mimetype == expected


def test_format_parameter_wins_over_accept(client):
    response = client.get(
        "/sparql", query_string={"query": PEOPLE, "format": "csv"}, headers={"Accept": "text/html"}
    )
    assert response.mimetype == "text/csv"
    assert names_from("text/csv", response.data) == NAMES


def test_406_only_for_what_cannot_be_served(client):
    response = client.get(
        "/sparql", query_string={"query": PEOPLE}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["SELECT * WHERE { ?s ?p ", "SELEKT ?s WHERE {}", "ASK { ?s <nope }", "PREFIX x: SELECT"],
)
def test_malformed_query_is_400_with_the_parsers_message(client, query):
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    assert text.strip()


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": {"query": PEOPLE, "update": "CLEAR ALL"}}, 400),
        ({"data": {}}, 400),
        ({"data": {"query": ""}}, 400),
        ({"data": b"query=x", "content_type": "text/plain"}, 415),
        ({"data": PEOPLE, "content_type": "application/json"}, 415),
    ],
)
def test_bad_post_requests_are_4xx(client, kwargs, status):
    response = client.post("/sparql", **kwargs)
    assert response.status_code == status
    assert response.mimetype == "text/plain"


def test_two_queries_are_400(client):
    response = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert response.status_code == 400


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_405(client, method):
    response = getattr(client, method)("/sparql", data={"query": PEOPLE})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


UPDATES = [
    f'INSERT DATA {{ <{BASE}person/intruder> <{BASE}p> "x" }}',
    f"DELETE WHERE {{ <{BASE}person/max-jacob> ?p ?o }}",
    "CLEAR ALL",
    "DROP DEFAULT",
    "LOAD <http://example.org/data.ttl>",
]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_by_every_route_and_change_nothing(client, update):
    routes = [
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", data=update, content_type="application/sparql-update"),
        client.get("/sparql", query_string={"update": update}),
        client.get("/sparql", query_string={"query": update}),
        client.post("/sparql", data={"query": update}),
        client.post("/sparql", data=update, content_type="application/sparql-query"),
    ]
    for response in routes:
        assert 400 <= response.status_code < 500, response.data
    still = client.get(
        "/sparql",
        query_string={"query": f"ASK {{ <{BASE}person/max-jacob> ?p ?o }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert json.loads(still.data)["boolean"] is True
    intruder = client.get(
        "/sparql",
        query_string={"query": f"ASK {{ <{BASE}person/intruder> ?p ?o }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert json.loads(intruder.data)["boolean"] is False


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_FROM = "SELECT (COUNT(*) AS ?n) FROM <%s> WHERE { ?s ?p ?o }"
GRAPHS_SEEN = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


def _count(client, query, **params) -> int:
    response = client.get(
        "/sparql", query_string={"query": query, **params}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200, response.data
    return int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])


def _graphs(client, **params) -> list[str]:
    response = client.get(
        "/sparql",
        query_string={"query": GRAPHS_SEEN, **params},
        headers={"Accept": "application/json"},
    )
    return [row["g"]["value"] for row in json.loads(response.data)["results"]["bindings"]]


def test_default_graph_is_the_union_of_the_named_graphs(client, store):
    counts = store.triple_counts()
    assert set(counts) == {BASE + "graph/ontology", BASE + "graph/edition", BASE + "graph/links"}
    assert _count(client, COUNT) == sum(counts.values())


def test_default_graph_uri_selects_one_graph(client, store):
    links = BASE + "graph/links"
    assert _count(client, COUNT, **{"default-graph-uri": links}) == store.triple_counts()[links]
    both = [BASE + "graph/links", BASE + "graph/ontology"]
    response = client.get(
        "/sparql",
        query_string=[("query", COUNT)] + [("default-graph-uri", g) for g in both],
        headers={"Accept": "application/json"},
    )
    expected = sum(store.triple_counts()[g] for g in both)
    assert int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"]) == expected


def test_from_clause_is_honoured_and_protocol_parameters_override_it(client, store):
    counts = store.triple_counts()
    ontology, links = BASE + "graph/ontology", BASE + "graph/links"
    assert _count(client, COUNT_FROM % ontology) == counts[ontology]
    overridden = _count(client, COUNT_FROM % ontology, **{"default-graph-uri": links})
    assert overridden == counts[links]


def test_named_graph_uri_limits_graph_patterns_and_empties_the_default_graph(client):
    links = BASE + "graph/links"
    assert _graphs(client) == sorted([BASE + "graph/edition", links, BASE + "graph/ontology"])
    assert _graphs(client, **{"named-graph-uri": links}) == [links]
    assert _count(client, COUNT, **{"named-graph-uri": links}) == 0
    assert _graphs(client, **{"default-graph-uri": links}) == []


def test_unknown_graphs_are_empty_graphs_never_fetched(client, canary):
    # The Protocol lets a service answer a graph it does not hold as empty; nothing is fetched
    # (the canary on 127.0.0.1 records any connection).
    remote, heard = canary.url, len(canary.connections)
    assert _count(client, COUNT_FROM % remote) == 0
    assert _count(client, COUNT, **{"default-graph-uri": remote}) == 0
    assert _graphs(client, **{"named-graph-uri": remote}) == []
    assert len(canary.connections) == heard


def test_service_is_refused_unless_allow_listed(client):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 403
    assert "SERVICE" in response.get_data(as_text=True)
    silent = "SELECT * WHERE { SERVICE SILENT ?endpoint { ?s ?p ?o } }"
    assert client.get("/sparql", query_string={"query": silent}).status_code == 403


def test_row_cap_is_announced_not_silent(client, settings):
    response = client.get(
        "/sparql",
        query_string={"query": "SELECT * WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert response.headers["Carnets-Truncated"] == f"rows={settings.max_rows}"
    assert len(json.loads(response.data)["results"]["bindings"]) == settings.max_rows
    small = client.get(
        "/sparql",
        query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert "Carnets-Truncated" not in small.headers
    assert len(json.loads(small.data)["results"]["bindings"]) == 10


def test_exactly_the_cap_is_not_called_truncated(client, settings):
    numbers = " ".join(str(i) for i in range(settings.max_rows))
    query = f"SELECT ?n WHERE {{ VALUES ?n {{ {numbers} }} }}"
    response = client.get("/sparql", query_string={"query": query, "format": "tsv"})
    assert "Carnets-Truncated" not in response.headers
    assert len(response.data.decode().splitlines()) == settings.max_rows + 1


def test_service_description_tells_the_truth(client, store):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.data.decode("utf-8"), format="turtle")
    service = graph.value(predicate=RDF.type, object=SD.Service)
    assert graph.value(service, SD.endpoint) == URIRef(f"{BASE}sparql")  # never the Host
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert SD.UnionDefaultGraph in set(graph.objects(service, SD.feature))
    formats = {str(f).rsplit("/", 1)[1] for f in graph.objects(service, SD.resultFormat)}
    assert formats >= {
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    }
    dataset = graph.value(service, SD.defaultDataset)
    names = {graph.value(ng, SD.name) for ng in graph.objects(dataset, SD.namedGraph)}
    assert names == {URIRef(g) for g in store.triple_counts()}
    assert "SPARQL11Update" not in response.get_data(as_text=True)


@pytest.mark.parametrize(("media_type", "parser"), GRAPH_TYPES.items())
def test_service_description_in_every_rdf_format(client, media_type, parser):
    response = client.get("/sparql", headers={"Accept": media_type})
    assert response.mimetype == media_type
    graph = Graph().parse(data=response.data.decode("utf-8"), format=parser)
    assert (None, RDF.type, SD.Service) in graph


def test_service_description_for_browsers_is_a_query_form(client):
    response = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.mimetype == "text/html"
    assert "<form" in response.get_data(as_text=True)


def test_head_and_options(client):
    head = client.head("/sparql", query_string={"query": PEOPLE})
    assert head.status_code == 200
    assert head.data == b""
    assert head.mimetype == "application/sparql-results+json"
    options = client.options("/sparql")
    assert options.status_code == 200
    assert {"GET", "POST", "HEAD", "OPTIONS"} <= set(options.headers["Allow"].split(", "))


def test_cors_allows_any_origin_including_preflight(client):
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    for response in (
        client.get("/sparql", query_string={"query": PEOPLE}, headers={"Origin": "https://x"}),
        client.post("/sparql", data={"query": PEOPLE}, headers={"Origin": "https://x"}),
        client.get("/sparql", query_string={"query": "nonsense"}),
    ):
        assert response.headers["Access-Control-Allow-Origin"] == "*"


NON_ASCII = f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label ?echo WHERE {{ <{BASE}person/osip-mandelstam> skos:altLabel ?label .
FILTER(LANG(?label) = "ru") BIND("œuvre — «été» 日本" AS ?echo) }}"""


def test_non_ascii_round_trips_through_every_route(client):
    responses = [
        client.get("/sparql", query_string={"query": NON_ASCII}),
        client.post("/sparql", data={"query": NON_ASCII}),
        client.post(
            "/sparql",
            data=NON_ASCII.encode("utf-8"),
            content_type="application/sparql-query; charset=utf-8",
        ),
    ]
    for response in responses:
        assert response.status_code == 200, response.data
        row = json.loads(response.data.decode("utf-8"))["results"]["bindings"][0]
        assert row["label"]["value"] == "Мандельштам"
        assert row["echo"]["value"] == "œuvre — «été» 日本"
