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


# Constraint components and targets the edition's shapes do not use (yet): the gate compiles
# them as pySHACL reads them, and these literals test rdflib's reading of values.
OTHER_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:name ; sh:minLength 3 ; sh:maxLength 6 ; sh:uniqueLang true ;
                sh:languageIn ( "en" "fr" ) ] ;
  sh:property [ sh:path ex:size ; sh:maxInclusive 10 ; sh:minExclusive 0 ;
                sh:datatype xsd:integer ] ;
  sh:property [ sh:path ex:part ; sh:nodeKind sh:BlankNodeOrIRI ; sh:class ex:Part , ex:Piece ;
                sh:qualifiedValueShape [ sh:class ex:Part ] ; sh:qualifiedMaxCount 1 ] ;
  sh:property [ sh:path ex:code ; sh:pattern "^[A-Z]+$" ; sh:pattern "^A" ;
                sh:maxCount 2 ; sh:minCount 2 ] ;
  sh:property [ sh:path ex:kind ; sh:hasValue "primary" ] ;
  sh:property [ sh:path ex:note ; sh:severity sh:Warning ; sh:minCount 1 ] ;
  sh:property [ sh:path ex:old ; sh:deactivated true ; sh:minCount 1 ] ;
  sh:not [ sh:class ex:Forbidden ] ;
  sh:and ( [ sh:nodeKind sh:IRI ] [ sh:property [ sh:path ex:code ; sh:minCount 1 ] ] ) .
ex:PartShape a sh:NodeShape ; sh:targetObjectsOf ex:part ;
  sh:node [ sh:property [ sh:path ex:weight ; sh:minCount 1 ; sh:datatype xsd:decimal ] ] ;
  sh:property [ sh:path [ sh:inversePath ex:part ] ; sh:maxCount 1 ] .
ex:SubjectShape a sh:NodeShape ; sh:targetSubjectsOf ex:code ; sh:severity sh:Info ;
  sh:nodeKind sh:IRI ; sh:pattern "thing" .
ex:NodeTarget a sh:NodeShape ; sh:targetNode ex:t1, ex:missing ;
  sh:property [ sh:path ex:size ; sh:minCount 1 ; sh:lessThanOrEquals ex:max ] .
"""

OTHER_DATA = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:t1 a ex:Thing ; ex:name "ab"@en, "abcdefgh"@fr, "abc"@EN, "xyz"@de, "plain" ;
  ex:size 11, 0, "5"^^xsd:decimal, "x" ; ex:max 3, "2"^^xsd:decimal ;
  ex:part ex:p1, ex:p2, "lit", [ a ex:Part ] ; ex:code "ABC", "abc", "B" ;
  ex:kind "primary"@en ; ex:old ex:x .
ex:t2 a ex:Thing, ex:Forbidden ; ex:code "AB", "AC" ; ex:kind "primary" ; ex:note "n" ;
  ex:size "007"^^xsd:integer, "3"^^xsd:integer, "1e2"^^xsd:double .
ex:p1 a ex:Part, ex:Piece ; ex:weight 1.5 .
ex:p2 a ex:Part ; ex:weight "heavy" .
_:b a ex:Thing ; ex:code "AZ", "AY" ; ex:kind "primary" ; ex:part ex:p1 .
"""


def test_components_the_edition_does_not_use_get_pyshacls_verdicts():
    shapes = Graph().parse(data=OTHER_SHAPES, format="turtle")
    data = Graph().parse(data=OTHER_DATA, format="turtle")
    reference = validate_graph(data, shapes)
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in data)
    gate = Gate(store, Graph().parse(data=OTHER_SHAPES, format="turtle"), data)
    assert len(reference.problems) > 40
    assert verdict(gate_report(gate, gate.run())) == verdict(reference)
    # As a change to an empty graph: the change's problems, besides those the empty graph
    # already had (a target node with no values), which a check of a change does not repeat.
    empty = Gate(ox.Store(), Graph().parse(data=OTHER_SHAPES, format="turtle"), data)
    before = set(verdict(gate_report(empty, empty.run()))[1])
    change = set(verdict(gate_report(empty, empty.check_change(data)))[1])
    full = set(verdict(reference)[1])
    assert before and change <= full and full <= change | before
