"""/health: whether the server can answer, which release it serves, and whether it is warm.

For load balancers (503 when this replica cannot serve, so that they send requests elsewhere)
and for the benchmark, which measures steady state only once the query workers answer from
memory.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from carnets.errors import CarnetsError, QueryBusy
from carnets.store.base import QueryRequest
from carnets.web.state import publisher

bp = Blueprint("health", __name__)

# On the light lane: runaway queries in the general lane make a replica busy, not unhealthy.
PROBE = QueryRequest("ASK {}", "application/sparql-results+json", form="ASK", lane="light")


@bp.route("/health", methods=["GET"])
def health():
    carnets = publisher()
    problems = []
    busy = False
    try:
        carnets.store.execute(PROBE, 2.0)
    except QueryBusy:
        busy = True  # answering, just fully: a load balancer should keep sending
    except CarnetsError as error:
        problems.append(f"the store does not answer: {error}")
    if carnets.release is not None and not carnets.release.path.is_dir():
        problems.append(f"the release folder {carnets.release.path} is gone")
    problems += [f"the release is damaged: {problem}" for problem in carnets.damage]
    if carnets.store.remote and carnets.release is not None:
        try:
            if carnets.store.triple_counts() != dict(carnets.release.triple_counts):
                problems.append("the remote engine does not hold this release's graphs")
        except CarnetsError as error:
            problems.append(f"the remote engine's graphs could not be counted: {error}")
    if carnets.engine_problem:
        problems.append(carnets.engine_problem)
    response = jsonify(
        status="unavailable" if problems else "busy" if busy else "ok",
        problems=problems,
        store=carnets.settings.store,
        warm=bool(getattr(carnets.store, "warm", True)),
        release=carnets.release.fingerprint if carnets.release else None,
        triples=sum(carnets.triple_counts.values()),
    )
    response.status_code = 503 if problems else 200
    response.headers["Cache-Control"] = "no-store"
    return response
