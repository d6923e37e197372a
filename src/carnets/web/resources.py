"""Dereferenceable URIs: `{base}{path}` answers at `/{path}`, as a page or as RDF.

An RDF client gets the resource's description (see carnets.store.base.DESCRIBE_RESOURCE) in
the negotiated format, or in the format its URL suffix names (`/person/max-jacob.ttl`); a
browser gets a page built from the same triples, plus the passages that mention the resource.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request, url_for
from werkzeug.exceptions import NotFound

from carnets import conneg
from carnets.export import compact_jsonld
from carnets.web.app import publisher
from carnets.web.pages import home_page, resource_page

bp = Blueprint("resources", __name__)

SUFFIXES = {f".{suffix}": media for media, suffix in conneg.SUFFIXES.items()} | {
    ".html": conneg.HTML
}


@bp.route("/", methods=["GET"])
def home() -> Response:
    media_type = conneg.negotiate(conneg.RESOURCES, request.headers.get("Accept"))
    if media_type != conneg.HTML:
        response = redirect(url_for("dumps.dataset"), code=303)
    else:
        response = Response(home_page(), mimetype="text/html")
    response.vary.add("Accept")
    return response


@bp.route("/<path:path>", methods=["GET"])
def resource(path: str) -> Response:
    carnets = publisher()
    stem, media_type = _split_suffix(path)
    negotiated = media_type is None
    if negotiated:
        media_type = conneg.negotiate(
            conneg.RESOURCES, request.headers.get("Accept"), request.args.get("format")
        )
    iri = carnets.base + stem
    body = _render(iri, media_type)
    if body is None:
        raise NotFound(f"{iri} is not a resource of this dataset")
    if media_type == conneg.HTML:
        response = Response(body, mimetype="text/html")
    else:
        response = Response(body, content_type=conneg.content_type(media_type))
    if negotiated:
        response.vary.add("Accept")
        if media_type in conneg.SUFFIXES:
            response.headers["Content-Location"] = f"/{stem}.{conneg.SUFFIXES[media_type]}"
    response.headers["Link"] = ", ".join(
        f'</{stem}.{suffix}>; rel="alternate"; type="{media}"'
        for media, suffix in conneg.SUFFIXES.items()
    )
    if carnets.release is not None:
        response.set_etag(
            f"{carnets.release.fingerprint}-{conneg.SUFFIXES.get(media_type, 'html')}"
        )
        response.headers["Last-Modified"] = carnets.release.last_modified
        response.make_conditional(request)
    return response


def _split_suffix(path: str) -> tuple[str, str | None]:
    for suffix, media_type in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], media_type
    return path, None


def _render(iri: str, media_type: str) -> bytes | str | None:
    if media_type == conneg.HTML:
        n_triples = _description(iri, conneg.N_TRIPLES)
        return None if n_triples is None else resource_page(iri, n_triples)
    if media_type == conneg.JSON_LD:
        n_triples = _description(iri, conneg.N_TRIPLES)
        return None if n_triples is None else compact_jsonld(n_triples, publisher().context)
    return _description(iri, media_type)


def _description(iri: str, media_type: str) -> bytes | None:
    """The store's description, or for the named graphs and dumps, what the VoID says."""
    carnets = publisher()
    found = carnets.store.describe(iri, media_type)
    return found if found is not None else carnets.describe_from_void(iri, media_type)
