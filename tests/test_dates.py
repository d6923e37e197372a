"""EDTF bounds come from the edtf library, and every stored bound agrees with its EDTF value."""

from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from carnets.build import DATES_FILE, curated_files, generate
from carnets.config import Settings
from carnets.dates import DateError, bounds_graph, disagreements, edtf_bounds
from carnets.loading import EditionFiles, read_graphs
from carnets.namespaces import CN
from carnets.validation import validate

FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "valid" / "base.ttl"

PREFIXES = """@base <https://w3id.org/carnets/serge/> .
@prefix cn: <https://w3id.org/carnets/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix edtf: <http://id.loc.gov/datatypes/edtf/> .
"""


@pytest.mark.parametrize(
    ("value", "earliest", "latest"),
    [
        ("1944-07-31", date(1944, 7, 31), date(1944, 7, 31)),
        ("1912", date(1912, 1, 1), date(1912, 12, 31)),
        ("1913-02", date(1913, 2, 1), date(1913, 2, 28)),
        ("1944-02", date(1944, 2, 1), date(1944, 2, 29)),
        ("[1931,1932]", date(1931, 1, 1), date(1932, 12, 31)),
        ("1936-08/1938-03", date(1936, 8, 1), date(1938, 3, 31)),
        ("1933-03/1936-04", date(1933, 3, 1), date(1936, 4, 30)),
        ("194X", date(1940, 1, 1), date(1949, 12, 31)),
        # a qualifier stays in the string; the bounds are those of the date as written
        ("1944?", date(1944, 1, 1), date(1944, 12, 31)),
    ],
)
def test_bounds_are_the_first_and_last_day_the_date_allows(value, earliest, latest):
    bounds = edtf_bounds(value)
    assert (bounds.earliest, bounds.latest) == (earliest, latest)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1944-13", "is not an EDTF date"),
        ("31/07/1944", "is not an EDTF date"),
        ("1944/..", "open or unknown end"),
        ("1944/", "open or unknown end"),
        ("../1944", "open or unknown end"),
    ],
)
def test_a_value_without_days_for_bounds_is_refused(value, reason):
    with pytest.raises(DateError, match=reason):
        edtf_bounds(value)


def test_the_curated_files_type_no_bound_by_hand(shipped: Settings):
    curated = read_graphs(curated_files(shipped))
    assert set(curated.subject_objects(CN.edtf))
    assert list(curated.triples((None, CN.earliestDate, None))) == []
    assert list(curated.triples((None, CN.latestDate, None))) == []


def test_every_edtf_value_of_the_edition_has_its_computed_bounds(shipped: Settings):
    files = EditionFiles.find(shipped)
    edition = read_graphs(files.edition + files.links)
    assert disagreements(edition) == []
    for subject, value in edition.subject_objects(CN.edtf):
        bounds = edtf_bounds(str(value))
        assert edition.value(subject, CN.earliestDate).toPython() == bounds.earliest
        assert edition.value(subject, CN.latestDate).toPython() == bounds.latest


def test_the_build_writes_the_bounds_of_every_edtf_value(shipped: Settings):
    dates = generate(shipped)[DATES_FILE]
    curated = read_graphs(curated_files(shipped))
    assert set(dates.subjects(CN.earliestDate)) == set(curated.subjects(CN.edtf))
    sentence = URIRef(shipped.base + "event/serge-sentenced-1912")
    assert dates.value(sentence, CN.earliestDate) == Literal(date(1913, 2, 27))


def test_a_bound_that_contradicts_its_edtf_value_is_named():
    graph = Graph().parse(
        data=PREFIXES
        + """<event/moscow-trials> cn:edtf "1936-08/1938-03"^^edtf:EDTF ;
            cn:earliestDate "1936-08-01"^^xsd:date ; cn:latestDate "1938-03-01"^^xsd:date .""",
        format="turtle",
    )
    (found,) = disagreements(graph)
    assert found.path == CN.latestDate
    assert 'the EDTF date "1936-08/1938-03" ends on 1938-03-31' in found.message
    # the bounds the build would write are the right ones
    computed = bounds_graph(graph)
    assert computed.value(found.subject, CN.latestDate) == Literal(date(1938, 3, 31))


def test_an_edtf_literal_that_does_not_parse_is_named_wherever_it_is():
    graph = Graph().parse(
        data=PREFIXES + '<claim/event/x/date/y> cn:claimedValue "1912-1913"^^edtf:EDTF .',
        format="turtle",
    )
    (found,) = disagreements(graph)
    assert found.path == CN.claimedValue
    assert "is not an EDTF date" in found.message


def test_validation_refuses_a_hand_typed_bound_that_disagrees(shipped: Settings, tmp_path: Path):
    sample = tmp_path / "wrong-bound.ttl"
    sample.write_text(
        PREFIXES
        + """<event/moscow-trials> a cn:Event , schema:Event ; skos:prefLabel "Moscow Trials"@en ;
            cn:edtf "1936-08/1938-03"^^edtf:EDTF ;
            cn:earliestDate "1936-01-01"^^xsd:date ; cn:latestDate "1938-03-31"^^xsd:date ;
            dcterms:source <https://example.org/trials> .""",
        "utf-8",
    )
    report = validate(shipped, extra=[BASE, sample])
    assert not report.conforms
    (problem,) = report.problems
    assert problem.focus == "<https://w3id.org/carnets/serge/event/moscow-trials>"
    assert problem.path == "cn:earliestDate"
    assert 'the EDTF date "1936-08/1938-03" begins on 1936-08-01' in problem.message
    assert "cn:earliestDate: the EDTF date" in report.text()


def test_validation_accepts_bounds_that_agree(shipped: Settings, tmp_path: Path):
    sample = tmp_path / "right-bound.ttl"
    sample.write_text(
        PREFIXES
        + """<event/moscow-trials> a cn:Event , schema:Event ; skos:prefLabel "Moscow Trials"@en ;
            cn:edtf "1936-08/1938-03"^^edtf:EDTF ;
            cn:earliestDate "1936-08-01"^^xsd:date ; cn:latestDate "1938-03-31"^^xsd:date ;
            dcterms:source <https://example.org/trials> .""",
        "utf-8",
    )
    report = validate(shipped, extra=[BASE, sample])
    assert report.conforms, report.text()
