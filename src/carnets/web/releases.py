"""Published releases on the web: /releases/ (HTML, or a DCAT catalog), /releases/{version}/ and
its files, and 410 Gone for a resource that an earlier release had and the current one has not.

A release's files never change, so they are served with their SHA-256 as ETag and a year of
caching; /releases/latest/ redirects to the newest version. The releases come from
carnets.releases (the folder CARNETS_RELEASES), read again when it changes, so a release
published while the server runs is offered at once.
"""

from __future__ import annotations

import base64
import hashlib

from flask import Blueprint, Response, abort, redirect, render_template, request, send_file

from carnets import conneg
from carnets.export import convert_graph
from carnets.release_dcat import XSD, catalog
from carnets.releases import (
    CHANGELOG,
    CHECKSUMS,
    VOID,
    PublishedRelease,
    media_type,
)
from carnets.web.site import FRENCH
from carnets.web.state import publisher

bp = Blueprint("releases", __name__)

# The words of these pages in French (kept here, with the pages that use them).
FRENCH.update(
    {
        "Releases": "Versions publiées",
        "Release": "Version",
        "Version": "Version",
        "Issued": "Publiée le",
        "Derived from": "Dérivée de",
        "Changes": "Changements",
        "current": "actuelle",
        "All releases": "Toutes les versions",
        "File": "Fichier",
        "Media type": "Type de média",
        "Bytes": "Octets",
        "Gone": "Disparu",
        "No release has been published yet.": "Aucune version n'a encore été publiée.",
    }
)

YEAR = 31_536_000
DUMP_SUFFIXES = (".ttl", ".nt", ".jsonld", ".nq", ".gz")


@bp.route("/releases", methods=["GET"])
def index_without_slash() -> Response:
    return redirect("/releases/", code=301)


@bp.route("/releases/", methods=["GET"])
def index() -> Response:
    """Every release, newest first: a page for people, a DCAT catalog for machines."""
    carnets = publisher()
    releases = carnets.releases.all()
    media = conneg.negotiate(
        conneg.RESOURCES, request.headers.get("Accept"), request.args.get("format")
    )
    if media == conneg.HTML:
        response = Response(
            render_template("releases.html", releases=list(reversed(releases))),
            mimetype="text/html",
        )
    else:
        turtle = catalog([(r.iri(carnets.base), r.path / VOID) for r in releases], carnets.base)
        response = _graph(turtle, media)
    response.vary.add("Accept")
    state = "|".join(f"{r.version}:{r.content}" for r in releases)
    kind = conneg.SUFFIXES.get(media, "html")
    response.set_etag(hashlib.sha256(f"{state}|{kind}".encode()).hexdigest()[:32])
    return response.make_conditional(request)


@bp.route("/releases/latest/", methods=["GET"])
@bp.route("/releases/latest/<name>", methods=["GET"])
def latest(name: str = "") -> Response:
    newest = publisher().releases.latest()
    if newest is None:
        abort(404, "no release has been published yet")
    return redirect(f"/releases/{newest.version}/{name}", code=302)


@bp.route("/releases/<version>", methods=["GET"])
def release_without_slash(version: str) -> Response:
    _find(version)
    return redirect(f"/releases/{version}/", code=301)


@bp.route("/releases/<version>/", methods=["GET"])
def release(version: str) -> Response:
    """One release: its files, checksums and changelog, or its VoID/DCAT description."""
    found = _find(version)
    media = conneg.negotiate(
        conneg.RESOURCES, request.headers.get("Accept"), request.args.get("format")
    )
    if media == conneg.HTML:
        sums = found.checksums()
        files = [
            {
                "name": name,
                "media_type": media_type(name) or "",
                "size": (found.path / name).stat().st_size,
                "sha256": sums[name],
            }
            for name in sorted(sums, key=_file_order)
        ]
        response = Response(
            render_template(
                "release.html",
                release=found,
                files=files,
                changelog=(found.path / CHANGELOG).read_text("utf-8"),
                current=publisher().releases.latest() == found,
            ),
            mimetype="text/html",
        )
    else:
        response = _graph((found.path / VOID).read_bytes(), media)
    response.vary.add("Accept")
    response.set_etag(f"{found.content[:24]}-{conneg.SUFFIXES.get(media, 'html')}")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response.make_conditional(request)


