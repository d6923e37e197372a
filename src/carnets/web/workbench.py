"""The query workbench's settings, for the page /sparql shows a browser (template sparql.html).

The page runs YASGUI (npm's @zazuko/yasgui, copied into static/ by `make assets`: no script
from another host) against this server's endpoint, with the edition's prefixes and every
question of queries/ one click away. This blueprint only gives the template what it needs:
`workbench()` (endpoint, prefixes, recipes) and whether the assets are installed, so that a
server started without them still offers a plain form.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app

from carnets.namespaces import PREFIXES
from carnets.web.pages import cookbook
from carnets.web.state import publisher

bp = Blueprint("workbench", __name__)

ASSETS = ("yasgui.min.js", "yasgui.min.css")
# The edition's resources by kind, so that results read person:jane-doe.
KINDS = ("person", "place", "work", "event", "organization", "death", "report", "entry", "note")


@bp.app_template_global()
def workbench() -> dict:
    base = publisher().base
    prefixes = {name: str(namespace) for name, namespace in PREFIXES.items()}
    prefixes |= {kind: f"{base}{kind}/" for kind in KINDS}
    return {
        "endpoint": "/sparql",
        "base": base,
        "prefixes": prefixes,
        "recipes": [recipe.as_json() for recipe in cookbook()],
    }


@bp.app_template_global()
def workbench_installed() -> bool:
    static = Path(current_app.static_folder or "")
    return all((static / name).is_file() for name in ASSETS)
