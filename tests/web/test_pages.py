"""The edition's pages for people, over the small test edition: entries with their mentions in
the text, indices, the home page, concepts, the dataset, pictures, error pages, JSON-LD."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient

from carnets.web import create_app, error_pages

ROOT = Path(__file__).parents[2]
HTML = {"Accept": "text/html"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def page(client: FlaskClient, path: str, **headers: str) -> str:
    response = client.get(path, headers={**HTML, **headers})
    assert response.status_code == 200, (path, response.status_code)
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def jsonld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD in the head"
    return json.loads(found.group(1))


def test_an_entry_highlights_its_mentions_and_links_them(client):
    html = page(client, "/entry/1944-08-10")
    # The mention of Max Jacob: highlighted, linked to him, anchored by its IRI's fragment.
    assert re.search(
        r'<a class="mention k-Person[^"]*" href="/person/max-jacob" id="m8-17"[^>]*>Max Jacob</a>',
        html,
    )
    assert "person: Max Jacob" in html  # what it refers to, on hover or focus
    assert 'href="/person/osip-mandelstam" id="m70-81"' in html
    # Serge's report of the death is marked where its words are.
    assert '<a class="report-mark" href="/report/1944-08-10/max-jacob"' in html
    assert '<span class="in-report">tortured and murdered</span>' in html
    # The list of mentions in the order of the text.
    listed = re.findall(r'<li><a href="#at-(\d+)-\d+">', html)
    assert listed == sorted(listed, key=int) and listed[:2] == ["8", "70"]
    assert "Date: <time" in html and "10 August 1944" in html
    assert 'rel="next" href="/entry/1944-11-05"' in html and 'rel="prev"' not in html
    assert "Translation © 2019" in html  # the text's rights beside it


def test_the_next_entry_links_back_and_the_person_links_to_the_passage(client):
    html = page(client, "/entry/1944-11-05")
    assert 'rel="prev" href="/entry/1944-08-10"' in html
    person = page(client, "/person/max-jacob")
    assert 'href="/entry/1944-08-10#m8-17"' in person


def test_pages_follow_the_reader_s_language(client):
    response = client.get("/entry/1944-08-10", headers={**HTML, "Accept-Language": "fr, en;q=.5"})
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html and "10 août 1944" in html
    assert "Accept-Language" in response.headers["Vary"]
    chosen = client.get("/person/?lang=fr", headers=HTML)
    assert "carnets-lang=fr" in chosen.headers["Set-Cookie"]
    assert "<h1>Personnes</h1>" in chosen.get_data(as_text=True)


def test_an_index_lists_each_resource_once_with_its_mentions(client):
    html = page(client, "/person/")
    names = re.findall(r'<td><a href="/person/([^"]+)">', html)
    assert sorted(names) == sorted(set(names)) and "max-jacob" in names
    row = re.search(r'href="/person/max-jacob">Max Jacob</a></td>(.*?)</tr>', html, re.S)
    assert row and '<td class="number">2</td>' in row.group(1)
    by_mentions = page(client, "/person/?sort=mentions")
    assert re.findall(r'<td><a href="/person/([^"]+)">', by_mentions)[0] == "max-jacob"
    assert 'aria-sort="descending"' in by_mentions
    reversed_ = page(client, "/person/?sort=mentions&order=reverse")
    assert re.findall(r'<td><a href="/person/([^"]+)">', reversed_)[-1] == "max-jacob"


@pytest.mark.parametrize("path", ["place", "work", "event", "organization", "death", "entry"])
def test_every_index_answers(client, path):
    assert "<table" in page(client, f"/{path}/")


def test_a_bad_sort_is_a_400(client):
    assert client.get("/person/?sort=shoe-size", headers=HTML).status_code == 400


def test_the_home_page_says_what_the_edition_is_and_how_to_cite_it(client):
    html = page(client, "/")
    assert "Carnets: Victor Serge, Notebooks 1944 (test fixture)" in html
    assert "Translation © 2019" in html  # the rights of the translation
    assert re.search(r"<strong>2</strong> entries", html)
    assert html.count('href="/entry/1944-08-10"') == 1  # each entry once
    bibtex = re.search(r'<pre id="bibtex"[^>]*>(.*?)</pre>', html, re.S).group(1)
    assert bibtex.startswith("@misc{carnets-") and "version = {0.1.0}" in bibtex
    csl = json.loads(
        re.search(r'<pre id="csl-json"[^>]*>(.*?)</pre>', html, re.S)
        .group(1)
        .replace("&#34;", '"')
        .replace("&quot;", '"')
    )
    assert csl[0]["type"] == "dataset" and csl[0]["version"] == "0.1.0"
    assert jsonld(html)["@type"] == "Dataset"


def test_the_citation_file_names_the_shipped_edition_s_version():
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    edition = (ROOT / "data" / "edition.ttl").read_text(encoding="utf-8")
    version = re.search(r'schema:version "([^"]+)"', edition).group(1)
    assert f'version: "{version}"' in citation
    assert "cff-version: 1.2.0" in citation


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/entry/1944-08-10",
        "/person/max-jacob",
        "/person/",
        "/dataset",
        "/sparql",
        "/ontology",
        "/pictures/",
        "/ontology/manner/murdered",
    ],
)
def test_every_page_links_the_ontology_and_has_json_ld(client, path):
    html = page(client, path)
    assert 'href="/ontology"' in html
    assert jsonld(html)["@context"] == "https://schema.org"


def test_term_links_stay_on_this_server(client):
    html = page(client, "/person/max-jacob")
    assert 'href="/ontology#Person"' in html
    assert 'href="https://w3id.org/carnets/ontology' not in html


def test_concepts_answer_as_pages_and_as_rdf(client):
    html = page(client, "/ontology/manner/murdered")
    assert "/report/1944-08-10/max-jacob" in html  # what uses the concept
    turtle = client.get("/ontology/manner/murdered", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.mimetype == "text/turtle"
    assert client.get("/ontology/manner/murdered.nt").mimetype == "application/n-triples"
    assert client.get("/ontology/manner/no-such-manner", headers=HTML).status_code == 404


def test_the_dataset_page_counts_each_class(client):
    html = page(client, "/dataset")
    row = re.search(
        r'<tr id="class-[0-9a-f]+"><td><a href="/ontology#Person">cn:Person</a>'
        r'</td><td class="number">(\d+)</td>',
        html,
    )
    assert row and int(row.group(1)) == 3
    assert "void:sparqlEndpoint" in html


def test_the_workbench_page_carries_its_settings(client):
    html = page(client, "/sparql")
    config = json.loads(
        re.search(
            r'<script type="application/json" id="workbench-config">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert config["endpoint"] == "/sparql"
    assert config["prefixes"]["cn"] == "https://w3id.org/carnets/ontology#"
    assert config["prefixes"]["person"] == "https://w3id.org/carnets/serge/person/"


def test_pictures_are_svg_drawn_from_a_query(client):
    html = page(client, "/pictures/")
    assert html.count("<svg") == 2 and "/sparql#name=" in html
    for name in ("timeline", "network"):
        response = client.get(f"/pictures/{name}.svg")
        assert response.mimetype == "image/svg+xml"
        svg = ElementTree.fromstring(response.data)
        links = [a.get("href") for a in svg.iter("{http://www.w3.org/2000/svg}a")]
        assert "/entry/1944-08-10" in links
    assert client.get("/pictures/nothing.svg").status_code == 404


@pytest.fixture(scope="module")
def wired(settings, store, release) -> Flask:
    """The app with HTML error pages wired as carnets.web.errors is to wire them."""
    app = create_app(settings, store, release)
    error_pages.init_app(app)
    return app


@pytest.mark.parametrize(("path", "status"), [("/person/nobody", 404), ("/person/?sort=x", 400)])
def test_browsers_get_error_pages_and_other_clients_plain_text(wired, path, status):
    client = wired.test_client()
    for_browser = client.get(path, headers=BROWSER)
    assert for_browser.status_code == status and for_browser.mimetype == "text/html"
    html = for_browser.get_data(as_text=True)
    assert f"({status})" in html and 'href="/ontology"' in html
    assert for_browser.headers["X-Content-Type-Options"] == "nosniff"
    for accept in ("*/*", "text/turtle", "text/plain"):
        plain = client.get(path, headers={"Accept": accept})
        assert plain.status_code == status and plain.mimetype == "text/plain", accept


def test_an_error_page_escapes_what_the_client_sent(wired):
    response = wired.test_client().get("/person/?sort=<script>x</script>", headers=BROWSER)
    assert "<script>x" not in response.get_data(as_text=True)
