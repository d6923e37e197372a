"""Fair scheduling over HTTP: 429 with Retry-After for a client over its share; cheap queries
from other clients go on while runaway ones loop."""

from __future__ import annotations

import threading
import time
import urllib.parse
from dataclasses import replace
from http.client import HTTPConnection

import pytest

from carnets.web import create_app
from carnets.web.serve import make_server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"
CHEAP = "ASK { ?s ?p ?o }"


def get(port: int, query: str, source: str = "127.0.0.1") -> tuple[int, dict, bytes]:
    connection = HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}))
        response = connection.getresponse()
        return response.status, dict(response.headers), response.read()
    finally:
        connection.close()


def test_a_client_over_its_rate_gets_429_with_retry_after(settings, store, release):
    app = create_app(replace(settings, rate_limit=1, rate_burst=3), store, release)
    client = app.test_client()
    statuses = [client.get("/sparql", query_string={"query": CHEAP}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/sparql", query_string={"query": CHEAP})
    assert refused.headers["Retry-After"] == "1"
    assert "requests a second" in refused.get_data(as_text=True)
    other = client.get(
        "/sparql", query_string={"query": CHEAP}, environ_base={"REMOTE_ADDR": "10.1.1.1"}
    )
    assert other.status_code == 200
    assert client.get("/health").status_code == 200  # never counted


@pytest.fixture(scope="module")
def fair_server(settings, store, release):
    """The production server with one query in flight per client."""
    app = create_app(replace(settings, client_queries=1, query_timeout=1.5), store, release)
    server = make_server(app, replace(settings, port=0, threads=32))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield server.effective_port
    server.close()


def test_a_second_query_in_flight_from_one_client_is_429(fair_server):
    outcome = {}
    runaway = threading.Thread(
        target=lambda: outcome.setdefault("first", get(fair_server, RUNAWAY, "127.0.0.3"))
    )
    runaway.start()
    time.sleep(0.3)
    status, headers, _ = get(fair_server, CHEAP, "127.0.0.3")
    assert status == 429
    assert headers["Retry-After"] == "1"
    assert get(fair_server, CHEAP, "127.0.0.4")[0] == 200
    runaway.join(timeout=30)
    assert outcome["first"][0] == 503


def test_cheap_queries_stay_fast_while_clients_loop_runaway_queries(fair_server):
    stop = time.monotonic() + 4
    runaway_statuses: list[int] = []

    def loop(source: str) -> None:
        while time.monotonic() < stop:
            runaway_statuses.append(get(fair_server, RUNAWAY, source)[0])

    loopers = [threading.Thread(target=loop, args=(f"127.0.1.{n}",)) for n in range(1, 7)]
    for looper in loopers:
        looper.start()
    time.sleep(1.0)  # each looper has had a runaway stopped, and is out of the light lane
    times, statuses = [], []
    while time.monotonic() < stop - 0.5:
        started = time.monotonic()
        statuses.append(get(fair_server, CHEAP, "127.0.2.1")[0])
        times.append(time.monotonic() - started)
        time.sleep(0.02)
    for looper in loopers:
        looper.join(timeout=30)
    assert statuses and set(statuses) == {200}
    assert sorted(times)[int(len(times) * 0.95)] < 0.5  # a loose bound; bench/ has the numbers
    assert set(runaway_statuses) <= {503, 429}
