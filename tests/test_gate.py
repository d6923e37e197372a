"""The gate as the project uses it: the default engine, pySHACL when it cannot compile the
shapes, changes checked against a snapshot of the edition, and the EDTF fast path."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from carnets.cli import cli
from carnets.config import Settings
from carnets.dates import DateError, _library_bounds, fast_bounds
from carnets.export import prepare_release
from carnets.gate import Unsupported
from carnets.gate.shapes import check_pattern
from carnets.gate.snapshot import fingerprint, folder
from carnets.loading import EditionFiles, read_graph, read_graphs
from carnets.namespaces import SCHEMA
from carnets.validation import record_change, validate, validate_change

ROOT = Path(__file__).parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def edition(tmp_path: Path) -> Settings:
    """A copy of the shipped edition that a test may change."""
    for part in ("ontology", "data", "shapes"):
        shutil.copytree(ROOT / part, tmp_path / part)
    shutil.copy(ROOT / "edition.toml", tmp_path)
    return Settings.from_env({}, root=tmp_path)


def test_shapes_the_gate_cannot_compile_are_judged_by_pyshacl(edition: Settings):
    shapes = edition.shapes_dir / "carnets.ttl"
    shapes.write_text(
        shapes.read_text("utf-8")
        + "\ncnsh:ClosedWork a sh:NodeShape ; sh:targetClass cn:Work ; sh:closed false .\n",
        "utf-8",
    )
    report = validate(edition)
    assert report.engine == "pyshacl"
    assert "sh:closed" in report.note
    assert report.conforms, report.text()


def test_the_command_can_ask_for_the_reference_engine():
    runner = CliRunner()
    args = [
        str(FIXTURES / "valid" / "base.ttl"),
        str(FIXTURES / "invalid" / "entry-without-date.ttl"),
    ]
    gate = runner.invoke(cli, ["validate", *args], env={"CARNETS_ROOT": ""})
    reference = runner.invoke(cli, ["validate", "--reference", *args], env={"CARNETS_ROOT": ""})
    assert gate.exit_code == reference.exit_code == 1
    assert gate.output == reference.output


def test_the_publisher_still_validates_before_building(edition: Settings, tmp_path: Path):
    (edition.data_dir / "bad.ttl").write_text(
        (FIXTURES / "invalid" / "entry-without-date.ttl").read_text("utf-8"), "utf-8"
    )
    from carnets.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as failed:
        prepare_release(edition, root=tmp_path / "releases")
    assert "<https://w3id.org/carnets/serge/entry/1944-09-10>" in failed.value.report.text()


def test_a_change_is_checked_against_a_snapshot_that_follows_the_files(edition: Settings):
    report = validate_change(edition, read_graph(FIXTURES / "invalid" / "entry-bad-uri.ttl"))
    assert not report.conforms
    assert "an entry's URI is entry/{YYYY-MM-DD}" in report.text()
    snapshots = list(folder(edition).iterdir())
    assert [p.name for p in snapshots] == [fingerprint(EditionFiles.find(edition))]

    entry = URIRef(edition.base + "entry/1944-08-10")
    rights = next(
        read_graph(edition.data_dir / "texts.ttl").objects(
            entry, URIRef("http://purl.org/dc/terms/rights")
        )
    )
    new_label = (
        entry,
        URIRef("http://www.w3.org/2004/02/skos/core#altLabel"),
        Literal("Paris", lang="en"),
    )
    assert validate_change(edition, [new_label]).conforms
    with (edition.data_dir / "edition.ttl").open("a", encoding="utf-8") as handle:
        handle.write(f'\n<{entry}> <{new_label[1]}> "Paris"@en .\n')
    record_change(edition, [new_label])
    assert [p.name for p in folder(edition).iterdir()] == [fingerprint(EditionFiles.find(edition))]

    removal = validate_change(
        edition, [], [(entry, URIRef("http://purl.org/dc/terms/rights"), rights)]
    )
    assert not removal.conforms
    assert "an entry must state the rights of its translated text" in removal.text()
    assert (entry, SCHEMA.text, None) is not None


def test_a_change_leaves_the_data_files_alone(edition: Settings):
    before = {p.name: p.read_bytes() for p in edition.data_dir.glob("*.ttl")}
    validate_change(edition, read_graph(FIXTURES / "invalid" / "mention-quote-differs.ttl"))
    assert {p.name: p.read_bytes() for p in edition.data_dir.glob("*.ttl")} == before


@pytest.mark.parametrize(
    "pattern",
    ["\\d+", "(?i)abc", "[a[b]]", "a\\wb", "(?=x)"],
)
def test_patterns_read_differently_by_python_and_sparql_are_refused(pattern: str):
    with pytest.raises(Unsupported):
        check_pattern(Literal(pattern))


def test_the_shipped_patterns_are_compiled():
    for pattern in ("/entry/[0-9]{4}-[0-9]{2}-[0-9]{2}(-[0-9]+)?$", "^[0-9X?~%\\[\\]{},./-]+$"):
        check_pattern(Literal(pattern))


def _dates(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    found = [
        "1944",
        "1944-02",
        "1900-02",
        "2000-02-29",
        "1944-02-30",
        "1936-08/1938-03",
        "1945/1944",
    ]
    for _ in range(count):
        year, month, day = rng.randint(1000, 9999), rng.randint(1, 12), rng.randint(1, 31)
        one = rng.choice([f"{year}", f"{year}-{month:02d}", f"{year}-{month:02d}-{day:02d}"])
        if rng.random() < 0.4:
            later = year + rng.randint(-2, 40)
            one += "/" + rng.choice([f"{later}", f"{later}-{rng.randint(1, 12):02d}"])
        found.append(one)
    return found


def test_the_edtf_fast_path_gives_the_edtf_librarys_bounds():
    checked = 0
    for value in _dates(1944, 300):
        fast = fast_bounds(value)
        if fast is None:  # left to the library
            continue
        checked += 1
        try:
            assert fast == _library_bounds(value), value
        except DateError:
            pytest.fail(f"{value}: the library refuses what the fast path accepts")
    assert checked > 250


def test_every_shipped_constraint_is_followed_by_the_change_analysis(shipped: Settings):
    """A query the analysis cannot read sends its shape to full validation on every change:
    correct, but slow on a big edition. The shipped shapes have none."""
    from carnets.gate import Gate

    files = EditionFiles.find(shipped)
    shapes = read_graphs(files.shapes)
    gate = Gate.load(files.ontology, shapes)
    dependencies = gate.dependencies()
    assert not [s.node for s, d in dependencies.items() if d.always or None in d.sparql]
    constraints = set(shapes.objects(None, URIRef("http://www.w3.org/ns/shacl#sparql")))
    assert sum(len(d.sparql) for d in dependencies.values()) == len(constraints) > 10
