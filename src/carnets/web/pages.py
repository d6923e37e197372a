"""HTML pages: the templates over the resource service's views.

What a page shows comes from carnets.services.resources (one query per page); this module only
chooses the template and the links, and shows every quotation of the translated text with the
translation's rights statement.
"""

from __future__ import annotations

from flask import render_template

from carnets import conneg
from carnets.services.resources import ResourceView
from carnets.web.state import publisher


def resource_page(view: ResourceView, path: str) -> str:
    """The page of one resource; `path` is where it is served, without suffix or page."""
    return render_template("resource.html", **vars(view), formats=conneg.SUFFIXES, path=path)


def home_page() -> str:
    carnets = publisher()
    return render_template(
        "home.html",
        base=carnets.base,
        entries=carnets.resources.entries(),
        counts=carnets.triple_counts,
    )
