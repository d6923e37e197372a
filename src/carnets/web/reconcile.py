"""The reconciliation service over HTTP: the W3C Reconciliation API as OpenRefine calls it.

Routes only read requests and serialize answers; what a query may say is checked in
carnets.linking.reconciliation_requests and matching lives in carnets.linking.reconciliation.
The index is built once per app, from the app's store (or a graph given with use_graph), on the
first request that needs it. Every request is bounded (the limits below) and every malformed
one is a 4xx with a JSON message, so no input costs more than a fraction of a second or ends
in a 500.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Blueprint, Flask, Response, current_app, request
from markupsafe import escape
from rdflib import Graph
from werkzeug.exceptions import RequestEntityTooLarge

from carnets.linking.reconciliation import (
    MATCH_SCORE,
    PROPERTIES,
    TYPES,
    ReconciliationIndex,
    graph_from_store,
)
from carnets.linking.reconciliation_requests import (
    InvalidRequest,
    Limits,
    RequestTooLarge,
    check_length,
    kinds_of,
    parse_batch,
    parse_extend,
    parse_limit,
    parse_query,
)

# What one request may ask for. OpenRefine sends BATCH_SIZE queries at a time (the manifest
# says so); the limits leave room for other clients while keeping the worst request to well
# under a second of matching on the edition.
BATCH_SIZE = 50
MAX_BATCH = 2 * BATCH_SIZE  # queries in one request
MAX_TEXT = 500  # characters in a query, a property value, an id or a suggest prefix
MAX_PROPERTIES = 10  # properties in one query or one extension request (there are 5)
MAX_VALUES = 10  # values of one property
MAX_EXTEND_IDS = 1000  # ids in one extension request
MAX_REQUEST_BYTES = 1024 * 1024  # request body, or query string of a GET
MAX_JSON_DEPTH = 16  # a batch nests 6 deep; Python's parser fails near 1000 (RecursionError)
LIMITS = Limits(MAX_BATCH, MAX_TEXT, MAX_PROPERTIES, MAX_VALUES, MAX_EXTEND_IDS)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")

INDEX_KEY = "carnets.reconcile.index"
GRAPH_KEY = "carnets.reconcile.graph"
CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,99}$")
# Possessive quantifiers keep these linear: a string that never ends is found in one pass.
_JSON_STRING = r'"(?:[^"\\]|\\.)*+"'
JSON_STRING = re.compile(_JSON_STRING, re.DOTALL)
JSON_STRINGS_END = re.compile(rf'(?:[^"]++|{_JSON_STRING})*+', re.DOTALL)
NOT_BRACKET = re.compile(r"[^\[\]{}]+")
DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
HIGH_ESCAPES = re.compile(rb"(?:%[89A-Fa-f][0-9A-Fa-f])+")
RAW_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


class UnsupportedBody(InvalidRequest):
    """A POST body that is not a form: this service speaks the 0.1/0.2 form protocol."""


STATUS: dict[type[InvalidRequest], int] = {
    RequestTooLarge: 413,
    UnsupportedBody: 415,
    InvalidRequest: 400,
}


def use_graph(app: Flask, graph: Graph, base: str, name: str = "Carnets") -> None:
    """Serve reconciliation from an rdflib graph instead of the app's store (tools, tests)."""
    app.extensions[GRAPH_KEY] = (graph, base, name)
    app.extensions.pop(INDEX_KEY, None)


def _publisher() -> Any:
    """The publisher create_app registered (None in a bare app given a graph with use_graph)."""
    return current_app.extensions.get("carnets")


def index() -> ReconciliationIndex:
    cached = current_app.extensions.get(INDEX_KEY)
    if cached is None:
        given = current_app.extensions.get(GRAPH_KEY)
        if given is not None:
            cached = ReconciliationIndex.from_graph(*given)
        else:
            publisher = _publisher()
            store = getattr(publisher, "store", None)
            if store is None:
                raise LookupError("the reconciliation service needs a store or use_graph()")
            cached = ReconciliationIndex.from_graph(
                graph_from_store(store),
                publisher.base,
                publisher.settings.edition.reconciliation_name,
            )
        current_app.extensions[INDEX_KEY] = cached
    return cached


