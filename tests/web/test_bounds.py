"""Every request is bounded (issue 7, point 2): body, query, header, Accept and parameter
sizes are refused with a 413, 431 or 400 that states the limit, and slow clients hold a
connection for a bounded time without stopping the server.

The sizes are checked through the Flask test client; what waitress enforces (the header and
body limits, slow clients) against a real server on 127.0.0.1.
"""

from __future__ import annotations

import io
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import replace

import pytest

from carnets.config import Settings
from carnets.web.serve import make_server

ASK = "ASK { ?s ?p ?o }"


def padded_query(size: int) -> str:
    """A well-formed query of about `size` bytes."""
    return ASK + "\n#" + "x" * size


def test_a_body_over_the_limit_is_413_with_the_limit(client, settings):
    body = urllib.parse.urlencode({"query": padded_query(settings.max_body + 10)})
    response = client.post("/sparql", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response.mimetype == "text/plain"


@pytest.mark.parametrize("route", ["get", "form", "direct"])
def test_a_query_over_the_limit_is_413_with_the_limit(client, settings, route):
    query = padded_query(settings.max_query + 1)
    if route == "get":
        response = client.get("/sparql", query_string={"query": query})
    elif route == "form":
        response = client.post("/sparql", data={"query": query})
    else:
        response = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert response.status_code == 413
    assert str(settings.max_query) in response.get_data(as_text=True)
    fits = client.post(
        "/sparql",
        data=padded_query(settings.max_query - 100),
        content_type="application/sparql-query",
    )
    assert fits.status_code == 200


def test_a_direct_query_that_says_it_is_too_long_is_refused_unread(client):
    """The body is never read: a client announcing 20 MB gets its 413 at once."""
    body = io.BytesIO(b"#" * 20_000_000)
    response = client.post(
        "/sparql",
        input_stream=body,
        content_type="application/sparql-query",
        environ_overrides={"CONTENT_LENGTH": "20000000"},
    )
    assert response.status_code == 413
    assert body.tell() == 0


def test_a_long_accept_header_is_431_not_parsed(client):
    response = client.get(
        "/sparql", query_string={"query": ASK}, headers={"Accept": "text/csv;q=0.5," * 400}
    )
    assert response.status_code == 431
    assert "4096" in response.get_data(as_text=True)
    assert client.get("/download/", headers={"Accept": "text/plain," * 500}).status_code == 431


def test_too_many_parameters_are_400(client):
    graphs = "&".join(f"default-graph-uri=urn:g{i}" for i in range(150))
    response = client.get(f"/sparql?query=ASK%7B%7D&{graphs}")
    assert response.status_code == 400
    assert "100 parameters" in response.get_data(as_text=True)
    form = client.post(
        "/sparql",
        data="query=ASK%7B%7D&" + graphs,
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 400


def raw_exchange(port: int, payload: bytes, timeout: float = 10.0) -> bytes:
    """What the server answers to `payload` before it closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(payload)
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except ConnectionResetError:  # the server closed with some of `payload` unread
            pass
        return answer


@pytest.fixture(scope="module")
def bounded_server(app, settings: Settings) -> Iterator[tuple[int, Settings]]:
    """The production server with a short request deadline, so that the test can watch it."""
    bounded = replace(settings, port=0, threads=4, request_timeout=2, channel_timeout=30)
    server = make_server(app, bounded)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield server.effective_port, bounded
    server.close()
    thread.join(timeout=5)


def test_waitress_refuses_an_announced_huge_body_before_it_arrives(bounded_server):
    port, _ = bounded_server
    started = time.monotonic()
    answer = raw_exchange(
        port,
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 20000000\r\n\r\nASK {}",
    )
    assert answer.startswith(b"HTTP/1.1 413")
    assert time.monotonic() - started < 5


def test_waitress_refuses_headers_over_the_limit_with_431(bounded_server):
    port, settings = bounded_server
    padding = b"X-Padding: " + b"p" * settings.max_header + b"\r\n"  # just over the limit
    answer = raw_exchange(port, b"GET /health HTTP/1.1\r\nHost: x\r\n" + padding + b"\r\n")
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split(b" ")[1] == b"431"  # HTTP/1.0: waitress read no version
    assert f"max_header of {settings.max_header}".encode() in rest


def health_status(port: int) -> int:
    answer = raw_exchange(port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    return int(answer.split(b" ", 2)[1])


def test_200_trickling_connections_do_not_stop_the_server(bounded_server):
    """About 105 half-open connections used to stop waitress (its limit was 100)."""
    port, _ = bounded_server
    trickling = []
    try:
        for _ in range(200):
            connection = socket.create_connection(("127.0.0.1", port), timeout=10)
            connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: a")
            trickling.append(connection)
        started = time.monotonic()
        assert health_status(port) == 200
        assert time.monotonic() - started < 2
    finally:
        for connection in trickling:
            connection.close()


def test_a_request_that_never_finishes_arriving_is_cut_off(bounded_server):
    """However steadily it trickles: the connection closes after the request deadline."""
    port, settings = bounded_server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < settings.request_timeout + 4:
            try:
                connection.sendall(b"X-Slow: a\r\n")
            except OSError:
                closed = True
                break
            connection.settimeout(0.5)
            try:
                if connection.recv(1024) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
        assert closed
        assert time.monotonic() - started < settings.request_timeout + 4