@bp.route("/releases/<version>/<name>", methods=["GET"])
def file(version: str, name: str) -> Response:
    """A file of a release, gzip-compressed on the wire when the client accepts it."""
    found = _find(version)
    sums = found.checksums()
    if name == CHECKSUMS:
        digest = hashlib.sha256((found.path / CHECKSUMS).read_bytes()).hexdigest()
    elif name in sums:
        digest = sums[name]
    else:
        abort(404, f"release {version} has no file named {name}; see /releases/{version}/")
    if len(request.headers.get("Accept-Encoding", "")) > conneg.MAX_ACCEPT:
        raise conneg.AcceptTooLong(
            f"the Accept-Encoding header is longer than {conneg.MAX_ACCEPT} characters"
        )
    served, encoded = name, False
    if name + ".gz" in sums and "gzip" in request.accept_encodings:
        served, encoded, digest = name + ".gz", True, sums[name + ".gz"]
    media = media_type(name) or "application/octet-stream"
    response = send_file(
        found.path / served,
        mimetype=media,
        conditional=True,
        etag=digest,
        max_age=YEAR,
        as_attachment=name.endswith(DUMP_SUFFIXES),
        download_name=name,
    )
    if encoded:
        response.headers["Content-Encoding"] = "gzip"
    if media in conneg.CHARSET_TYPES or media == "text/markdown":
        response.headers["Content-Type"] = f"{media}; charset=utf-8"
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.vary.add("Accept-Encoding")
    response.headers["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(digest)).decode()
    return response


def gone(iri: str, media: str) -> Response | None:
    """410 Gone for a resource that an earlier release had, naming the last release with it.

    None when no release had it (a plain 404 then). URIs never change meaning: what the
    resource was stays downloadable in that release.
    """
    carnets = publisher()
    found = carnets.releases.last_with(iri)
    if found is None:
        return None
    release, label = found
    where = f"/releases/{release.version}/"
    if media == conneg.HTML:
        body = render_template(
            "gone.html", iri=iri, label=label, release=release, where=where, path=request.path
        )
        response = Response(body, status=410, mimetype="text/html")
    else:
        here = release.iri(carnets.base)
        lines = [
            "@prefix dcterms: <http://purl.org/dc/terms/> .",
            "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
            f"<{iri}> dcterms:isPartOf <{here}> ;",
            f"    rdfs:seeAlso <{here}carnets.nt.gz>"
            + (f" ;\n    rdfs:label {_turtle_string(label)} ." if label else " ."),
            f"<{here}> a dcat:Dataset ; dcat:version {_turtle_string(release.version)} ;",
            f"    dcterms:issued {_turtle_string(release.issued)}^^<{XSD}"
            + ("date> ." if len(release.issued) == 10 else "dateTime> ."),
        ]
        response = _graph("\n".join(lines).encode("utf-8") + b"\n", media, status=410)
    response.headers["Link"] = f'<{where}>; rel="predecessor-version"'
    response.vary.add("Accept")
    return response


def _find(version: str) -> PublishedRelease:
    found = publisher().releases.get(version)
    if found is None:
        abort(404, f"no release named {version}; see /releases/")
    return found


def _graph(turtle: bytes, media: str, status: int = 200) -> Response:
    if media == conneg.TURTLE:
        body = turtle
    else:
        context = publisher().context if media == conneg.JSON_LD else None
        body = convert_graph(turtle, conneg.TURTLE, media, context)
    return Response(body, status=status, content_type=conneg.content_type(media))


def _turtle_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _file_order(name: str) -> tuple[int, str]:
    """Dumps first (each next to its .gz), then the description and the rest."""
    stem = name[:-3] if name.endswith(".gz") else name
    return (0 if stem.startswith("carnets.") else 1, name)
