"""The ontology and the shapes cover each other: every class minted has a shape, and back."""

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from carnets.config import Settings
from carnets.loading import EditionFiles, read_graphs
from carnets.namespaces import CN, SKOS

SH_TARGET_CLASS = URIRef("http://www.w3.org/ns/shacl#targetClass")


def graphs(settings: Settings) -> tuple[Graph, Graph]:
    files = EditionFiles.find(settings)
    return read_graphs(files.ontology), read_graphs(files.shapes)


def test_every_class_the_data_uses_has_a_node_shape(shipped: Settings):
    ontology, shapes = graphs(shipped)
    targeted = set(shapes.objects(None, SH_TARGET_CLASS))
    used = {
        cls
        for cls in ontology.subjects(RDF.type, OWL.Class)
        if str(cls).startswith(str(CN)) and cls != CN.WikidataCandidate
    }
    # candidates live in the review file, which is never published or validated as data
    assert used - targeted == set()


def test_every_term_is_labelled_in_english_and_french_and_defined(shipped: Settings):
    ontology, _ = graphs(shipped)
    terms = [
        s
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in ontology.subjects(RDF.type, kind)
    ]
    assert len(terms) > 25
    for term in terms:
        languages = {label.language for label in ontology.objects(term, RDFS.label)}
        assert {"en", "fr"} <= languages, term
        assert any(d.language == "en" for d in ontology.objects(term, SKOS.definition)), term


def test_the_ontology_describes_itself(shipped: Settings):
    ontology, _ = graphs(shipped)
    (iri,) = ontology.subjects(RDF.type, OWL.Ontology)
    assert str(iri) == "https://w3id.org/carnets/ontology"
    assert ontology.value(iri, OWL.versionIRI) is not None
    assert str(ontology.value(iri, OWL.versionInfo)) == "0.1.0"
