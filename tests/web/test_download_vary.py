"""/download/ is a page for browsers and the checksums as text for other clients, so a cache
must key it by Accept (issue 7, point 6)."""

from __future__ import annotations


def test_the_download_index_says_vary_accept(client):
    page = client.get("/download/", headers={"Accept": "text/html"})
    listing = client.get("/download/", headers={"Accept": "text/plain"})
    assert page.mimetype == "text/html" and listing.mimetype == "text/plain"
    for response in (page, listing):
        assert "Accept" in response.vary
