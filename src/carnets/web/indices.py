"""Index pages: /person/, /place/, /work/, /event/, /organization/, /death/, /entry/, /note/.

Each lists the resources whose URIs are under that path, once each, with how often the texts
mention them, sortable by `?sort=name|mentions|entries|date` (`&order=reverse` turns the
order). No resource URI ends with a slash, so these pages change the meaning of none.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.exceptions import BadRequest

from carnets.services.indices import KINDS_BY_PATH, SORTS
from carnets.web.pages import index_page, indices
from carnets.web.site import reader_lang
from carnets.web.state import publisher

bp = Blueprint("indices", __name__)


def _index(path: str) -> Response:
    sort = request.args.get("sort", "date" if path == "entry" else "name")
    if sort not in SORTS:
        raise BadRequest(f"sort by one of {', '.join(SORTS)}, not {sort[:40]!r}")
    order = request.args.get("order", "")
    if order not in ("", "reverse"):
        raise BadRequest(f"order is 'reverse' or absent, not {order[:40]!r}")
    found = indices().index(path, reader_lang(), sort, descending=order == "reverse")
    response = Response(index_page(found), mimetype="text/html")  # type: ignore[arg-type]
    release = publisher().published
    if release is not None:
        response.set_etag(f"{release.fingerprint}-index-{path}-{reader_lang()}-{sort}-{order}")
        response.headers["Last-Modified"] = release.last_modified
        response.make_conditional(request)
    return response


for _path in KINDS_BY_PATH:
    bp.add_url_rule(
        f"/{_path}/", f"index_{_path}", lambda path=_path: _index(path), methods=["GET"]
    )
