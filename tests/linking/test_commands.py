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
    assert "13 proposed, 0 alternatives, 14 rejected, 1 without a proposal" in result.output
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
