"""The ontology at /ontology: its terms as a page for people, its graph as RDF for machines;
its SKOS concepts at /ontology/{scheme}/{name}, as a page or as RDF.

The ontology's IRIs (https://w3id.org/carnets/ontology#Person) are not under the edition's
base; a w3id.org rule sending https://w3id.org/carnets/ontology to {deployment}/ontology (and
https://w3id.org/carnets/ontology/(.*) to {deployment}/ontology/$1, for the concepts such as
https://w3id.org/carnets/ontology/manner/killed) makes them dereferenceable. Each term's row
on the page carries its local name as an anchor; pages of this server link terms and concepts
here rather than to w3id.org.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request

from carnets import conneg
from carnets.export import compact_jsonld
from carnets.namespaces import CN, GRAPH_ONTOLOGY, ONTOLOGY_IRI
from carnets.services.concepts import ConceptService
from carnets.store.base import QueryRequest
from carnets.store.query_text import bind_variables
from carnets.web.site import reader_lang
from carnets.web.state import publisher

bp = Blueprint("vocabulary", __name__)

GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
TERMS = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?term ?kind ?en ?fr ?definition WHERE { GRAPH ?g {
  ?term a ?kind . FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty))
  OPTIONAL { ?term rdfs:label ?en FILTER(LANGMATCHES(LANG(?en), "en")) }
  OPTIONAL { ?term rdfs:label ?fr FILTER(LANGMATCHES(LANG(?fr), "fr")) }
  OPTIONAL { ?term skos:definition ?definition FILTER(LANGMATCHES(LANG(?definition), "en")) }
} } ORDER BY ?kind ?term
"""
SCHEMES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?scheme ?schemeLabel ?concept ?en ?fr ?definition WHERE { GRAPH ?g {
  ?concept skos:inScheme ?scheme .
  OPTIONAL { ?scheme skos:prefLabel ?schemeLabel FILTER(LANGMATCHES(LANG(?schemeLabel), "en")) }
  OPTIONAL { ?concept skos:prefLabel ?en FILTER(LANGMATCHES(LANG(?en), "en")) }
  OPTIONAL { ?concept skos:prefLabel ?fr FILTER(LANGMATCHES(LANG(?fr), "fr")) }
  OPTIONAL { ?concept skos:definition ?definition FILTER(LANGMATCHES(LANG(?definition), "en")) }
} } ORDER BY ?scheme ?concept
"""
KINDS = {
    "Class": "Classes",
    "ObjectProperty": "Object properties",
    "DatatypeProperty": "Datatype properties",
}


@bp.route("/ontology", methods=["GET"])
def ontology() -> Response:
    media_type = conneg.negotiate(
        conneg.RESOURCES, request.headers.get("Accept"), request.args.get("format")
    )
    response = _ontology(media_type)
    response.vary.add("Accept")
    return response


@bp.route("/ontology.<suffix>", methods=["GET"])
def ontology_as(suffix: str) -> Response:
    if suffix not in conneg.RESOURCES.names:
        abort(404)
    return _ontology(conneg.RESOURCES.names[suffix])


def _ontology(media_type: str) -> Response:
    carnets = publisher()
    graph = {"g": ox.NamedNode(carnets.base + GRAPH_ONTOLOGY)}
    timeout = carnets.settings.query_timeout
    if media_type != conneg.HTML:
        text = bind_variables(GRAPH, {name: str(term) for name, term in graph.items()})
        result = carnets.store.execute(QueryRequest(text, media_type, form="CONSTRUCT"), timeout)
        return Response(result.body, content_type=conneg.content_type(media_type))
    sections: dict[str, list[dict[str, str]]] = {title: [] for title in KINDS.values()}
    for row in carnets.store.select(TERMS, graph, timeout):
        term = row["term"].value
        if not term.startswith(str(CN)):
            continue
        kind = KINDS[row["kind"].value.rsplit("#", 1)[-1]]
        values = {name: cell.value for name, cell in row.items()}
        sections[kind].append(values | {"name": term.removeprefix(str(CN))})
    schemes: dict[str, dict] = {}
    for row in carnets.store.select(SCHEMES, graph, timeout):
        scheme = row["scheme"].value
        found = schemes.setdefault(
            scheme,
            {
                "href": "/ontology" + scheme.removeprefix(ONTOLOGY_IRI),
                "label": row["schemeLabel"].value if "schemeLabel" in row else scheme,
                "concepts": [],
            },
        )
        values = {name: cell.value for name, cell in row.items()}
        found["concepts"].append(
            values | {"href": "/ontology" + row["concept"].value.removeprefix(ONTOLOGY_IRI)}
        )
    page = render_template(
        "ontology.html",
        namespace=str(CN),
        sections=sections,
        schemes=schemes,
        jsonld={
            "@context": "https://schema.org",
            "@type": "DefinedTermSet",
            "@id": ONTOLOGY_IRI,
            "name": "Carnets ontology",
            "hasDefinedTerm": [
                {"@type": "DefinedTerm", "@id": term["term"], "name": term.get("en", "")}
                for terms in sections.values()
                for term in terms
            ],
        },
    )
    return Response(page, mimetype="text/html")


@bp.route("/ontology/<scheme>/", methods=["GET"])
def concept_scheme(scheme: str) -> Response:
    return _concept(f"{scheme}/")


@bp.route("/ontology/<scheme>/<name>", methods=["GET"])
def concept(scheme: str, name: str) -> Response:
    return _concept(f"{scheme}/{name}")


def _concept(path: str) -> Response:
    """A SKOS concept (or scheme) of the ontology: its page, or its description as RDF."""
    carnets = publisher()
    suffix = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else None
    if suffix is not None:
        if suffix not in conneg.RESOURCES.names:
            abort(404)
        media_type = conneg.RESOURCES.names[suffix]
        path = path[: -len(suffix) - 1]
    else:
        media_type = conneg.negotiate(
            conneg.RESOURCES, request.headers.get("Accept"), request.args.get("format")
        )
    iri = f"{ONTOLOGY_IRI}/{path}"
    if media_type == conneg.HTML:
        service = ConceptService(
            carnets.store, carnets.base, timeout=carnets.settings.query_timeout
        )
        view = service.view(iri, reader_lang())
        if view is None:
            abort(404, f"{iri} is not a concept of this ontology")
        body = render_template(
            "concept.html",
            view=view,
            path="/ontology/" + path,
            formats=conneg.SUFFIXES,
            jsonld={
                "@context": "https://schema.org",
                "@type": "DefinedTermSet" if view.is_scheme else "DefinedTerm",
                "@id": iri,
                "name": view.title,
                "description": view.definitions.get("en", ""),
                "inDefinedTermSet": [t.href for t in view.related.get("scheme", [])],
            },
        )
        response = Response(body, mimetype="text/html")
    else:
        wanted = conneg.N_TRIPLES if media_type == conneg.JSON_LD else media_type
        body = carnets.store.describe(iri, wanted)
        if body is None:
            abort(404, f"{iri} is not a concept of this ontology")
        if media_type == conneg.JSON_LD:
            body = compact_jsonld(body, carnets.context)
        response = Response(body, content_type=conneg.content_type(media_type))
    if suffix is None:
        response.vary.add("Accept")
    return response
