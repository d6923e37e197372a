"""The ontology's namespace, the reused vocabularies, and the edition's URI patterns."""

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

ONTOLOGY_IRI = "https://w3id.org/carnets/ontology"

CN = Namespace(ONTOLOGY_IRI + "#")
MANNER = Namespace(ONTOLOGY_IRI + "/manner/")
CERTAINTY = Namespace(ONTOLOGY_IRI + "/certainty/")
RELATION = Namespace(ONTOLOGY_IRI + "/relation/")
KIND = Namespace(ONTOLOGY_IRI + "/event-kind/")
SCHEMA = Namespace("https://schema.org/")
CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
OA = Namespace("http://www.w3.org/ns/oa#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
WD = Namespace("http://www.wikidata.org/entity/")
EDTF = URIRef("http://id.loc.gov/datatypes/edtf/EDTF")

PREFIXES: dict[str, Namespace] = {
    "cn": CN,
    "manner": MANNER,
    "certainty": CERTAINTY,
    "relation": RELATION,
    "kind": KIND,
    "schema": SCHEMA,
    "crm": CRM,
    "oa": OA,
    "prov": PROV,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "foaf": FOAF,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "void": VOID,
    "dcat": DCAT,
    "sd": SD,
    "wd": WD,
}

# Named graphs: the default graph served is their union.
GRAPH_ONTOLOGY = "graph/ontology"
GRAPH_EDITION = "graph/edition"
GRAPH_LINKS = "graph/links"
EDITION_GRAPHS = (GRAPH_EDITION, GRAPH_LINKS, GRAPH_ONTOLOGY)  # every graph a release has


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes so that serialized Turtle reads the same everywhere."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
