"""The resource service over the publisher's stores: one typed view of a resource per query."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from carnets.services.resources import ResourceService
from carnets.store.remote import RemoteStore

BASE = "https://w3id.org/carnets/serge/"


@pytest.fixture(params=["embedded", "remote"])
def resources(request) -> ResourceService:
    if request.param == "embedded":
        store = request.getfixturevalue("store")
    else:  # the publisher on 127.0.0.1, spoken to over the SPARQL Protocol
        store = RemoteStore(f"{request.getfixturevalue('live_server')}/sparql", BASE, timeout=10)
    return ResourceService(store, BASE)


def test_a_person_in_one_view(resources):
    view = resources.view(BASE + "person/max-jacob")
    assert view is not None
    assert view.title == "Max Jacob"
    assert [p.quote for p in view.passages] == ["Max Jacob", "Max Jacob"]
    assert [p.entry.href for p in view.passages] == ["/entry/1944-08-10", "/entry/1944-11-05"]
    assert view.pages.total == 2 and view.pages.last == 1
    assert view.death is not None
    assert view.death.record.href == "/death/max-jacob"
    assert {r.entry.text for r in view.death.reports} >= {"1944-08-10"}
    assert "Translation © 2019" in (view.passages[0].rights or "")


def test_unknown_resources_have_no_view(resources):
    assert resources.view(BASE + "person/nobody") is None


def test_the_view_is_the_same_on_both_stores(store, live_server):
    embedded = ResourceService(store, BASE).view(BASE + "person/osip-mandelstam")
    remote = RemoteStore(f"{live_server}/sparql", BASE, timeout=10)
    assert ResourceService(remote, BASE).view(BASE + "person/osip-mandelstam") == embedded


def test_bindings_are_terms_not_text(store):
    # A literal with quotes and braces is bound as a term: it can match nothing, and it cannot
    # change the query around it.
    hostile = ox.Literal('x" } UNION { ?s ?p ?o } #')
    rows = store.select("SELECT ?s WHERE { ?s ?p ?v }", {"v": hostile})
    assert rows == []
    with pytest.raises(ValueError):
        ox.NamedNode("http://x/> } UNION { ?s ?p ?o")
