"""Big resources stay small: descriptions and pages carry one page of mentions at a time.

The fixture's Max Jacob has two mentions; with one mention a page he has two pages.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from carnets.web import create_app

BASE = "https://w3id.org/carnets/serge/"
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
OA = Namespace("http://www.w3.org/ns/oa#")
JACOB = URIRef(BASE + "person/max-jacob")


@pytest.fixture(scope="module")
def paged(settings, store, release):
    return create_app(replace(settings, page_size=1), store, release).test_client()


def _turtle(client, path: str) -> Graph:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return Graph().parse(data=response.get_data(as_text=True), format="turtle")


def test_each_page_of_the_description_holds_one_mention_and_links_the_others(paged):
    first = _turtle(paged, "/person/max-jacob.ttl")
    second = _turtle(paged, "/person/max-jacob.ttl?page=2")
    mentions = [set(g.subjects(OA.hasBody, JACOB)) for g in (first, second)]
    assert all(len(m) == 1 for m in mentions) and mentions[0] != mentions[1]
    view = URIRef(f"{JACOB}?page=1")
    assert (view, HYDRA.next, URIRef(f"{JACOB}?page=2")) in first
    assert (view, HYDRA.last, URIRef(f"{JACOB}?page=2")) in first
    assert (None, HYDRA.totalItems, Literal(2)) in first
    assert (URIRef(f"{JACOB}?page=2"), HYDRA.previous, view) in second
    assert not list(second.objects(None, HYDRA.next))
    # The resource's own statements are on every page.
    assert len(list(first.predicate_objects(JACOB))) == len(list(second.predicate_objects(JACOB)))


def test_html_pages_show_their_passages_and_link_the_next(paged):
    first = paged.get("/person/max-jacob", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Passages 1–1 of 2" in first
    assert 'rel="next" href="/person/max-jacob?page=2"' in first
    assert "News of <mark>Max Jacob</mark>" in first
    second = paged.get("/person/max-jacob?page=2", headers={"Accept": "text/html"})
    text = second.get_data(as_text=True)
    assert "I think of <mark>Max Jacob</mark> again" in text
    assert "News of <mark>Max Jacob</mark>" not in text
    assert 'rel="prev" href="/person/max-jacob?page=1"' in text


def test_a_small_resource_has_no_paging(client):
    graph = _turtle(client, "/person/osip-mandelstam.ttl")
    assert not list(graph.subjects(None, HYDRA.PartialCollectionView))
    page = client.get("/person/max-jacob", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'rel="next"' not in page


@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_a_page_past_the_last_is_not_found(paged, accept):
    response = paged.get("/person/max-jacob?page=3", headers={"Accept": accept})
    assert response.status_code == 404
    assert "no page 3" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["0", "-1", "two", "²", "1.5", "9" * 30])
def test_a_malformed_page_number_is_a_400(paged, page):
    response = paged.get("/person/max-jacob.ttl", query_string={"page": page})
    assert response.status_code == 400
    assert "page must be a whole number" in response.get_data(as_text=True)
