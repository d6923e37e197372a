"""Pictures of the edition at /pictures/: a timeline and a network, drawn as SVG on the server.

Each picture says which SPARQL query it draws and opens it in the workbench; the SVG alone is
at /pictures/{name}.svg. A map waits for coordinates with a source: no place of the edition
has any yet (the federated query federation-places-map.rq fetches Wikidata's).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template, request

from carnets.services.pictures import Picture, PictureService
from carnets.web.site import reader_lang
from carnets.web.state import publisher

bp = Blueprint("pictures", __name__)
NAMES = ("timeline", "network")


def _pictures() -> PictureService:
    carnets = publisher()
    return PictureService(carnets.store, carnets.base, timeout=carnets.settings.query_timeout * 2)


def _draw(name: str) -> Picture:
    service = _pictures()
    return service.timeline(reader_lang()) if name == "timeline" else service.network(reader_lang())


def workbench_link(picture: Picture) -> str:
    return "/sparql#" + "&".join(
        (f"name={quote(picture.title)}", f"query={quote(picture.query, safe='')}")
    )


def _cached(response: Response, name: str) -> Response:
    release = publisher().published
    if release is not None:
        response.set_etag(f"{release.fingerprint}-picture-{name}-{reader_lang()}")
        response.headers["Last-Modified"] = release.last_modified
        response.make_conditional(request)
    return response


@bp.route("/pictures/", methods=["GET"])
def pictures() -> Response:
    drawn = [_draw(name) for name in NAMES]
    page = render_template(
        "pictures.html",
        pictures=[(picture, workbench_link(picture)) for picture in drawn],
        jsonld={
            "@context": "https://schema.org",
            "@type": "CollectionPage",
            "name": "Pictures",
            "hasPart": [
                {
                    "@type": "ImageObject",
                    "name": p.title,
                    "description": p.description,
                    "contentUrl": f"/pictures/{p.name}.svg",
                    "encodingFormat": "image/svg+xml",
                }
                for p in drawn
            ],
        },
    )
    return _cached(Response(page, mimetype="text/html"), "all")


@bp.route("/pictures/<name>.svg", methods=["GET"])
def picture_svg(name: str) -> Response:
    if name not in NAMES:
        abort(404, f"no picture named {name}; see /pictures/")
    return _cached(Response(_draw(name).svg, mimetype="image/svg+xml"), name)
