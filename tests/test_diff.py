"""`carnets diff`: changes per resource in words, and an RDF Patch that turns OLD into NEW."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from releasing import SMALL, TESTVILLE, copy_edition, release_twice

from carnets.cli import cli
from carnets.diff import Snapshot, compare

BASE = "https://w3id.org/carnets/serge/"
PREFIXES = """@base <https://w3id.org/carnets/serge/> .
@prefix : <https://w3id.org/carnets/serge/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
"""


def snapshot(name: str, turtle: str) -> Snapshot:
    """A snapshot from Turtle, in one named graph, blank-node labels as the parser makes them."""
    graph = ox.NamedNode(BASE + "graph/edition")
    triples = ox.parse((PREFIXES + turtle).encode(), ox.RdfFormat.TURTLE)
    return Snapshot.of(name, [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples])


def apply(patch: bytes, quads: list[ox.Quad]) -> set[ox.Quad]:
    """Replay an RDF Patch on quads (what a patch log consumer does), checking its shape."""
    rows = patch.decode().splitlines()
    assert rows[0] == "TX ." and rows[-1] == "TC ."
    result = set(quads)
    for row in rows[1:-1]:
        letter, quad = row[0], row[2:]
        [parsed] = ox.parse(quad.encode(), ox.RdfFormat.N_QUADS)
        if letter == "D":
            assert parsed in result, row
            result.remove(parsed)
        else:
            assert letter == "A", row
            result.add(parsed)
    return result


def canonical(quads) -> ox.Dataset:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def test_labels_types_and_values_in_words():
    old = snapshot(
        "release 1",
        """<person/a> a <https://w3id.org/carnets/ontology#Person> ; skos:prefLabel "Anna"@en ;
               schema:knows <person/b> .
           <person/b> skos:prefLabel "Boris"@en , "Борис"@ru .
           <place/x> skos:prefLabel "Gone Town"@en .""",
    )
    new = snapshot(
        "release 2",
        """<person/a> a <https://w3id.org/carnets/ontology#Person> ; skos:prefLabel "Anna K."@en ;
               schema:knows <person/b> , <person/c> .
           <person/b> skos:prefLabel "Boris"@en , "Борис"@ru .
           <person/c> skos:prefLabel "Clara"@en .""",
    )
    diff = compare(old, new, BASE)
    assert diff.counts == {"added": 1, "removed": 1, "changed": 1}
    words = diff.words()
    assert "## From release 1 to release 2" in words
    assert "- Clara — person/c" in words.split("### Added")[1]
    assert "- Gone Town — place/x" in words.split("### Removed")[1]
    changed = words.split("### Changed")[1]
    assert "- Anna K. — person/a, cn:Person" in changed
    assert "preferred label: “Anna” (en) → “Anna K.” (en)" in changed
    assert "schema:knows: added Clara (person/c)" in changed
    assert "Boris" not in changed  # unchanged resources are not mentioned
    assert canonical(apply(diff.patch(), old.quads())) == canonical(new.quads())


def test_a_long_text_shows_only_what_changed():
    text = "News of Max Jacob: tortured and murdered by the Germans. " * 5
    old = snapshot("a", f'<entry/1> schema:text "{text}"@en .')
    new = snapshot("b", f'<entry/1> schema:text "{text.replace("murdered", "killed", 1)}"@en .')
    [line] = [
        line for line in compare(old, new, BASE).words().splitlines() if line.startswith("  - ")
    ]
    assert "[murdered]" in line and "[killed]" in line
    assert len(line) < 200


def test_blank_nodes_are_compared_by_their_content_not_their_labels():
    union = """<https://w3id.org/carnets/ontology#evidence> rdfs:domain
                   [ owl:unionOf ( :A :B ) ] ."""
    old = snapshot("a", union)
    renamed = snapshot("b", union)  # the parser gives the blank nodes other labels
    assert {q.subject for q in old.quads()} != {q.subject for q in renamed.quads()}
    same = compare(old, renamed, BASE)
    assert same.summary() == "no changes" and same.patch() == b"TX .\nTC .\n"

    wider = snapshot(
        "c",
        """<https://w3id.org/carnets/ontology#evidence> rdfs:domain
               [ owl:unionOf ( :A :B :C ) ] .""",
    )
    diff = compare(old, wider, BASE)
    assert "rdfs:domain: [owl:unionOf: (A, B)] → [owl:unionOf: (A, B, C)]" in diff.words()
    result = apply(diff.patch(), old.quads())
    assert canonical(result) == canonical(wider.quads())


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory):
    settings = copy_edition(SMALL, tmp_path_factory.mktemp("small"))
    first, second = release_twice(settings)
    return settings, first.release, second.release


def test_the_command_takes_versions_or_folders(two_releases):
    settings, first, second = two_releases
    runner = CliRunner()
    words = runner.invoke(cli, ["--root", str(settings.root), "diff", "1", str(second.path)])
    assert words.exit_code == 0, words.output
    assert "# From release 1 to release 2" in words.output
    assert "Testville — place/testville" in words.output
    assert "“Drancy” (en) → “Drancy (Seine)” (en)" in words.output
    patch = runner.invoke(
        cli, ["--root", str(settings.root), "diff", str(first.path), "2", "--format", "patch"]
    )
    assert patch.exit_code == 0, patch.output
    assert patch.output == (second.path / "changes.rdfp").read_text()
    assert f"D <{TESTVILLE}> " in patch.output
    replayed = apply(patch.output.encode(), first.snapshot().quads())
    assert canonical(replayed) == canonical(second.snapshot().quads())
    backwards = runner.invoke(cli, ["--root", str(settings.root), "diff", "2", "1"])
    assert "## Added (1)" in backwards.output and "Testville" in backwards.output
    missing = runner.invoke(cli, ["--root", str(settings.root), "diff", "1", "7"])
    assert missing.exit_code == 2 and "neither a release" in missing.output
