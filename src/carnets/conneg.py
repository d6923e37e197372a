"""Content negotiation: media-type tables kept as data, and pure functions that choose from them.

The web layer asks one question: given an Accept header (and perhaps a `format` parameter),
which media type do we send? Keeping the tables here, free of Flask, lets them be tested as a
table and lets the store name formats by the same canonical media types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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
    Accept header; `names` are the values of the `format` parameter and of URL suffixes;
    `aliases` are other values of the `format` parameter that clients send (SPARQLWrapper,
    Virtuoso, Fuseki), never suffixes.
    """

    offers: dict[str, str]
    default: str
    names: dict[str, str]
    aliases: dict[str, str] = field(default_factory=dict)

    def canonical(self) -> list[str]:
        return list(dict.fromkeys(self.offers.values()))

    def format(self, name: str) -> str | None:
        """The media type a `format` value names here (a short name or a media type), if any."""
        name = name.strip().lower()
        return self.names.get(name) or self.aliases.get(name) or self.offers.get(name)


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
    aliases={
        "srj": SPARQL_JSON,
        "srx": SPARQL_XML,
        "sparql-results+json": SPARQL_JSON,
        "sparql-results+xml": SPARQL_XML,
        "application/javascript": SPARQL_JSON,  # in SPARQLWrapper's and Virtuoso's JSON types
        "text/javascript": SPARQL_JSON,
    },
)

# CONSTRUCT and DESCRIBE results, and the service description.
GRAPHS = Table(
    offers={
        TURTLE: TURTLE,
        N_TRIPLES: N_TRIPLES,
        JSON_LD: JSON_LD,
        RDF_XML: RDF_XML,
        "application/x-turtle": TURTLE,
        "application/turtle": TURTLE,
        "text/n3": TURTLE,  # Turtle is a subset of N3, so an N3 client reads it
        "text/rdf+n3": TURTLE,
        "application/n3": TURTLE,
        "application/x-json+ld": JSON_LD,
        "text/plain": N_TRIPLES,
        "application/json": JSON_LD,
        "application/xml": RDF_XML,
        "text/xml": RDF_XML,
    },
    default=TURTLE,
    names={"ttl": TURTLE, "turtle": TURTLE, "nt": N_TRIPLES, "jsonld": JSON_LD, "rdf": RDF_XML},
    # What SPARQLWrapper sends as `format` for CONSTRUCT and DESCRIBE (xml, n3, json-ld,
    # rdf+xml, and json), and other engines' names.
    aliases={
        "n3": TURTLE,
        "ntriples": N_TRIPLES,
        "n-triples": N_TRIPLES,
        "json-ld": JSON_LD,
        "json": JSON_LD,
        "xml": RDF_XML,
        "rdf+xml": RDF_XML,
        "rdfxml": RDF_XML,
        "rdf/xml": RDF_XML,
    },
)

# A resource URI: the same graph formats, and a page for people.
RESOURCES = Table(
    offers={HTML: HTML, "application/xhtml+xml": HTML, **GRAPHS.offers},
    default=TURTLE,
    names={"html": HTML, **GRAPHS.names},
    aliases=GRAPHS.aliases,
)

# Every `format` value some table understands.
KNOWN_FORMATS = frozenset(
    key
    for table in (RESULTS, GRAPHS, RESOURCES)
    for key in (*table.names, *table.aliases, *table.offers)
)

# Longest Accept header read, in characters: browsers send a few hundred, and parsing costs
# time in proportion (a 169 KB header took a second).
MAX_ACCEPT = 4096

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


class AcceptTooLong(ValueError):
    """An Accept header longer than MAX_ACCEPT: refused unread."""


def negotiate(
    table: Table, accept: str | None, format_name: str | Sequence[str] | None = None
) -> str:
    """The canonical media type to answer with, or NotAcceptable.

    An explicit `format` (a short name or a media type) wins over Accept, because browsers
    cannot set Accept. Several may be given (SPARQLWrapper sends `format=json-ld&format=
    application/ld+json`): the first this table has wins. A format that only another kind of
    result has (SPARQLWrapper sends `format=turtle` for a SELECT, with `Accept: */*`) leaves
    the choice to the Accept header when there is one. No Accept header, an empty one, or one
    that only says */* gets the table's default; q-values and specificity are werkzeug's.
    """
    if accept and len(accept) > MAX_ACCEPT:
        raise AcceptTooLong(f"the Accept header is longer than {MAX_ACCEPT} characters")
    names = [format_name] if isinstance(format_name, str) else list(format_name or ())
    names = [name for name in names if name.strip()]
    for name in names:
        wanted = table.format(name)
        if wanted is not None:
            return wanted
    if names and (not accept or any(n.strip().lower() not in KNOWN_FORMATS for n in names)):
        raise NotAcceptable(
            f"unknown format {names[0]!r} for this answer; use one of {', '.join(table.names)}"
        )
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
