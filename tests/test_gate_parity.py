"""The gate gives pySHACL's verdicts: the same problems (focus node, path, value, message,
severity, shape) on every broken sample, whether it validates the whole graph or only what a
change touches. pySHACL stays the reference: these tests run it beside the gate.

Blank nodes are compared as blank nodes: their labels differ from one parse to the next
(pySHACL's own report names a property shape's inverse path by a fresh label every run).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from carnets.config import Settings
from carnets.gate import Gate
from carnets.gate.terms import to_ox
from carnets.loading import EditionFiles, read_graph, read_graphs
from carnets.namespaces import CN, OA, SCHEMA
from carnets.validation import ValidationReport, gate_report, validate, validate_graph

FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "valid" / "base.ttl"
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
BNODE = re.compile(r"_:\w+")


def verdict(report: ValidationReport) -> tuple:
    problems = sorted(
        tuple(
            BNODE.sub("_:b", text)
            for text in (p.focus, p.path, p.value, p.message, p.severity, p.shape)
        )
        for p in report.problems
    )
    return report.conforms, problems


@pytest.fixture(scope="module")
def references(shipped: Settings) -> dict[str, ValidationReport]:
    """pySHACL's report on the base sample with each broken sample, computed once."""
    return {
        sample.stem: validate(shipped, extra=[BASE, sample], reference=True) for sample in INVALID
    }


@pytest.fixture(scope="module")
def base_gate(shipped: Settings) -> Gate:
    """The ontology and the base sample in the gate, for changes on top of them."""
    files = EditionFiles.find(shipped)
    return Gate.load((*files.ontology, BASE), read_graphs(files.shapes))


def test_the_gate_judges_by_default_and_the_shipped_edition_conforms_for_both(shipped: Settings):
    gate, reference = validate(shipped), validate(shipped, reference=True)
    assert (gate.engine, reference.engine) == ("gate", "pyshacl")
    assert gate.conforms and reference.conforms
    assert gate.text() == reference.text()


@pytest.mark.parametrize("sample", INVALID, ids=[p.stem for p in INVALID])
def test_the_gate_gives_pyshacls_problems(shipped: Settings, references, sample: Path):
    reference = references[sample.stem]
    report = validate(shipped, extra=[BASE, sample])
    assert report.engine == "gate"
    assert verdict(report) == verdict(reference)
    assert BNODE.sub("_:b", report.text()) == BNODE.sub("_:b", reference.text())


@pytest.mark.parametrize("sample", INVALID, ids=[p.stem for p in INVALID])
def test_a_change_is_judged_as_the_whole_graph_would_be(references, base_gate: Gate, sample: Path):
    """Each broken sample as a change to the base sample: only what it touches is validated."""
    triples_before = len(base_gate.store)
    report = gate_report(base_gate, base_gate.check_change(read_graph(sample)))
    assert verdict(report) == verdict(references[sample.stem])
    assert len(base_gate.store) == triples_before  # the check leaves the store as it was


def _removals() -> dict[str, list[tuple]]:
    base = "https://w3id.org/carnets/serge/"
    victor, death = URIRef(base + "person/victor-serge"), URIRef(base + "death/max-jacob")
    link = URIRef(base + "link/person/max-jacob")
    return {
        "a link record": [(link, CN.linkSubject, None)],
        "a person's second type": [(victor, RDF.type, SCHEMA.Person)],
        "a death's source": [(death, URIRef("http://purl.org/dc/terms/source"), None)],
        "an entry's text": [
            (URIRef("https://w3id.org/carnets/serge/entry/1944-08-10"), SCHEMA.text, None)
        ],
        "a class's alignment": [(CN.Mention, RDFS.subClassOf, None)],
    }


@pytest.mark.parametrize("name", list(_removals()))
def test_a_removal_is_judged_as_the_whole_graph_would_be(
    shipped: Settings, base_gate: Gate, name: str
):
    files = EditionFiles.find(shipped)
    data = read_graphs((*files.ontology, BASE))
    removed = [t for pattern in _removals()[name] for t in data.triples(pattern)]
    assert removed, name
    for triple in removed:
        data.remove(triple)
    reference = validate_graph(data, read_graphs(files.shapes))
    report = gate_report(base_gate, base_gate.check_change([], removed))
    assert not reference.conforms
    assert verdict(report) == verdict(reference)


def _mutations(seed: int, base: Graph) -> Graph:
    """A few random edits of the named resources: removed, retyped or extra values."""
    rng = random.Random(seed)
    triples = sorted(
        (t for t in base if isinstance(t[0], URIRef)), key=lambda t: [x.n3() for x in t]
    )
    mutated = Graph()
    for triple in base:
        mutated.add(triple)
    extras = [Literal("x"), Literal(7), Literal("1944-02-30", datatype=XSD.date), Literal("-1")]
    extras += [URIRef("https://example.org/thing"), OA.Annotation, Literal("a\n", lang="en")]
    for _ in range(rng.randint(1, 3)):
        s, p, o = rng.choice(triples)
        kind = rng.randrange(5)
        if kind <= 1:
            mutated.remove((s, p, o))
        elif kind == 2 and isinstance(o, Literal) and o.language:
            mutated.remove((s, p, o))
            mutated.add((s, p, Literal(str(o))))
        elif kind == 3:
            mutated.add((s, p, rng.choice(extras)))
        else:
            mutated.add((s, p, rng.choice(triples)[0]))
    return mutated


@pytest.mark.parametrize("seed", range(12))
def test_random_edits_get_pyshacls_verdict(shipped: Settings, seed: int):
    files = EditionFiles.find(shipped)
    shapes = read_graphs(files.shapes)
    base = read_graphs((*files.ontology, BASE))
    data = _mutations(seed, base)
    data.namespace_manager = base.namespace_manager
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in data)
    gate = Gate(store, shapes, data)
    assert verdict(gate_report(gate, gate.run())) == verdict(validate_graph(data, shapes))
