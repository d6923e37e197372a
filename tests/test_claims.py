"""Claims keep values that sources disagree on: the shapes refuse a claim that loses track of
its resource, its property, its one value or its source."""

from pathlib import Path

import pytest

from carnets.config import Settings
from carnets.validation import validate

BASE = Path(__file__).parent / "fixtures" / "valid" / "base.ttl"

PREFIXES = """@base <https://w3id.org/carnets/serge/> .
@prefix cn: <https://w3id.org/carnets/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

GOOD = """<claim/person/max-jacob/birth-date/1876-07-12> a cn:Claim ;
    cn:claimAbout <person/max-jacob> ;
    cn:claimedProperty schema:birthDate ; cn:claimedValue "1876-07-12"^^xsd:date ;
    dcterms:source <https://www.theparisreview.org/blog/?p=148360> .
<claim/person/max-jacob/birth-date/1876-07-11> a cn:Claim ;
    cn:claimAbout <person/max-jacob> ;
    cn:claimedProperty schema:birthDate ; cn:claimedValue "1876-07-11"^^xsd:date ;
    dcterms:source <https://example.org/another-reference> .
<claim/death/max-jacob/place/drancy> a cn:Claim ;
    cn:claimAbout <death/max-jacob> ;
    cn:claimedProperty schema:location ; cn:claimedResource <place/drancy> ;
    dcterms:source <https://www.theparisreview.org/blog/?p=148360> .
"""


def check(settings: Settings, tmp_path: Path, turtle: str):
    sample = tmp_path / "claims.ttl"
    sample.write_text(PREFIXES + turtle, "utf-8")
    return validate(settings, extra=[BASE, sample])


def test_claims_of_two_values_with_their_sources_conform(shipped: Settings, tmp_path: Path):
    report = check(shipped, tmp_path, GOOD)
    assert report.conforms, report.text()


@pytest.mark.parametrize(
    ("turtle", "expected"),
    [
        (
            """<claim/person/max-jacob/birth-date/1876-07-11> a cn:Claim ;
                cn:claimAbout <person/max-jacob> ; cn:claimedProperty schema:birthDate ;
                cn:claimedValue "1876-07-11"^^xsd:date .""",
            "a claim cites the source that gives its value",
        ),
        (
            """<claim/person/max-jacob/birth-date/1876> a cn:Claim ;
                cn:claimAbout <person/max-jacob> ; cn:claimedProperty schema:birthDate ;
                cn:claimedValue "1876"^^xsd:gYear ; cn:claimedResource <place/drancy> ;
                dcterms:source <https://example.org/x> .""",
            "a claim gives exactly one value",
        ),
        (
            """<claim/person/max-jacob/birth-date/1876> a cn:Claim ;
                cn:claimAbout <person/max-jacob> ; cn:claimedValue "1876"^^xsd:gYear ;
                dcterms:source <https://example.org/x> .""",
            "a claim names exactly one property",
        ),
        (
            """<claim/person/victor-serge/birth-date/1876> a cn:Claim ;
                cn:claimAbout <person/max-jacob> ; cn:claimedProperty schema:birthDate ;
                cn:claimedValue "1876"^^xsd:gYear ; dcterms:source <https://example.org/x> .""",
            "its URI must start with claim/person/max-jacob/",
        ),
        (
            """<claims/max-jacob> a cn:Claim ;
                cn:claimAbout <person/max-jacob> ; cn:claimedProperty schema:birthDate ;
                cn:claimedValue "1876"^^xsd:gYear ; dcterms:source <https://example.org/x> .""",
            "a claim's URI is claim/{kind}/{slug}/{property}/{value}",
        ),
    ],
    ids=["without-source", "two-values", "without-property", "uri-not-its-subject", "bad-uri"],
)
def test_a_broken_claim_is_refused_with_its_message(
    shipped: Settings, tmp_path: Path, turtle: str, expected: str
):
    report = check(shipped, tmp_path, turtle)
    assert not report.conforms
    assert any(expected in p.message for p in report.problems), report.text()
