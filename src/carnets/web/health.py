"""/health: whether the server is up, which release it serves, and whether its engine is warm.

For load balancers and for the benchmark, which measures steady state only once the query
workers answer from memory.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from carnets.web.app import publisher

bp = Blueprint("health", __name__)


@bp.route("/health", methods=["GET"])
def health():
    carnets = publisher()
    response = jsonify(
        status="ok",
        store=carnets.settings.store,
        warm=bool(getattr(carnets.store, "warm", True)),
        release=carnets.release.fingerprint if carnets.release else None,
        triples=sum(carnets.triple_counts.values()),
    )
    response.headers["Cache-Control"] = "no-store"
    return response
