"""`carnets release` on copies of the shipped edition: reproducible to the byte, never from
invalid data, never rewriting a version, and described (VoID/DCAT, checksums, changelog)."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from releasing import SHIPPED, TESTVILLE, copy_edition, release_twice

from carnets.cli import cli
from carnets.errors import ReleaseError, ValidationFailed
from carnets.releases import Shelf, make_release, releases_root

DUMPS = ("carnets.ttl", "carnets.nt", "carnets.jsonld", "carnets.nq")


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """The shipped edition released twice (see tests/releasing.py)."""
    settings = copy_edition(SHIPPED, tmp_path_factory.mktemp("shipped"))
    first, second = release_twice(settings)
    return settings, first.release, second.release


def test_the_same_input_gives_the_same_bytes(tmp_path):
    """Two builds in different folders, each with its own build cache: identical files."""
    folders = []
    for name in ("one", "two"):
        settings = copy_edition(SHIPPED, tmp_path / name)
        outcome = make_release(settings, "1.0", "2026-11-25", environ={})
        assert outcome.created
        folders.append(outcome.release.path)
    one, two = (files_of(folder) for folder in folders)
    assert sorted(one) == sorted(two)
    assert {*DUMPS, *(d + ".gz" for d in DUMPS)} <= set(one)
    assert {"SHA256SUMS", "void.ttl", "CHANGELOG.md", "release.json", "resources.tsv"} <= set(one)
    different = [name for name in one if one[name] != two[name]]
    assert different == []
    # The ontology's blank nodes (OWL unions) carry canonical labels, not random ones.
    assert b"_:c14n0 " in one["carnets.nq"]
    lines = one["carnets.nq"].splitlines()
    assert lines == sorted(lines)


def test_checksums_verify_with_sha256sum_and_gz_files_unpack_to_the_plain_ones(released):
    _, first, second = released
    for release in (first, second):
        check = subprocess.run(
            ["sha256sum", "--check", "--strict", "SHA256SUMS"],
            cwd=release.path,
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stdout + check.stderr
        listed = {line.rsplit(": ", 1)[0] for line in check.stdout.splitlines()}
        assert listed == {p.name for p in release.path.iterdir()} - {"SHA256SUMS"}
        for name in DUMPS:
            packed = (release.path / f"{name}.gz").read_bytes()
            assert gzip.decompress(packed) == (release.path / name).read_bytes()
            assert packed[4:8] == b"\0\0\0\0"  # mtime 0
            assert packed[3] & 0x08 == 0  # no file name in the header


def test_the_dumps_hold_the_same_statements(released):
    _, _, second = released
    quads = set(ox.parse(path=str(second.path / "carnets.nq"), format=ox.RdfFormat.N_QUADS))
    triples = {q.triple for q in quads}
    for name, fmt in (("carnets.nt", ox.RdfFormat.N_TRIPLES), ("carnets.ttl", ox.RdfFormat.TURTLE)):
        assert {q.triple for q in ox.parse(path=str(second.path / name), format=fmt)} == triples
    json_ld = set(ox.parse(path=str(second.path / "carnets.jsonld"), format=ox.RdfFormat.JSON_LD))
    assert len(json_ld) == len(quads)
    assert json.loads((second.path / "release.json").read_text())["quads"] == len(quads)


def test_the_void_describes_the_version_its_files_and_its_predecessor(released):
    settings, first, second = released
    base = settings.base
    store = ox.Store()
    store.load(path=str(second.path / "void.ttl"), format=ox.RdfFormat.TURTLE)
    here = f"{base}releases/2/"
    [row] = store.query(
        f"""PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?version ?info ?issued ?before WHERE {{
          <{here}> a dcat:Dataset ; dcat:version ?version ; owl:versionInfo ?info ;
              dcterms:issued ?issued ; prov:wasDerivedFrom ?before ;
              dcterms:isVersionOf <{base}dataset> }}"""
    )
    assert (row["version"].value, row["info"].value) == ("2", "2")
    assert row["issued"] == ox.Literal(
        "2026-12-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    )
    assert row["before"] == ox.NamedNode(f"{base}releases/1/")
    rows = store.query(
        f"""PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?url ?type ?size ?sum WHERE {{
          <{here}> dcat:distribution ?d . ?d a dcat:Distribution ; dcat:downloadURL ?url ;
            dcat:mediaType ?type ; dcat:byteSize ?size ;
            spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue ?sum ]
        }}"""
    )
    described = {row["url"].value[len(here) :]: row for row in rows}
    assert set(described) == {*DUMPS, *(d + ".gz" for d in DUMPS)}
    for name, row in described.items():
        data = (second.path / name).read_bytes()
        assert int(row["size"].value) == len(data)
        assert row["sum"].value == hashlib.sha256(data).hexdigest()
    assert described["carnets.ttl.gz"]["type"].value.endswith("/text/turtle")
    # The first release has no predecessor.
    first_void = (first.path / "void.ttl").read_text()
    assert "wasDerivedFrom" not in first_void and 'dcat:version "1"' in first_void


def test_the_changelog_and_patch_say_what_changed(released):
    _, first, second = released
    changelog = (second.path / "CHANGELOG.md").read_text()
    assert "# Release 2" in changelog and "Derived from release 1" in changelog
    removed = changelog.split("### Removed")[1].split("###")[0]
    assert "Testville — place/testville" in removed
    assert "preferred label: “Drancy” (en) → “Drancy (Seine)” (en)" in changelog
    patch = (second.path / "changes.rdfp").read_text().splitlines()
    assert patch[0] == "TX ." and patch[-1] == "TC ."
    assert (
        f'D <{TESTVILLE}> <http://www.w3.org/2004/02/skos/core#prefLabel> "Testville"@en'
        in "\n".join(patch)
    )
    assert any(r.startswith("A ") and '"Drancy (Seine)"@en' in r for r in patch)
    assert "The first release" in (first.path / "CHANGELOG.md").read_text()
    assert TESTVILLE + "\tTestville" in (first.path / "resources.tsv").read_text()
    assert TESTVILLE not in (second.path / "resources.tsv").read_text()
    assert [r.version for r in Shelf(first.path.parent).all()] == ["1", "2"]


def test_a_version_never_changes(released, tmp_path):
    settings, _, second = released
    before = files_of(second.path)
    again = make_release(settings, when="2030-01-01", environ={})  # same content: a no-op
    assert not again.created and again.release.version == "2"
    named = make_release(settings, "2", environ={})
    assert not named.created
    settings.data_dir.joinpath("zz-later.ttl").write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<https://w3id.org/carnets/serge/place/paris> skos:altLabel "Lutèce"@fr .\n'
    )
    try:
        with pytest.raises(ReleaseError, match="release 1 exists with other content"):
            make_release(settings, "1", "2027-01-01", environ={})
    finally:
        settings.data_dir.joinpath("zz-later.ttl").unlink()
    assert files_of(second.path) == before
    assert sorted(p.name for p in releases_root(settings).iterdir() if p.name != ".lock") == [
        "1",
        "2",
    ]


def test_invalid_data_never_becomes_a_release(tmp_path):
    settings = copy_edition(SHIPPED, tmp_path / "edition")
    (settings.data_dir / "zz-broken.ttl").write_text(
        "@prefix cn: <https://w3id.org/carnets/ontology#> .\n"
        "<https://w3id.org/carnets/serge/place/Not_A_Slug> a cn:Place .\n"
    )
    with pytest.raises(ValidationFailed):
        make_release(settings, when="2026-11-25", environ={})
    result = CliRunner().invoke(
        cli, ["--root", str(settings.root), "release", "--date", "2026-11-25"]
    )
    assert result.exit_code == 1
    assert "does not validate; no release was made" in result.output
    root = releases_root(settings)
    assert not root.exists() or [p.name for p in root.iterdir() if p.name != ".lock"] == []


def test_version_names_and_dates(tmp_path):
    settings = copy_edition(SHIPPED, tmp_path / "edition")
    with pytest.raises(ReleaseError, match="cannot name a release"):
        make_release(settings, "../x", environ={})
    with pytest.raises(ReleaseError, match="cannot name a release"):
        make_release(settings, "latest", environ={})
    with pytest.raises(ReleaseError, match="not a date"):
        make_release(settings, when="last tuesday", environ={})
    # SOURCE_DATE_EPOCH, the reproducible-builds convention, when no --date is given.
    outcome = make_release(settings, environ={"SOURCE_DATE_EPOCH": "1764547200"})
    assert (outcome.release.version, outcome.release.issued) == ("1", "2025-12-01T00:00:00Z")
    # Without either, the dataset's own dcterms:modified (never the clock).
    assert json.loads((outcome.release.path / "release.json").read_text())["sequence"] == 1


def test_the_date_defaults_to_the_datasets_own(tmp_path):
    settings = copy_edition(SHIPPED, tmp_path / "edition", releases_dir=tmp_path / "published")
    outcome = make_release(settings, environ={})
    assert outcome.release.issued == "2026-11-25"  # dcterms:modified of data/edition.ttl
    assert outcome.release.path == (tmp_path / "published" / "1").resolve()
