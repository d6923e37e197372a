"""`carnets link wikidata | accept | check` end to end, as a user runs them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import OWL

from carnets.cli import cli
from carnets.namespaces import WD


@pytest.fixture
def carnets(edition_root, fake_wikidata):
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, ["--root", str(edition_root), "link", *args])

    run.endpoint = ["--endpoint", fake_wikidata.url]
    return run


def test_wikidata_writes_the_review_file(carnets, edition_root):
    result = carnets("wikidata", *carnets.endpoint)
    assert result.exit_code == 0, result.output
    assert "14 resources looked up" in result.output
    assert "13 proposed, 0 tied, 0 alternatives, 14 rejected, 1 without a proposal" in result.output
    assert "person/max-jacob -> Q99000001 Max Jacob (score 1.00)" in result.output
    review = edition_root / "data" / "review" / "wikidata-candidates.ttl"
    assert len(Graph().parse(review)) > 100


def test_wikidata_dry_run_writes_nothing(carnets, edition_root):
    result = carnets("wikidata", *carnets.endpoint, "--dry-run", "--kind", "place")
    assert result.exit_code == 0, result.output
    assert "cn:WikidataCandidate" in result.stdout
    assert "place/istanbul/Q406" in result.stdout
    assert not (edition_root / "data" / "review").exists()


def test_wikidata_reports_an_endpoint_that_keeps_refusing(carnets, fake_wikidata):
    fake_wikidata.script.behaviours = ["429"] * 10
    fake_wikidata.script.retry_after = "0"
    result = carnets("wikidata", *carnets.endpoint, "--attempts", "2")
    assert result.exit_code == 1
    assert "HTTP 429; gave up after 2 attempts" in result.output


def test_accept_then_check(carnets, edition_root):
    assert carnets("wikidata", *carnets.endpoint).exit_code == 0
    dry = carnets("accept", "--id", "person/osip-mandelstam", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "owl:sameAs wd:Q189950" in dry.stdout
    reviewed = edition_root / "data" / "links-reviewed.ttl"
    assert not reviewed.exists()

    done = carnets("accept", "--id", "person/osip-mandelstam", "--id", "place/istanbul")
    assert done.exit_code == 0, done.output
    assert "added 2 links" in done.output
    # accepted links go beside the generated links.ttl, which `carnets build` rewrites
    graph = Graph().parse(reviewed)
    assert (None, OWL.sameAs, WD.Q189950) in graph and (None, OWL.sameAs, WD.Q406) in graph

    again = carnets("accept", "--id", "person/osip-mandelstam")
    assert "already linked to this item" in again.output

    checked = carnets("check", *carnets.endpoint)
    assert checked.exit_code == 1
    assert "8 links checked" in checked.output and "2 disagree" in checked.output
    assert "person/jean-giraudoux -> Q99002001: death year 1945 on Wikidata" in checked.output


def test_accept_without_a_review_file(carnets):
    result = carnets("accept")
    assert result.exit_code == 1
    assert "run `carnets link wikidata` first" in result.output


def test_check_passes_when_every_link_agrees(carnets, edition_root):
    links = edition_root / "data" / "links.ttl"
    text = links.read_text()
    text = text.replace("<person/jean-giraudoux> owl:sameAs wd:Q99002001 .", "")
    text = text.replace("<person/hans-christian-andersen> owl:sameAs wd:Q99002002 .", "")
    start = text.index("<link/person/jean-giraudoux>")
    links.write_text(text[:start])
    result = carnets("check", *carnets.endpoint)
    assert result.exit_code == 0, result.output
    assert "4 links checked" in result.output and "0 disagree" in result.output


def test_a_partial_look_up_keeps_the_other_candidates(carnets, edition_root):
    from carnets.linking.review import read_review

    review = edition_root / "data" / "review" / "wikidata-candidates.ttl"
    assert carnets("wikidata", *carnets.endpoint).exit_code == 0
    before = {(c.subject, c.qid) for c in read_review(review)}
    assert carnets("accept", "--id", "person/max-jacob").exit_code == 0
    assert carnets("wikidata", *carnets.endpoint, "--kind", "place").exit_code == 0
    after = {(c.subject, c.qid) for c in read_review(review)}
    jacob = {pair for pair in before if pair[0].endswith("/person/max-jacob")}
    assert after == before - jacob  # places looked up again, others kept, the linked one gone


def test_wikidata_survives_a_dropped_connection(carnets, fake_wikidata):
    fake_wikidata.script.behaviours = ["drop"]  # then a 1 s back-off (the client tests time it)
    result = carnets("wikidata", *carnets.endpoint, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "13 proposed" in result.output
    assert len(fake_wikidata.script.requests) == 3  # the dropped one, then the 2 look-ups


def test_check_reports_a_connection_that_keeps_breaking(carnets, fake_wikidata):
    fake_wikidata.script.behaviours = ["truncate"] * 2
    result = carnets("check", *carnets.endpoint, "--attempts", "2")
    assert result.exit_code == 1
    assert "answer cut short" in result.output and "gave up after 2 attempts" in result.output
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)


def test_accept_of_a_rejected_candidate_needs_force(carnets, edition_root):
    assert carnets("wikidata", *carnets.endpoint).exit_code == 0
    reviewed = edition_root / "data" / "links-reviewed.ttl"
    refused = carnets("accept", "--id", "person/max-jacob=Q99001001")
    assert refused.exit_code == 1
    assert "rejected" in refused.output and "--force" in refused.output
    assert "conflict: died 1967; the edition says 1944" in refused.output
    assert not reviewed.exists()

    forced = carnets("accept", "--id", "person/max-jacob=Q99001001", "--force")
    assert forced.exit_code == 0, forced.output
    assert "warning: " in forced.stderr and "publishing it because of --force" in forced.stderr
    assert (None, OWL.sameAs, WD.Q99001001) in Graph().parse(reviewed)


def test_wikidata_lists_ties(carnets, edition_root):
    from .test_linker import TIED_PLACES

    (edition_root / "data" / "tied-places.ttl").write_text(TIED_PLACES, encoding="utf-8")
    result = carnets("wikidata", *carnets.endpoint, "--kind", "place")
    assert result.exit_code == 0, result.output
    assert "4 proposed, 4 tied" in result.output
    assert (
        "place/paris: tie at 0.60 between Q90 Paris, Q99001305 Paris; nothing proposed, "
        "choose with --id place/paris=QID" in result.output
    )