def _service_url() -> str:
    """The service's public URL: `{base}reconcile`, as every `{base}{path}` is served at
    `/{path}`. Never the Host header, which any client sets and a cache would pass on."""
    settings = getattr(_publisher(), "settings", None)
    base = settings.base if settings is not None else index().base
    return base.split("#", 1)[0].rstrip("/") + bp.url_prefix


def _json(data: Any, status: int = 200) -> Response:
    """JSON, or JSONP when a GET names a callback (OpenRefine before 3.x used JSONP)."""
    body = json.dumps(data, ensure_ascii=False)
    callback = request.args.get("callback", "")
    if callback and request.method == "GET" and CALLBACK.match(callback):
        return Response(f"{callback}({body});", status, mimetype="application/javascript")
    return Response(body, status, mimetype="application/json")


def _error(error: InvalidRequest) -> Response:
    status = next(code for kind, code in STATUS.items() if isinstance(error, kind))
    return _json({"status": "error", "message": str(error)}, status)


@bp.errorhandler(InvalidRequest)
def _invalid(error: InvalidRequest) -> Response:
    return _error(error)


@bp.after_request
def _headers(response: Response) -> Response:
    # Browser-based clients (the reconciliation test bench) call from other origins.
    response.headers["Access-Control-Allow-Origin"] = "*"
    if response.status_code >= 400:
        response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _form() -> dict[str, str]:
    """The request's parameters: the form of a POST, else the query string; checked for size
    and for UTF-8 (werkzeug would quietly keep or replace bytes that are not)."""
    if len(request.query_string) > MAX_REQUEST_BYTES:
        raise RequestTooLarge(f"the query string is longer than {MAX_REQUEST_BYTES} bytes")
    _check_utf8(request.query_string, "the query string")
    params = request.args.to_dict()
    if request.method != "POST":
        return params
    app_limit = request.max_content_length  # the app's own, if it has one, when it is lower
    request.max_content_length = min(app_limit or MAX_REQUEST_BYTES, MAX_REQUEST_BYTES)
    try:
        body = request.get_data(cache=True)
    except RequestEntityTooLarge as error:
        raise RequestTooLarge(
            f"the request body is larger than {request.max_content_length} bytes"
        ) from error
    if not body:
        return params
    if request.mimetype not in FORM_TYPES:
        raise UnsupportedBody(
            f"a body of type {request.mimetype or '(none given)'} is not read here: this "
            "service speaks the Reconciliation API 0.1 and 0.2, which send the batch as the "
            'form field queries (application/x-www-form-urlencoded), e.g. queries={"q0": '
            '{"query": "Max Jacob"}}, as OpenRefine does'
        )
    if request.mimetype == FORM_TYPES[0]:
        _check_utf8(body, "the request body")
    else:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidRequest("the request body is not UTF-8") from error
    return {**params, **request.form.to_dict()}


def _check_utf8(encoded: bytes, where: str) -> None:
    """A URL-encoded form, once its %XX escapes are undone, is UTF-8.

    Only bytes above 0x7F can break UTF-8, and no sequence spans an ASCII byte, so the escaped
    ones are checked run by run in one C-level pass (undoing every escape in Python costs a
    second a megabyte); a body with raw bytes above 0x7F, which no browser sends, is undone
    whole.
    """
    if RAW_HIGH_BYTE.search(encoded):
        undone = unquote_to_bytes(encoded)
    else:
        runs = b"%20".join(HIGH_ESCAPES.findall(encoded))
        undone = bytes.fromhex(runs.replace(b"%", b"").decode("ascii"))
    try:
        undone.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidRequest(f"{where} is not UTF-8 once its %XX escapes are decoded") from error


