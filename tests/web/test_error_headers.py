"""Error responses say `X-Content-Type-Options: nosniff`: their messages quote what the client
sent, and a browser must never run that as HTML or script."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/sparql?query=SELECT+%3Cx%3E+WHERE", 400),  # the parser's message
        ("GET", "/sparql?query=SELECT+*+WHERE+%7B+SERVICE+%3Fs+%7B%7D+%7D", 403),
        ("PUT", "/sparql", 405),
        ("GET", "/person/nobody-at-all", 404),
        ("GET", "/download/no-such-dump.ttl", 404),
    ],
)
def test_every_error_says_nosniff(client, method, path, status):
    response = client.open(path, method=method, headers={"Accept": "*/*"})
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_plain_text_error_echoing_markup_is_not_sniffed(client):
    response = client.get("/sparql", query_string={"query": "<script>alert(1)</script>"})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_reconciliation_errors_say_nosniff_too(client):
    response = client.post("/reconcile", data={"queries": "[1]"})
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
