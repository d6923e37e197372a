"""The command line as a person uses it: exit codes and readable output, never a traceback."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from carnets.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), env={"CARNETS_ROOT": ""}, catch_exceptions=False)

    return invoke


def test_validate_passes_on_the_shipped_edition(run):
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("valid: ")


def test_validate_fails_clearly_on_a_broken_sample(run):
    sample = FIXTURES / "invalid" / "death-without-source.ttl"
    result = run("validate", str(FIXTURES / "valid" / "base.ttl"), str(sample))
    assert result.exit_code == 1
    assert "<https://w3id.org/carnets/serge/death/boris-pasternak>" in result.output
    assert "a death as the record has it needs its source" in result.output
    assert "Traceback" not in result.output


def test_malformed_turtle_names_the_file_and_line(run):
    bad = FIXTURES / "malformed" / "unterminated-string.ttl"
    result = run("validate", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:4:" in result.output
    assert "newline found in string literal" in result.output
    assert "Traceback" not in result.output


def test_a_missing_file_is_an_error_not_a_traceback(run, tmp_path):
    result = run("validate", str(tmp_path / "nope.ttl"))
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_stats_counts_classes_mentions_links_and_backlog(run):
    result = run("stats")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  Entry                      5" in lines
    assert "  DeathReport               12" in lines
    assert any(line.startswith("mentions: ") for line in lines)
    assert "links to Wikidata: 52" in lines
    assert any(line.startswith("linking backlog") for line in lines)
    assert any("person/leon-dennen" in line for line in lines)


def test_build_check_reports_nothing_to_do(run):
    result = run("build", "--check")
    assert result.exit_code == 0, result.output
    assert result.output == ""
