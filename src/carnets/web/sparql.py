"""The SPARQL 1.1 Protocol endpoint at /sparql: queries by GET and both POSTs, read-only.

This module reads the HTTP request (the Protocol's three routes, its parameters, the format);
the query service (carnets.services.queries) reads the query and decides what runs, the same
whichever store is configured. Every request is bounded before it is read: its body by
CARNETS_MAX_BODY, its query by CARNETS_MAX_QUERY (a sparql-query body that says it is longer
is refused unread), its parameters by MAX_PARAMETERS; and its text must be UTF-8, which
werkzeug would otherwise keep as %XX text or replace.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from flask import Blueprint, Response, render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from carnets import conneg
from carnets.errors import QueryError, QueryRefused
from carnets.services.queries import READ_ONLY
from carnets.web.admission import client
from carnets.web.service import endpoint_iri, service_description
from carnets.web.state import publisher

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"

# Parameters in one request: the query, its format (SPARQLWrapper sends six values), the
# graph IRIs of its dataset; far more is not a SPARQL client.
MAX_PARAMETERS = 100
_ESCAPED_HIGH_BYTES = re.compile(rb"(?:%[89A-Fa-f][0-9A-Fa-f])+")
_RAW_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    query, params = _read_request()
    if query is None:
        return _describe_service()
    queries = publisher().queries
    prepared = queries.prepare(
        query,
        default_graphs=params.getlist("default-graph-uri"),
        named_graphs=params.getlist("named-graph-uri"),
    )
    table = conneg.GRAPHS if prepared.form in ("CONSTRUCT", "DESCRIBE") else conneg.RESULTS
    formats = params.getlist("format") + params.getlist("output")  # output: Fuseki's name
    media_type = conneg.negotiate(table, request.headers.get("Accept"), formats)
    who = client()
    with publisher().admission.slot(who):
        result = queries.run(prepared, media_type, client=who)
    response = Response(result.body, mimetype=None, content_type=conneg.content_type(media_type))
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "no-store" if request.method == "POST" else "max-age=60"
    if result.truncated is not None:
        response.headers["Carnets-Truncated"] = f"rows={result.truncated}"
        response.headers["Carnets-Max-Rows"] = str(result.truncated)
    return response


def _read_request() -> tuple[str | None, MultiDict]:
    """The query text and the other protocol parameters, by the three routes the Protocol has."""
    settings = publisher().settings
    body_query: list[str] = []
    _check_form(request.query_string, "the query string")
    if request.method in ("GET", "HEAD"):
        params = request.args
    elif not request.mimetype and not request.content_length:
        params = request.args  # a bare POST: answered below as "no query"
    elif request.mimetype == FORM:
        _check_form(_body(settings.max_body, "the request body"), "the request body")
        params = MultiDict([*request.args.items(multi=True), *request.form.items(multi=True)])
    elif request.mimetype == DIRECT:
        params = request.args
        body_query = [_utf8(_body(settings.max_query, "the query"))]
    elif request.mimetype == UPDATE:
        raise QueryRefused(READ_ONLY)
    else:
        raise _unsupported_media_type()
    if "update" in params:
        if "query" in params or body_query:
            raise QueryError("a request carries either a query or an update, not both")
        raise QueryRefused(READ_ONLY)
    queries = body_query + params.getlist("query")
    if len(queries) > 1:
        raise QueryError("a request carries exactly one query")
    if not queries:
        if request.method == "POST":
            raise QueryError("the request carries no query (send 'query' or a sparql-query body)")
        return None, params
    if not queries[0].strip():
        raise QueryError("the query is empty")
    if len(queries[0].encode("utf-8")) > settings.max_query:
        raise RequestEntityTooLarge(_too_long("the query", settings.max_query))
    return queries[0], params


def _body(limit: int, what: str) -> bytes:
    """The request body, refused unread when it says it is longer than `limit` bytes, and
    refused while it is read when it turns out to be (a chunked body says nothing)."""
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(_too_long(what, limit))
    request.max_content_length = min(limit, request.max_content_length or limit)
    try:
        return request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise RequestEntityTooLarge(_too_long(what, limit)) from None


def _too_long(what: str, limit: int) -> str:
    return f"{what} is longer than this endpoint's limit of {limit} bytes"


def _check_form(encoded: bytes, where: str) -> None:
    """A URL-encoded form (query string or body) has at most MAX_PARAMETERS fields and is
    UTF-8 once its %XX escapes are undone.

    Only bytes above 0x7F can break UTF-8 and no character spans an ASCII byte, so the escaped
    ones are decoded run by run in one C-level pass; a form with raw bytes above 0x7F, which
    no client sends, is undone whole.
    """
    if encoded.count(b"&") >= MAX_PARAMETERS:
        raise QueryError(f"{where} has more than {MAX_PARAMETERS} parameters")
    if _RAW_HIGH_BYTE.search(encoded):
        undone = unquote_to_bytes(encoded)
    else:
        runs = b"20".join(run.replace(b"%", b"") for run in _ESCAPED_HIGH_BYTES.findall(encoded))
        undone = bytes.fromhex(runs.decode("ascii"))
    try:
        undone.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = "".join(f"%{byte:02X}" for byte in undone[error.start : error.end])
        raise QueryError(
            f"{where} is not UTF-8 once its %XX escapes are decoded (at {bad}); "
            "SPARQL text is sent as UTF-8"
        ) from None


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise QueryError(
            f"the query is not UTF-8: byte 0x{body[error.start]:02X} at offset {error.start}; "
            "SPARQL text is sent as UTF-8"
        ) from None


def _unsupported_media_type() -> UnsupportedMediaType:
    return UnsupportedMediaType(
        f"POST a query as {FORM} or {DIRECT}, not {request.mimetype or 'no content type'}"
    )


def _describe_service() -> Response:
    media_type = conneg.negotiate(
        conneg.RESOURCES, request.headers.get("Accept"), request.args.get("format")
    )
    endpoint = endpoint_iri()
    if media_type == conneg.HTML:
        # The page's form goes to this server, wherever it is reached (`endpoint`, a path);
        # `endpoint_iri` is what the description names.
        body = render_template(
            "sparql.html",
            endpoint=request.script_root + "/sparql",
            endpoint_iri=endpoint,
            description=service_description(endpoint, conneg.TURTLE).decode("utf-8"),
        )
        response = Response(body, mimetype="text/html")
    else:
        body = service_description(endpoint, media_type)
        response = Response(body, content_type=conneg.content_type(media_type))
    response.vary.add("Accept")
    return response
