"""The SPARQL 1.1 Protocol endpoint at /sparql: queries by GET and both POSTs, read-only.

The request is checked here (form, dataset, SERVICE, format) before the store runs anything,
so that refusals cost nothing and are the same whichever store is configured.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from werkzeug.datastructures import MultiDict

from carnets import conneg
from carnets.errors import QueryError, QueryRefused
from carnets.store.query_text import QueryText, read_query
from carnets.web.app import publisher
from carnets.web.service import service_description

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    query, params = _read_request()
    if query is None:
        return _describe_service()
    info = read_query(query)
    if info.is_update:
        raise QueryRefused(READ_ONLY)
    default_graphs = params.getlist("default-graph-uri")
    named_graphs = params.getlist("named-graph-uri")
    _check_safety(info, default_graphs, named_graphs)
    table = conneg.GRAPHS if info.form in ("CONSTRUCT", "DESCRIBE") else conneg.RESULTS
    media_type = conneg.negotiate(table, request.headers.get("Accept"), params.get("format"))
    settings = publisher().settings
    result = publisher().store.query(
        query,
        media_type,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        timeout=settings.query_timeout,
        max_rows=settings.max_rows,
    )
    response = Response(result.body, mimetype=None, content_type=conneg.content_type(media_type))
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "no-store" if request.method == "POST" else "max-age=60"
    if result.truncated is not None:
        response.headers["Carnets-Truncated"] = f"rows={result.truncated}"
        response.headers["Carnets-Max-Rows"] = str(settings.max_rows)
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


def _check_safety(info: QueryText, default_graphs: list[str], named_graphs: list[str]) -> None:
    """Refuse graphs the dataset does not have (SERVICE calls are the store's to refuse)."""
    local = publisher().graph_names
    for graph in [*info.from_graphs, *info.from_named_graphs, *default_graphs, *named_graphs]:
        if graph not in local:
            raise QueryRefused(
                f"<{graph}> is not a graph of this dataset and remote graphs are not fetched; "
                f"its graphs are: {', '.join(sorted(local))}"
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