def _load_json(raw: str, name: str) -> Any:
    """json.loads, once the nesting is known to be shallow: no request needs more than a few
    levels, and Python's parser ends in RecursionError near a thousand."""
    if _json_depth(raw) > MAX_JSON_DEPTH:
        raise InvalidRequest(f"{name} is nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        return json.loads(raw)
    except RecursionError as error:  # before an unterminated string, which the depth skips
        raise InvalidRequest(f"{name} is nested too deeply") from error
    except ValueError as error:  # JSONDecodeError, and numbers of more than 4,300 digits
        reason = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        raise InvalidRequest(f"{name} is not valid JSON: {reason}") from error


def _json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text, brackets in strings aside.

    Regular expressions and accumulate do the work, so a megabyte of brackets costs tens of
    milliseconds rather than the half second a loop in Python takes. A string that never ends
    makes the text invalid: its depth is 0 and json.loads says what is wrong.
    """
    if not JSON_STRINGS_END.fullmatch(text):
        return 0
    brackets = NOT_BRACKET.sub("", JSON_STRING.sub("", text))
    return max(accumulate(map(DEPTH_STEP.__getitem__, brackets)), default=0)


@bp.route("", methods=["GET", "POST"])
@bp.route("/", methods=["GET", "POST"])
def service() -> Response:
    """Manifest without parameters; `queries` (a batch) or `query` (one); `extend`."""
    params = _form()
    if "queries" in params:
        batch = parse_batch(_load_json(params["queries"], "queries"), LIMITS)
        return _json(index().reconcile_batch(batch))
    if "query" in params:
        raw = params["query"]
        single = _load_json(raw, "query") if raw.lstrip().startswith("{") else raw
        return _json(index().reconcile(parse_query(single, LIMITS)))
    if "extend" in params:
        ids, pids = parse_extend(_load_json(params["extend"], "extend"), LIMITS)
        return _json(index().extend(ids, pids))
    return _json(index().manifest(_service_url(), BATCH_SIZE))


@bp.get("/suggest/entity")
def suggest_entity() -> Response:
    prefix = _form().get("prefix", "")
    check_length(prefix, LIMITS, "prefix")
    kinds = kinds_of(request.args.get("type"))
    cursor = parse_limit(request.args.get("cursor"), 0, "cursor")
    return _json(index().suggest_entity(prefix, kinds, cursor))


@bp.get("/suggest/type")
def suggest_type() -> Response:
    prefix = _form().get("prefix", "")
    check_length(prefix, LIMITS, "prefix")
    return _json(index().suggest_type(prefix))


@bp.get("/suggest/property")
def suggest_property() -> Response:
    prefix = _form().get("prefix", "")
    check_length(prefix, LIMITS, "prefix")
    return _json(index().suggest_property(prefix))


@bp.get("/properties")
def propose_properties() -> Response:
    params = _form()
    type_ref = params.get("type", "")
    limit = parse_limit(params.get("limit"), 10)
    return _json(index().propose_properties(type_ref, kinds_of(type_ref), limit))


@bp.get("/preview")
def preview() -> Response:
    """A small HTML card OpenRefine shows when a reviewer hovers over a candidate."""
    entity_id = _form().get("id", "")
    check_length(entity_id, LIMITS, "id")
    entity = index().entity(entity_id)
    if entity is None:
        return Response("<p>No such resource in the edition.</p>", 404, mimetype="text/html")
    names = ", ".join(escape(n) for n, _ in entity.alt_names[:6])
    link = (
        f'<a href="http://www.wikidata.org/entity/{escape(entity.qid)}">{escape(entity.qid)}</a>'
        if entity.qid
        else "not linked yet"
    )
    html = (
        '<html><body style="font-family:sans-serif;margin:8px">'
        f'<p><a href="{escape(entity.iri)}" target="_blank">'
        f"<strong>{escape(entity.label)}</strong></a>"
        f" <small>({escape(TYPES[entity.kind][1])})</small></p>"
        f"<p>{escape(index().description(entity))}</p>"
        + (f"<p><small>Also: {names}</small></p>" if names else "")
        + f"<p><small>Wikidata: {link}</small></p></body></html>"
    )
    return Response(html, mimetype="text/html")


@bp.get("/docs")
def docs() -> Response:
    """The page the manifest's `documentation` names; its types, properties and limits come
    from the tables the service runs on, so that they cannot drift from what it does."""
    service_url = _service_url()
    types = "".join(
        f"<tr><td>{escape(name)}</td><td><code>{escape(iri)}</code></td></tr>"
        for iri, name in TYPES.values()
    )
    properties = "".join(
        f"<tr><td><code>{escape(pid)}</code></td><td>{escape(help_text)}</td>"
        f"<td>{escape(', '.join(kinds) or 'all')}</td></tr>"
        for pid, (_, help_text, kinds) in PROPERTIES.items()
    )
    limits = "".join(
        f"<tr><td>{escape(what)}</td><td>{value:,}</td></tr>" for what, value in _limits_table()
    )
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(index().name)}: reconciliation</title>
</head><body style="font-family:sans-serif;max-width:50em;margin:1em auto">
<h1>Reconciliation service</h1>
<p>{escape(index().name)}: the edition's people, works and places, matched by name through the
<a href="https://reconciliation-api.github.io/specs/0.2/">W3C Reconciliation Service API</a>
(versions 0.1 and 0.2). In OpenRefine: <em>Reconcile → Start reconciling → Add standard
service</em>, and give <code>{escape(service_url)}</code>.</p>
<h2>Requests</h2>
<ul>
<li><code>GET {escape(service_url)}</code>: the manifest (JSONP with <code>callback=</code>).</li>
<li><code>POST</code> (or <code>GET</code>) with the form field <code>queries</code>, a JSON
object of named queries: <code>{{"q0": {{"query": "Max Jacob", "type": "Person", "limit": 3,
"properties": [{{"pid": "deathYear", "v": "1944"}}]}}}}</code>. <code>query</code> is required
and a string; <code>type</code> is a type below or a list of them; <code>limit</code> a
non-negative integer (default 5). <code>query=</code> sends one query in the older style.
A JSON request body is not read (415): send the form field, as OpenRefine does.</li>
<li><code>extend</code>: <code>{{"ids": ["person/jane-doe"], "properties":
[{{"id": "wikidata"}}]}}</code>; <code>/properties?type=…</code> proposes properties.</li>
<li><code>/suggest/entity?prefix=…</code>, <code>/suggest/type</code>,
<code>/suggest/property</code>, <code>/preview?id=…</code>.</li>
</ul>
<h2>Types</h2><table>{types}</table>
<h2>Properties</h2><table><tr><th>pid</th><th>what it does</th><th>types</th></tr>
{properties}</table>
<p>Names are compared without accents, case or punctuation; reordered names and surnames or
initials count. A year that agrees adds 5 points and one that does not takes 30; a Wikidata
item that is the resource's own settles the match. A candidate is a <code>match</code> when it
scores at least {MATCH_SCORE:g} and leads the next by 10, or when its Wikidata item is the one
given.</p>
<h2>Limits</h2><table>{limits}</table>
<p>A request beyond a limit is answered 413, a malformed one 400, each with a JSON
<code>message</code> that says what to send.</p>
</body></html>
"""
    return Response(html, mimetype="text/html")


def _limits_table() -> list[tuple[str, int]]:
    return [
        (f"queries in one request (the manifest's batchSize is {BATCH_SIZE})", MAX_BATCH),
        ("characters in a query, a property value, an id or a prefix", MAX_TEXT),
        ("properties in one query or extension request", MAX_PROPERTIES),
        ("values of one property", MAX_VALUES),
        ("ids in one extension request", MAX_EXTEND_IDS),
        ("bytes in a request body or query string", MAX_REQUEST_BYTES),
        ("levels of JSON nesting", MAX_JSON_DEPTH),
    ]
