"""The ontology at /ontology: its terms as a page for people, its graph as RDF for machines.

The ontology's IRIs (https://w3id.org/carnets/ontology#Person) are not under the edition's
base; a w3id.org rule sending https://w3id.org/carnets/ontology to {deployment}/ontology makes
them dereferenceable, and each term's row on the page carries its local name as an anchor.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request

from carnets import conneg
from carnets.namespaces import CN, GRAPH_ONTOLOGY
from carnets.store.base import QueryRequest
from carnets.store.query_text import bind_variables
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
    page = render_template("ontology.html", namespace=str(CN), sections=sections)
    return Response(page, mimetype="text/html")
