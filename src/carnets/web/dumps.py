"""Whole-dataset files and self-description: /download/, /dataset, /.well-known/void, the @context.

Dumps are files of the release, written once at build time with their gzip twins and SHA-256
sums, so serving one is a file copy with an ETag (its checksum) and Last-Modified (the build).
"""

from __future__ import annotations

import base64

import pyoxigraph as ox
from flask import Blueprint, Response, abort, redirect, render_template, request, send_file
from werkzeug.exceptions import ServiceUnavailable

from carnets import conneg
from carnets.export import Release, convert_graph
from carnets.web.pages import resource_page
from carnets.web.state import publisher

bp = Blueprint("dumps", __name__)


def _release() -> Release:
    """The release whose files are offered: over a remote engine, the one written from it."""
    carnets = publisher()
    if carnets.store.remote and carnets.engine_release is None:
        problem = carnets.engine_problem or "the dumps are being written from the remote engine"
        raise ServiceUnavailable(
            problem, retry_after=60 if carnets.engine_problem is None else None
        )
    release = carnets.published
    if release is None:
        abort(404, "this server was started without a release, so it has no dumps")
    if carnets.damage and release is carnets.release:
        abort(503, "the release's files are damaged: " + "; ".join(carnets.damage))
    return release


@bp.route("/download/", methods=["GET"])
def index() -> Response:
    """A page for browsers, the checksums as text for everyone else (so: Vary: Accept)."""
    release = _release()
    if conneg.negotiate(conneg.RESOURCES, request.headers.get("Accept")) != conneg.HTML:
        listing = "".join(
            f"{dump.sha256}  {dump.name}\n{dump.gzip_sha256}  {dump.name}.gz\n"
            for dump in release.dumps.values()
        )
        response = Response(listing, mimetype="text/plain")
    else:
        response = Response(
            render_template("download.html", dumps=release.dumps.values(), release=release),
            mimetype="text/html",
        )
    response.vary.add("Accept")
    return response


@bp.route("/download", methods=["GET"])
def index_without_slash() -> Response:
    return redirect("/download/", code=301)


@bp.route("/download/SHA256SUMS", methods=["GET"])
def checksums() -> Response:
    release = _release()
    return _small_file(release, release.path / "download" / "SHA256SUMS", "text/plain", 3600)


@bp.route("/download/<name>", methods=["GET"])
def dump(name: str) -> Response:
    """A dump, gzip-compressed when the client accepts it or asks for the .gz file."""
    release = _release()
    explicit_gz = name.endswith(".gz")
    stem = name[:-3] if explicit_gz else name
    found = release.dumps.get(stem)
    if found is None:
        abort(404, f"no dump named {name}; see /download/")
    if len(request.headers.get("Accept-Encoding", "")) > conneg.MAX_ACCEPT:
        raise conneg.AcceptTooLong(
            f"the Accept-Encoding header is longer than {conneg.MAX_ACCEPT} characters"
        )
    accepts_gzip = "gzip" in request.accept_encodings
    compressed = explicit_gz or accepts_gzip
    digest = found.gzip_sha256 if compressed else found.sha256
    response = send_file(
        release.dump_path(stem, compressed),
        mimetype="application/gzip" if explicit_gz else found.media_type,
        conditional=True,
        etag=digest,
        last_modified=release.built,
        max_age=3600,
        download_name=name,
    )
    if compressed and not explicit_gz:
        response.headers["Content-Encoding"] = "gzip"
    if not explicit_gz and found.media_type in conneg.CHARSET_TYPES:
        response.headers["Content-Type"] = conneg.content_type(found.media_type)
    response.vary.add("Accept-Encoding")
    response.headers["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(digest)).decode()
    return response


@bp.route("/dataset", methods=["GET"])
def dataset() -> Response:
    return _void(request.headers.get("Accept"), request.args.get("format"))


@bp.route("/.well-known/void", methods=["GET"])
def well_known_void() -> Response:
    return _void(request.headers.get("Accept"), request.args.get("format"))


@bp.route("/dataset.<suffix>", methods=["GET"])
def dataset_as(suffix: str) -> Response:
    if suffix not in conneg.RESOURCES.names:
        abort(404)
    return _void(None, suffix, negotiated=False)


def _void(accept: str | None, format_name: str | None, negotiated: bool = True) -> Response:
    release = _release()
    media_type = conneg.negotiate(conneg.RESOURCES, accept, format_name)
    turtle = release.void_turtle()
    if media_type == conneg.HTML:
        n_triples = convert_graph(turtle, conneg.TURTLE, conneg.N_TRIPLES)
        triples = ox.parse(n_triples, ox.RdfFormat.N_TRIPLES)
        view = publisher().resources.page_of_triples(publisher().base + "dataset", triples)
        response = Response(resource_page(view, "/dataset"), mimetype="text/html")
    else:
        if media_type == conneg.TURTLE:
            body = turtle
        else:
            context = publisher().context if media_type == conneg.JSON_LD else None
            body = convert_graph(turtle, conneg.TURTLE, media_type, context)
        response = Response(body, content_type=conneg.content_type(media_type))
    if negotiated:
        response.vary.add("Accept")
    response.set_etag(f"{release.fingerprint}-void-{conneg.SUFFIXES.get(media_type, 'html')}")
    response.headers["Last-Modified"] = release.last_modified
    return response.make_conditional(request)


@bp.route("/context.jsonld", methods=["GET"])
def context() -> Response:
    """The edition's JSON-LD @context, which every JSON-LD description here embeds."""
    release = _release()
    return _small_file(release, release.path / "context.jsonld", "application/ld+json", 86400)


def _small_file(release: Release, path, mimetype: str, max_age: int) -> Response:
    response = Response(path.read_bytes(), mimetype=mimetype)
    response.set_etag(f"{release.fingerprint}-{path.name}")
    response.last_modified = release.built
    response.cache_control.max_age = max_age
    response.cache_control.public = True
    return response.make_conditional(request)
