"""The reconciliation service over HTTP: the W3C Reconciliation API as OpenRefine calls it.

Routes only parse requests and serialize answers; matching lives in
carnets.linking.reconciliation. The index is built once per app, from the app's store (or a
graph given with use_graph), on the first request that needs it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, current_app, request
from markupsafe import escape
from rdflib import Graph

from carnets.linking.reconciliation import TYPES, ReconciliationIndex, graph_from_store

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")

INDEX_KEY = "carnets.reconcile.index"
GRAPH_KEY = "carnets.reconcile.graph"
CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,99}$")


def use_graph(app, graph: Graph, base: str) -> None:
    """Serve reconciliation from an rdflib graph instead of the app's store (tools, tests)."""
    app.extensions[GRAPH_KEY] = (graph, base)
    app.extensions.pop(INDEX_KEY, None)


def _app_store() -> Any:
    """The store create_app gave the app; looked up here so the blueprint needs no other wiring."""
    for key in ("carnets.store", "carnets_store", "store"):
        store = current_app.extensions.get(key)
        if store is not None:
            return store
    return current_app.config.get("STORE")


def index() -> ReconciliationIndex:
    cached = current_app.extensions.get(INDEX_KEY)
    if cached is None:
        given = current_app.extensions.get(GRAPH_KEY)
        if given is not None:
            cached = ReconciliationIndex.from_graph(*given)
        else:
            store = _app_store()
            if store is None:
                raise LookupError("the reconciliation service needs a store or use_graph()")
            cached = ReconciliationIndex.from_graph(graph_from_store(store), store.base)
        current_app.extensions[INDEX_KEY] = cached
    return cached


def _service_url() -> str:
    return request.url_root.rstrip("/") + bp.url_prefix


def _json(data: Any, status: int = 200) -> Response:
    """JSON, or JSONP when a GET names a callback (OpenRefine before 3.x used JSONP)."""
    body = json.dumps(data, ensure_ascii=False)
    callback = request.args.get("callback", "")
    if callback and request.method == "GET" and CALLBACK.match(callback):
        return Response(f"{callback}({body});", status, mimetype="application/javascript")
    return Response(body, status, mimetype="application/json")


def _error(message: str, status: int = 400) -> Response:
    return _json({"status": "error", "message": message}, status)


def _param(name: str) -> str | None:
    return (
        request.form.get(name)
        if request.method == "POST" and name in request.form
        else request.args.get(name)
    )


def _load_json(raw: str, name: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"{name} is not valid JSON: {error.msg}") from error


@bp.after_request
def _cors(response: Response) -> Response:
    # Browser-based clients (the reconciliation test bench) call from other origins.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("", methods=["GET", "POST"])
@bp.route("/", methods=["GET", "POST"])
def service() -> Response:
    """Manifest without parameters; `queries` (a batch) or `query` (one); `extend`."""
    try:
        queries, query, extend = _param("queries"), _param("query"), _param("extend")
        if queries is not None:
            batch = _load_json(queries, "queries")
            if not isinstance(batch, dict):
                return _error("queries must be a JSON object of named queries")
            return _json(index().reconcile_batch(batch))
        if query is not None:
            single = _load_json(query, "query") if query.lstrip().startswith("{") else query
            return _json(index().reconcile(single))
        if extend is not None:
            asked = _load_json(extend, "extend")
            if not isinstance(asked, dict) or not isinstance(asked.get("ids"), list):
                return _error("extend must be a JSON object with ids and properties")
            return _json(
                index().extend([str(i) for i in asked["ids"]], asked.get("properties") or [])
            )
    except ValueError as error:
        return _error(str(error))
    return _json(index().manifest(_service_url()))


@bp.get("/suggest/entity")
def suggest_entity() -> Response:
    kind = request.args.get("type", "")
    kinds = {iri: k for k, (iri, _) in TYPES.items()}
    return _json(
        index().suggest_entity(
            request.args.get("prefix", ""),
            kinds.get(kind) or (kind.lower() if kind.lower() in TYPES else None),
            _cursor(),
        )
    )


@bp.get("/suggest/type")
def suggest_type() -> Response:
    return _json(index().suggest_type(request.args.get("prefix", "")))


@bp.get("/suggest/property")
def suggest_property() -> Response:
    return _json(index().suggest_property(request.args.get("prefix", "")))


@bp.get("/properties")
def propose_properties() -> Response:
    limit = request.args.get("limit", "10")
    return _json(
        index().propose_properties(
            request.args.get("type", ""), int(limit) if limit.isdigit() else 10
        )
    )


@bp.get("/preview")
def preview() -> Response:
    """A small HTML card OpenRefine shows when a reviewer hovers over a candidate."""
    entity = index().entity(request.args.get("id", ""))
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


def _cursor() -> int:
    raw = request.args.get("cursor", "0")
    return int(raw) if raw.isdigit() else 0
