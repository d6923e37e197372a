"""Dereferenceable URIs: `{base}{path}` answers at `/{path}`, as a page or as RDF.

An RDF client gets the resource's description (see carnets.store.base.describe_query) in the
negotiated format, or in the format its URL suffix names (`/person/jane-doe.ttl`); a browser
gets the page of the resource service's view. A resource mentioned more than a page holds is
paged (`?page=2`): Hydra paging terms in the RDF, links in the page.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, request, url_for
from werkzeug.exceptions import BadRequest, NotFound

from carnets import conneg
from carnets.export import compact_jsonld
from carnets.web.pages import home_page, resource_page
from carnets.web.releases import gone
from carnets.web.site import reader_lang
from carnets.web.state import publisher

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
    page = _page_number()
    iri = carnets.base + stem
    body = _render(iri, media_type, page, "/" + stem)
    if body is None:
        if page > 1:
            raise NotFound(f"{iri} has no page {page} of mentions")
        answer = gone(iri, media_type)  # an earlier release had it: 410 with a link to it
        if answer is not None:
            return answer
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
    if carnets.published is not None:
        kind = conneg.SUFFIXES.get(media_type) or f"html-{reader_lang()}"
        response.set_etag(f"{carnets.published.fingerprint}-{kind}-{page}")
        response.headers["Last-Modified"] = carnets.published.last_modified
        response.make_conditional(request)
    return response


def _page_number() -> int:
    """The `page` parameter: a positive decimal integer, 1 when absent."""
    given = request.args.get("page")
    if given is None:
        return 1
    if not (given.isascii() and given.isdigit()) or not 0 < int(given) <= 1_000_000:
        raise BadRequest(f"page must be a whole number from 1, not {given[:40]!r}")
    return int(given)


def _split_suffix(path: str) -> tuple[str, str | None]:
    for suffix, media_type in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], media_type
    return path, None


def _render(iri: str, media_type: str, page: int, path: str) -> bytes | str | None:
    carnets = publisher()
    if media_type == conneg.HTML:
        view = carnets.resources.view(iri, page, lang=reader_lang())
        if view is None and page == 1:
            void = carnets.describe_from_void(iri, conneg.N_TRIPLES)
            if void is not None:
                triples = ox.parse(void, ox.RdfFormat.N_TRIPLES)
                view = carnets.resources.page_of_triples(iri, triples)
        return None if view is None else resource_page(view, path)
    if media_type == conneg.JSON_LD:
        n_triples = _description(iri, conneg.N_TRIPLES, page)
        return None if n_triples is None else compact_jsonld(n_triples, carnets.context)
    return _description(iri, media_type, page)


def _description(iri: str, media_type: str, page: int) -> bytes | None:
    """The store's description, or for the named graphs and dumps, what the VoID says."""
    carnets = publisher()
    found = carnets.store.describe(iri, media_type, page, carnets.settings.page_size)
    if found is None and page == 1:
        return carnets.describe_from_void(iri, media_type)
    return found
