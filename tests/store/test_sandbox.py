"""The network is taken away from query workers where the engine makes its calls.

These tests go around the reading of queries on purpose: they hand SERVICE calls straight to
the worker pool, as a query that the reading misjudged would arrive, and check that the canary
on 127.0.0.1 hears nothing from a cut-off worker and hears the call from a federation worker.
"""

from __future__ import annotations

import multiprocessing
import socket

import pytest

from carnets.errors import QueryRefused
from carnets.store import sandbox
from carnets.store.execute import QueryRequest
from carnets.store.workers import WorkerPool

JSON = "application/sparql-results+json"

pytestmark = pytest.mark.skipif(not sandbox.available(), reason="needs Linux and libseccomp")


def _try_to_connect(port: int, results) -> None:
    sandbox.forbid_network()
    outcomes = []
    for _family, address in (
        (socket.AF_INET, ("127.0.0.1", port)),
        (socket.AF_INET6, ("::1", port)),
    ):
        try:
            socket.create_connection(address, timeout=2)
            outcomes.append("connected")
        except OSError as error:
            outcomes.append(type(error).__name__)
    left, right = socket.socketpair()  # Unix sockets, how a worker talks to the server, still work
    left.sendall(b"x")
    outcomes.append(right.recv(1).decode())
    results.put(outcomes)


def test_a_process_without_network_cannot_connect(canary):
    heard = len(canary.connections)
    context = multiprocessing.get_context("forkserver")
    results = context.Queue()
    process = context.Process(target=_try_to_connect, args=(canary.server_address[1], results))
    process.start()
    outcome = results.get(timeout=30)
    process.join(timeout=10)
    assert outcome == ["PermissionError", "PermissionError", "x"]
    assert len(canary.connections) == heard


@pytest.fixture(scope="module")
def pool(store_release):
    pool = WorkerPool(store_release.store_path, 1, federation=1)
    yield pool
    pool.close()


def test_a_worker_refuses_a_call_that_got_past_the_reading(pool, canary):
    heard = len(canary.connections)
    for text in (
        f"SELECT ?canary WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}",
        f"ASK {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}",
    ):
        with pytest.raises(QueryRefused, match="tried to reach another host"):
            pool.run(QueryRequest(text, JSON), timeout=30)
    silent = pool.run(
        QueryRequest(f"SELECT ?canary {{ SERVICE SILENT <{canary.url}> {{ ?s ?p ?o }} }}", JSON),
        timeout=30,
    )
    assert b"CANARY" not in silent.body
    assert len(canary.connections) == heard


def test_only_the_federation_worker_has_the_network(pool, allowed_endpoint):
    heard = len(allowed_endpoint.connections)
    text = f"SELECT ?canary WHERE {{ SERVICE <{allowed_endpoint.url}> {{ ?s ?p ?o }} }}"
    answer = pool.run(QueryRequest(text, JSON, federated=True), timeout=30)
    assert b"CANARY" in answer.body
    assert len(allowed_endpoint.connections) == heard + 1
