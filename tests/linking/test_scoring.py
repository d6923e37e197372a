"""The scorer's rules on small cases: dates across calendars, types, connected resources."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import XSD

from carnets.linking.edition import Connected, EditionEntity, years_of
from carnets.linking.scoring import kind_problem, rank_candidates, score_candidate
from carnets.linking.wikidata import WikidataItem


def _person(birth=None, death=None, **fields) -> EditionEntity:
    return EditionEntity(
        iri="https://w3id.org/carnets/serge/person/x", path="person/x", kind="person",
        label="Jean Dupont", names=[("Jean Dupont", "en")],
        birth=years_of(Literal(birth, datatype=XSD.date)) if birth else None,
        death=years_of(Literal(death, datatype=XSD.date)) if death else None, **fields,
    )  # fmt: skip


def _human(qid="Q1", born=None, died=None, **claims) -> WikidataItem:
    claims = {"P31": [("Q5", "human")], **claims}
    if born:
        claims["P569"] = [(f"{born}T00:00:00Z", "")]
    if died:
        claims["P570"] = [(f"{died}T00:00:00Z", "")]
    return WikidataItem(qid, labels={"en": ["Jean Dupont"]}, claims=claims)


def _texts(candidate) -> list[str]:
    return [str(e) for e in candidate.evidence]


def test_same_day_a_year_apart_is_a_contradiction():
    scored = score_candidate(_person(death="1944-01-31"), _human(died="1945-01-31"))
    assert "conflict: died 1945; the edition says 1944" in _texts(scored)


def test_a_julian_date_across_new_year_is_close_enough():
    scored = score_candidate(_person(birth="1891-01-02"), _human(born="1890-12-21"))
    assert "+0.05: born 1890; the edition says 1891, 12 days away (calendar or precision)" in (
        _texts(scored)
    )
    assert not scored.conflicts


def test_a_year_precision_value_read_as_first_of_january():
    scored = score_candidate(_person(death="1944-12-30"), _human(died="1945-01-01"))
    assert not scored.conflicts


def test_uncertain_dates_match_their_whole_range():
    entity = _person()
    entity.death = years_of(Literal("1931/1932"))
    assert str(entity.death) == "1931\u20131932"
    scored = score_candidate(entity, _human(died="1932-06-01"))
    assert "+0.20: died 1932, as the edition says" in _texts(scored)


def test_kinds():
    airport = WikidataItem(
        "Q2", claims={"P31": [("Q1248784", "airport")], "P625": [("Point(1 2)", "")]}
    )
    assert kind_problem("person", airport) == "instance of airport, not a human"
    assert kind_problem("place", airport) is None
    assert kind_problem("work", airport) == (
        "instance of airport with coordinates, a place rather than a work"
    )
    song = WikidataItem("Q3", claims={"P31": [("Q7366", "song")]})
    assert kind_problem("event", song) == "instance of song, not an event"
    assert kind_problem("person", WikidataItem("Q4")) is None  # no type: no verdict


def test_a_different_author_rejects_a_work():
    work = EditionEntity(
        iri="w", path="work/w", kind="work", label="Night Flight",
        names=[("Night Flight", "en")],
        connected=[Connected("author", ("Antoine de Saint-Exupéry",), "Q2908")],
    )  # fmt: skip
    other = WikidataItem(
        "Q5", labels={"en": ["Night Flight"]},
        claims={"P31": [("Q7725634", "literary work")], "P50": [("Q9", "Someone Else")]},
    )  # fmt: skip
    scored = score_candidate(work, other)
    assert "conflict: author Someone Else; the edition has Antoine de Saint-Exupéry" in (
        _texts(scored)
    )


def test_only_the_best_uncontradicted_candidate_is_proposed():
    entity = _person(birth="1900-01-01")
    ranked = rank_candidates(
        [
            score_candidate(entity, _human("Q3")),  # name and type: 0.6
            score_candidate(entity, _human("Q2", born="1900-05-05")),  # and the year: 0.75
            score_candidate(entity, _human("Q1", born="1950-05-05")),  # contradicted
        ]
    )
    assert [(c.item.qid, c.status, c.rank) for c in ranked] == [
        ("Q2", "proposed", 1),
        ("Q3", "alternative", 2),
        ("Q1", "rejected", 3),
    ]
