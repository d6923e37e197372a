"""The SPARQL 1.1 Protocol endpoint at /sparql: queries by GET and both POSTs, read-only.

This module reads the HTTP request (the Protocol's three routes, its parameters, the format);
the query service (carnets.services.queries) reads the query and decides what runs, the same
whichever store is configured.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from werkzeug.datastructures import MultiDict

from carnets import conneg
from carnets.errors import QueryError, QueryRefused
from carnets.services.queries import READ_ONLY
from carnets.web.admission import client
from carnets.web.service import service_description
from carnets.web.state import publisher

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


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
    media_type = conneg.negotiate(table, request.headers.get("Accept"), params.get("format"))
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
    body_query: list[str] = []
    if request.method in ("GET", "HEAD"):
        params = request.args
    elif not request.mimetype and not request.content_length:
        params = request.args  # a bare POST: answered below as "no query"
    elif request.mimetype == FORM:
        params = MultiDict([*request.args.items(multi=True), *request.form.items(multi=True)])
    elif request.mimetype == DIRECT:
        params = request.args
        body_query = [request.get_data(as_text=True)]
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
    return queries[0], params


def _unsupported_media_type():
    from werkzeug.exceptions import UnsupportedMediaType

    return UnsupportedMediaType(
        f"POST a query as {FORM} or {DIRECT}, not {request.mimetype or 'no content type'}"
    )


def _describe_service() -> Response:
    media_type = conneg.negotiate(
        conneg.RESOURCES, request.headers.get("Accept"), request.args.get("format")
    )
    endpoint = request.base_url
    if media_type == conneg.HTML:
        body = render_template(
            "sparql.html",
            endpoint=endpoint,
            description=service_description(endpoint, conneg.TURTLE).decode("utf-8"),
        )
        response = Response(body, mimetype="text/html")
    else:
        body = service_description(endpoint, media_type)
        response = Response(body, content_type=conneg.content_type(media_type))
    response.vary.add("Accept")
    return response
