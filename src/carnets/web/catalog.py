"""/catalog: the editions a server publishes, as a DCAT catalog (only when it has several).

Each edition is a dcat:Dataset under its own base, with its own VoID at `{base}dataset` and
its own endpoint `{base}sparql`; the catalog adds the server's `/sparql`, whose default graph
is the union of every edition's graphs.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, request

from carnets import conneg
from carnets.export import convert_graph
from carnets.web.pages import resource_page
from carnets.web.service import endpoint_iri
from carnets.web.state import publisher

bp = Blueprint("catalog", __name__)

DCAT = "http://www.w3.org/ns/dcat#"


def catalog_turtle() -> bytes:
    carnets = publisher()
    catalog = carnets.base + "catalog"
    endpoint = endpoint_iri()
    lines = [
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .",
        f"<{catalog}> a dcat:Catalog ;",
        '    dcterms:title "Carnets: the editions of this server"@en ,',
        '        "Carnets : les éditions de ce serveur"@fr ;',
        f"    dcat:service <{endpoint}> ;",
    ]
    lines += [f"    dcat:dataset <{e.base}dataset> ;" for e in carnets.editions]
    lines[-1] = lines[-1][:-1] + "."
    lines += [
        f"<{endpoint}> a dcat:DataService , sd:Service ; dcat:endpointURL <{endpoint}> ;",
        '    dcterms:description "The union of the named graphs of every edition."@en ;',
        "    "
        + " ; ".join(f"dcat:servesDataset <{e.base}dataset>" for e in carnets.editions)
        + " .",
    ]
    for e in carnets.editions:
        lines.append(
            f"<{e.base}dataset> a dcat:Dataset , void:Dataset ; void:uriSpace {_literal(e.base)} ;"
            f" void:sparqlEndpoint <{e.base}sparql> ; void:triples {e.triples} ;"
            f" dcterms:identifier {_literal(e.name)} ."
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@bp.route("/catalog", methods=["GET"])
def catalog() -> Response:
    media_type = conneg.negotiate(
        conneg.RESOURCES, request.headers.get("Accept"), request.args.get("format")
    )
    turtle = catalog_turtle()
    if media_type == conneg.HTML:
        triples = ox.parse(
            convert_graph(turtle, conneg.TURTLE, conneg.N_TRIPLES), ox.RdfFormat.N_TRIPLES
        )
        view = publisher().resources.page_of_triples(publisher().base + "catalog", triples)
        response = Response(resource_page(view, "/catalog"), mimetype="text/html")
    elif media_type == conneg.TURTLE:
        response = Response(turtle, content_type=conneg.content_type(media_type))
    else:
        body = convert_graph(turtle, conneg.TURTLE, media_type, None)
        response = Response(body, content_type=conneg.content_type(media_type))
    response.vary.add("Accept")
    return response
