"""`link check`: every published link re-read from Wikidata; wrong identifiers are caught."""

from __future__ import annotations

from carnets.linking.check import check_links, disagreements
from carnets.linking.edition import EditionEntity, YearRange
from carnets.linking.linker import read_entities
from carnets.linking.wikidata import WikidataItem


def test_the_wrong_links_of_the_fixture_are_flagged(settings, client):
    checks = {c.entity.path: c for c in check_links(read_entities(settings), client)}
    assert set(checks) == {
        "person/romain-rolland",
        "person/victor-brauner",
        "person/jean-giraudoux",
        "person/hans-christian-andersen",
        "place/france",
        "place/soviet-union",
    }
    assert checks["person/jean-giraudoux"].problems == [
        "death year 1945 on Wikidata; the edition says 1944"
    ]
    assert "instance of airport, not a human" in checks["person/hans-christian-andersen"].problems
    bad = sorted(path for path, c in checks.items() if not c.agrees)
    assert bad == ["person/hans-christian-andersen", "person/jean-giraudoux"]


def test_all_links_are_checked_in_one_batch(settings, client, fake_wikidata):
    check_links(read_entities(settings), client)
    assert len(fake_wikidata.script.requests) == 1


def _person(**fields) -> EditionEntity:
    return EditionEntity(
        iri="x", path="person/x", kind="person", label="Jean Dupont",
        names=[("Jean Dupont", "en")], **fields,
    )  # fmt: skip


def test_a_missing_item_is_reported():
    assert disagreements(_person(), WikidataItem("Q404")) == [
        "Q404 has no label or claim: deleted, merged or mistyped"
    ]


def test_a_birth_year_outside_an_uncertain_range_is_reported():
    item = WikidataItem("Q1", labels={"en": ["Jean Dupont"]}, claims={
        "P31": [("Q5", "human")], "P569": [("1933-01-01T00:00:00Z", "")],
    })  # fmt: skip
    assert disagreements(_person(birth=YearRange(1931, 1932)), item) == [
        "birth year 1933 on Wikidata; the edition says 1931\u20131932"
    ]
    assert disagreements(_person(birth=YearRange(1931, 1933)), item) == []


def test_a_label_matching_no_name_is_reported():
    item = WikidataItem("Q1", labels={"en": ["Someone Else"]}, claims={"P31": [("Q5", "human")]})
    assert disagreements(_person(), item) == [
        "label 'Someone Else' matches none of the edition's names"
    ]
