"""The shapes accept the shipped edition and refuse every broken sample with its message."""

from pathlib import Path

import pytest

from carnets.config import Settings
from carnets.validation import validate

FIXTURES = Path(__file__).parent / "fixtures"

BASE = FIXTURES / "valid" / "base.ttl"
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))


def header(path: Path, key: str) -> str:
    for line in path.read_text("utf-8").splitlines():
        if line.startswith(f"# {key}: "):
            return line.removeprefix(f"# {key}: ")
    raise AssertionError(f"{path.name} has no '# {key}:' line")


def test_the_shipped_edition_conforms(shipped: Settings):
    report = validate(shipped)
    assert report.conforms, report.text()
    assert report.problems == []
    assert report.text().startswith("valid: ")


def test_the_base_sample_conforms(shipped: Settings):
    report = validate(shipped, extra=[BASE])
    assert report.conforms, report.text()


@pytest.mark.parametrize("sample", INVALID, ids=[p.stem for p in INVALID])
def test_a_broken_sample_is_refused_with_its_message(shipped: Settings, sample: Path):
    report = validate(shipped, extra=[BASE, sample])
    assert not report.conforms
    expected = header(sample, "expect")
    messages = [p.message for p in report.problems]
    assert any(expected in message for message in messages), (expected, messages)
    assert expected in report.text()


def test_every_rule_has_a_sample():
    rules = [header(p, "rule") for p in INVALID]
    assert len(rules) == len(set(rules)) >= 30


def test_the_report_groups_problems_by_resource(shipped: Settings):
    sample = FIXTURES / "invalid" / "person-birth-date-not-a-date.ttl"
    report = validate(shipped, extra=[BASE, sample])
    grouped = report.by_resource()
    assert list(grouped) == ["<https://w3id.org/carnets/serge/person/boris-pasternak>"]
    text = report.text()
    assert text.splitlines()[0] == "invalid: 1 problems in 1 resources"
    assert "schema:birthDate: a birth date is one xsd:date" in text
