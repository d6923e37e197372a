"""The linker on the fixture edition against the local Wikidata-shaped endpoint.

The two tables below are the ground truth of the fixture: the item each unlinked resource
should get, and the namesakes that share a name with it. The issue's numbers (true links
proposed first, namesakes rejected) are what these tests assert.
"""

from __future__ import annotations

import pytest

from carnets.linking.linker import find_candidates, read_entities, unlinked

TRUE_ITEMS = {
    "person/max-jacob": "Q99000001",
    "person/antoine-de-saint-exupery": "Q2908",
    "person/osip-mandelstam": "Q189950",
    "person/mikhail-zoshchenko": "Q360507",  # found through its Russian label only
    "person/boris-pasternak": "Q41223",
    "person/benjamin-cremieux": "Q99000002",  # found through its French label only
    "person/aristide-maillol": "Q153920",
    "work/night-flight": "Q99000201",
    "work/time-magazine": "Q43297",
    "place/drancy": "Q99000301",
    "place/black-sea": "Q166",
    "place/istanbul": "Q406",
    "place/saint-petersburg": "Q656",
}
NAMESAKES = {
    "person/max-jacob": {"Q99001001"},  # a puppeteer, 1888-1967
    "person/antoine-de-saint-exupery": {"Q99001002", "Q99001003"},  # a school, an asteroid
    "person/osip-mandelstam": {"Q99001004"},  # a physicist, 1879-1944
    "person/boris-pasternak": {"Q99001005", "Q99001006"},  # a footballer, a family name
    "person/aristide-maillol": {"Q99001007"},  # a museum
    "work/night-flight": {"Q99001201", "Q99001202"},  # a film, an album
    "work/time-magazine": {"Q99001203"},  # a song
    "place/drancy": {"Q99001301"},  # a song
    "place/black-sea": {"Q99001302"},  # an album
    "place/istanbul": {"Q99001303"},  # a song
    "place/saint-petersburg": {"Q99001304"},  # the city in Florida
}


@pytest.fixture
def run(settings, client):
    return find_candidates(unlinked(read_entities(settings)), client)


def _by_path(run):
    return {e.path: run.candidates[e.iri] for e in run.entities}


def test_only_unlinked_resources_are_looked_up(run):
    paths = {e.path for e in run.entities}
    assert "person/herbert-lenhoff" in paths
    assert not paths & {"person/romain-rolland", "person/jean-giraudoux", "place/france"}


def test_every_true_item_is_proposed_first(run):
    candidates = _by_path(run)
    first = {path: cs[0].item.qid for path, cs in candidates.items() if cs}
    proposed = {c.entity.path: c.item.qid for c in run.with_status("proposed")}
    assert {p: first[p] for p in TRUE_ITEMS} == TRUE_ITEMS
    assert proposed == TRUE_ITEMS  # 13 of 13, and nothing else proposed


def test_every_namesake_is_found_and_rejected(run):
    candidates = _by_path(run)
    for path, namesakes in NAMESAKES.items():
        status = {c.item.qid: c.status for c in candidates[path]}
        assert namesakes <= status.keys(), f"{path}: namesake not looked at"
        assert {status[q] for q in namesakes} == {"rejected"}, path
    rejected = {(c.entity.path, c.item.qid) for c in run.with_status("rejected")}
    assert len(rejected) == sum(len(n) for n in NAMESAKES.values()) == 14


def test_a_resource_without_items_stays_in_the_backlog(run):
    assert [e.path for e in run.unmatched()] == ["person/herbert-lenhoff"]


def test_the_evidence_says_why(run):
    candidates = _by_path(run)
    jacob = {c.item.qid: c for c in candidates["person/max-jacob"]}
    right = [str(e) for e in jacob["Q99000001"].evidence]
    assert "+0.25: instance of human (Q5)" in right
    assert "+0.15: born 1876, as the edition says" in right
    assert "+0.10: place of death Drancy, as in the edition" in right
    wrong = [str(e) for e in jacob["Q99001001"].evidence]
    assert "conflict: died 1967; the edition says 1944" in wrong
    florida = next(c for c in candidates["place/saint-petersburg"] if c.item.qid == "Q99001304")
    assert not florida.conflicts  # a real city, but in the wrong country: too little evidence
    assert florida.score < 0.5
    assert "-0.25: country United States; the edition has Soviet Union" in map(
        str, florida.evidence
    )


def test_scores_put_well_attested_items_at_the_top(run):
    candidates = _by_path(run)
    assert candidates["person/max-jacob"][0].score == 1.0
    assert candidates["work/time-magazine"][0].score == 0.6  # a name and a type, nothing more


def test_the_whole_run_costs_few_requests(settings, client, fake_wikidata):
    find_candidates(unlinked(read_entities(settings)), client)
    assert len(fake_wikidata.script.requests) == 2  # one names query, one facts query


def test_kinds_can_be_chosen(settings, client):
    run = find_candidates(unlinked(read_entities(settings), ["place"]), client)
    assert {e.kind for e in run.entities} == {"place"}


# Places sharing a name with two items each (see the "ties" section of the Wikidata fixture).
TIED_PLACES = """\
@prefix cn: <https://w3id.org/carnets/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@base <https://w3id.org/carnets/serge/> .
<place/paris> a cn:Place , schema:Place ; skos:prefLabel "Paris"@en ; rdfs:label "Paris"@en .
<place/valence> a cn:Place , schema:Place ; skos:prefLabel "Valence"@en ;
    rdfs:label "Valence"@en ; schema:containedInPlace <place/france> .
"""


@pytest.fixture
def tied_run(settings, client):
    (settings.data_dir / "tied-places.ttl").write_text(TIED_PLACES, encoding="utf-8")
    return find_candidates(unlinked(read_entities(settings), ["place"]), client)


def test_a_tie_is_never_proposed(tied_run):
    """Paris, France and Paris, Texas have the same evidence when the edition gives no country:
    the QID that sorts first used to be proposed."""
    paris = _by_path(tied_run)["place/paris"]
    assert [(c.item.qid, c.score, c.status) for c in paris] == [
        ("Q90", 0.6, "tied"),  # the better-known item is listed first, but not proposed
        ("Q99001305", 0.6, "tied"),
    ]
    assert "place/paris" in [e.path for e in tied_run.unmatched()]
    notes = [str(e) for e in paris[0].evidence if e.tie]
    assert notes == [
        "tie: scores 0.60, as does Q99001305 (Paris); they differ in: 250 Wikipedia and other "
        "sitelinks, against 40 for Q99001305; country France, against United States for Q99001305"
    ]
    assert paris[0].score == paris[1].score == 0.6  # a note, not evidence: the scores stand


def test_a_tie_that_nothing_separates_says_so(tied_run):
    valence = _by_path(tied_run)["place/valence"]
    assert {c.status for c in valence} == {"tied"}
    assert valence[0].score == 0.75  # the edition's country (France) holds for both
    assert (
        "tie: scores 0.75, as does Q99000303 (Valence); nothing the look-up found tells them apart"
        in [str(e) for e in valence[0].evidence]
    )


def test_ties_leave_the_other_proposals_alone(tied_run):
    proposed = {c.entity.path: c.item.qid for c in tied_run.with_status("proposed")}
    assert proposed == {p: q for p, q in TRUE_ITEMS.items() if p.startswith("place/")}
