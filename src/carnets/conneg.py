"""Content negotiation: media-type tables kept as data, and pure functions that choose from them.

The web layer asks one question: given an Accept header (and perhaps a `format` parameter),
which media type do we send? Keeping the tables here, free of Flask, lets them be tested as a
table and lets the store name formats by the same canonical media types.
"""

from __future__ import annotations

from dataclasses import dataclass

HTML = "text/html"
SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
N_TRIPLES = "application/n-triples"
N_QUADS = "application/n-quads"
JSON_LD = "application/ld+json"
RDF_XML = "application/rdf+xml"
TRIG = "application/trig"


@dataclass(frozen=True)
class Table:
    """What one kind of response can be sent as.

    `offers` maps each media type a client may ask for to the canonical media type we answer
    with (aliases such as application/json point at the SPARQL JSON results); its order is our
    preference when a client accepts several equally. `default` answers a request with no
    Accept header; `names` are the values of the `format` parameter and of URL suffixes.
    """

    offers: dict[str, str]
    default: str
    names: dict[str, str]

    def canonical(self) -> list[str]:
        return list(dict.fromkeys(self.offers.values()))


# SELECT and ASK results.
RESULTS = Table(
    offers={
        SPARQL_JSON: SPARQL_JSON,
        SPARQL_XML: SPARQL_XML,
        CSV: CSV,
        TSV: TSV,
        "application/json": SPARQL_JSON,
        "application/xml": SPARQL_XML,
        "text/xml": SPARQL_XML,
    },
    default=SPARQL_JSON,
    names={"json": SPARQL_JSON, "xml": SPARQL_XML, "csv": CSV, "tsv": TSV},
)

# CONSTRUCT and DESCRIBE results, and the service description.
GRAPHS = Table(
    offers={
        TURTLE: TURTLE,
        N_TRIPLES: N_TRIPLES,
        JSON_LD: JSON_LD,
        RDF_XML: RDF_XML,
        "application/x-turtle": TURTLE,
        "text/n3": TURTLE,  # Turtle is a subset of N3, so an N3 client reads it
        "text/plain": N_TRIPLES,
        "application/json": JSON_LD,
        "application/xml": RDF_XML,
        "text/xml": RDF_XML,
    },
    default=TURTLE,
    names={"ttl": TURTLE, "turtle": TURTLE, "nt": N_TRIPLES, "jsonld": JSON_LD, "rdf": RDF_XML},
)

# A resource URI: the same graph formats, and a page for people.
RESOURCES = Table(
    offers={HTML: HTML, "application/xhtml+xml": HTML, **GRAPHS.offers},
    default=TURTLE,
    names={"html": HTML, **GRAPHS.names},
)

# Whole-dataset dumps: named graphs are kept by N-Quads and JSON-LD.
DUMPS: dict[str, str] = {
    "ttl": TURTLE,
    "nt": N_TRIPLES,
    "jsonld": JSON_LD,
    "nq": N_QUADS,
}

SUFFIXES: dict[str, str] = {TURTLE: "ttl", N_TRIPLES: "nt", JSON_LD: "jsonld", RDF_XML: "rdf"}

CHARSET_TYPES = {HTML, CSV, TSV, TURTLE, N_TRIPLES, N_QUADS, "text/plain"}


class NotAcceptable(ValueError):
    """No media type in the table satisfies the client; the message lists what would."""


def negotiate(table: Table, accept: str | None, format_name: str | None = None) -> str:
    """The canonical media type to answer with, or NotAcceptable.

    An explicit `format` (a short name or a media type) wins over Accept, because browsers
    cannot set Accept. No Accept header, an empty one, or one that only says */* gets the
    table's default; q-values and specificity are werkzeug's.
    """
    if format_name:
        wanted = table.names.get(format_name.lower()) or table.offers.get(format_name.lower())
        if wanted is None:
            raise NotAcceptable(
                f"unknown format {format_name!r}; use one of {', '.join(table.names)}"
            )
        return wanted
    if not accept or not accept.strip():
        return table.default
    # Imported here so that query worker processes, which need only the tables, stay light.
    from werkzeug.datastructures import MIMEAccept
    from werkzeug.http import parse_accept_header

    parsed = parse_accept_header(accept, MIMEAccept)
    if not parsed:
        return table.default
    offers = [table.default, *(t for t in table.offers if t != table.default)]
    match = parsed.best_match(offers)
    if match is None:
        raise NotAcceptable("acceptable here: " + ", ".join(table.canonical()))
    return table.offers[match]


def content_type(media_type: str) -> str:
    """The Content-Type header value; text formats say they are UTF-8."""
    if media_type in CHARSET_TYPES:
        return f"{media_type}; charset=utf-8"
    return media_type
