"""The SPARQL 1.1 Service Description that GET /sparql without a query returns.

It states only what is true of this endpoint: its URL, SPARQL 1.1 Query and no Update, the
result formats it serializes, the default graph being the union of the named graphs (with
their sizes), the time limit and the row cap.
"""

from __future__ import annotations

from flask import request

from carnets.conneg import JSON_LD, TURTLE
from carnets.export import convert_graph
from carnets.web.state import publisher

FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = [
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
]


def endpoint_iri() -> str:
    """The endpoint's IRI, never taken from the Host header unless the settings say so.

    Any client sets Host, and a cache would pass a forged one on to everyone. CARNETS_PUBLIC_URL
    names where clients reach the server; without it the endpoint is `{base}sparql`, the IRI
    the VoID description gives, which reaches this server as every `{base}{path}` does. Only
    CARNETS_TRUST_HOST (for a server on a developer's machine) names it after the request.
    """
    settings = publisher().settings
    if settings.public_url:  # a further edition of the server is under /{name}
        return settings.public_url.rstrip("/") + request.script_root + "/sparql"
    if settings.trust_host:
        return request.base_url
    return settings.base + "sparql"


def service_turtle(endpoint: str) -> str:
    carnets = publisher()
    settings = carnets.settings
    counts = carnets.endpoint_counts
    named = "".join(
        f"""
        sd:namedGraph [ a sd:NamedGraph ; sd:name <{name}> ;
                        sd:graph [ a sd:Graph ; void:triples {count} ] ] ;"""
        for name, count in counts.items()
    )
    formats = ", ".join(f"<{FORMATS}{name}>" for name in RESULT_FORMATS)
    federated = " , sd:BasicFederatedQuery" if settings.service_allow else ""
    union, sources = "the union of the named graphs", f"<{settings.base}dataset>"
    if carnets.query_store is not None and carnets.editions:
        union = (
            f"the union of the named graphs of every edition this server publishes "
            f"({', '.join(e.name for e in carnets.editions)}); each edition's own endpoint, "
            f"{{base}}sparql, has its graphs only"
        )
        sources = " , ".join(f"<{e.base}dataset>" for e in carnets.editions)
    return f"""
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ent: <http://www.w3.org/ns/entailment/> .

[] a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph{federated} ;
    sd:defaultEntailmentRegime ent:Simple ;
    sd:resultFormat {formats} ;
    dcterms:description \"\"\"Read-only SPARQL 1.1 Query endpoint of Carnets (SPARQL Update is \
not supported). The default graph is {union}. Queries are stopped after \
{settings.query_timeout:g} s. SELECT results are cut at {settings.max_rows} rows, and a cut result \
carries the HTTP header Carnets-Truncated.\"\"\"@en ;
    sd:defaultDataset [
        a sd:Dataset ;
        dcterms:source {sources} ;
        sd:defaultGraph [ a sd:Graph ; void:triples {sum(counts.values())} ;
            dcterms:description "{union}"@en ] ;{named}
    ] .
"""


def service_description(endpoint: str, media_type: str) -> bytes:
    turtle = service_turtle(endpoint).encode("utf-8")
    if media_type == TURTLE:
        return turtle
    context = publisher().context if media_type == JSON_LD else None
    return convert_graph(turtle, TURTLE, media_type, context)
