"""The DCAT side of releases: each release's VoID/DCAT description and the catalog of them all.

A release is a dcat:Dataset of its own, {base}releases/{version}/, a version of the live
{base}dataset: it carries dcat:version and owl:versionInfo, dcterms:issued, prov:wasDerivedFrom
and dcat:previousVersion its predecessor, and one dcat:Distribution per file with the file's media
type, byte size and SHA-256 (spdx:checksum). Blank nodes are avoided and statements sorted, so the
Turtle is the same for the same release.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from carnets.config import Settings
from carnets.conneg import DUMPS

DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
IANA = "https://www.iana.org/assignments/media-types/"


def release_void(
    settings: Settings,
    built,
    version: str,
    issued: str,
    previous: tuple[str, str] | None,
    dumps: dict[str, bytes],
    notes: str,
    changelog: str,
) -> bytes:
    """VoID/DCAT of this version: export's description of the edition, as the versioned dataset.

    export.void_graph describes the live dataset ({base}dataset, its endpoint, /download/);
    here its statements are moved to {base}releases/{version}/, the endpoint and the edition's
    own version number are left out, and the version, date, predecessor and one
    dcat:Distribution per file (media type, size, SHA-256) are added. `previous` is the
    predecessor's (version, IRI); `notes` says what changed since; `changelog` names its file.
    """
    from carnets.export import FORMAT_IRIS, void_graph
    from carnets.namespaces import PREFIXES
    from carnets.store.embedded import EmbeddedStore

    base = settings.base
    moment = datetime.fromisoformat(issued.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    store = EmbeddedStore(built.store_path, base, workers=0)
    try:
        turtle = void_graph(settings, store, [], built.triple_counts, moment)
    finally:
        store.close()
    here = f"{base}releases/{version}/"
    live = base + "dataset"
    endpoint = base + "sparql"
    dropped = {
        "http://rdfs.org/ns/void#sparqlEndpoint",
        "http://www.w3.org/ns/dcat#service",
        "http://www.w3.org/2002/07/owl#versionInfo",
        "https://schema.org/version",
        "http://www.w3.org/ns/dcat#version",
    }

    def moved(term):
        if isinstance(term, ox.NamedNode):
            if term.value == live:
                return ox.NamedNode(here)
            if term.value.startswith(live + "#"):
                return ox.NamedNode(here + term.value[len(live) :])
        return term

    triples: set[ox.Triple] = set()
    for triple in ox.parse(turtle, ox.RdfFormat.TURTLE):
        if triple.subject.value == endpoint:
            continue
        if triple.subject.value == live and triple.predicate.value in dropped:
            continue
        triples.add(ox.Triple(moved(triple.subject), triple.predicate, moved(triple.object)))

    def add(s: str, p: str, o) -> None:
        triples.add(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), o))

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    dcat, prov, void = (
        "http://www.w3.org/ns/dcat#",
        "http://www.w3.org/ns/prov#",
        "http://rdfs.org/ns/void#",
    )
    spdx = "http://spdx.org/rdf/terms#"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    when = ox.Literal(issued, datatype=iri(XSD + ("date" if len(issued) == 10 else "dateTime")))
    add(here, rdf_type, iri(dcat + "Dataset"))
    add(here, rdf_type, iri(prov + "Entity"))
    add(here, dcat + "version", ox.Literal(version))
    add(here, "http://www.w3.org/2002/07/owl#versionInfo", ox.Literal(version))
    add(here, DCTERMS + "issued", when)
    add(here, DCTERMS + "isVersionOf", iri(live))
    add(here, dcat + "isVersionOf", iri(live))
    add(live, dcat + "hasVersion", iri(here))
    add(here, dcat + "landingPage", iri(here))
    add(here, "http://www.w3.org/2000/01/rdf-schema#seeAlso", iri(here + changelog))
    if previous is not None:
        before = iri(previous[1])
        add(here, prov + "wasDerivedFrom", before)
        add(here, dcat + "previousVersion", before)
        add(
            here,
            "http://www.w3.org/ns/adms#versionNotes",
            ox.Literal(f"Since release {previous[0]}: {notes}.", language="en"),
        )
    else:
        add(
            here,
            "http://www.w3.org/ns/adms#versionNotes",
            ox.Literal("The first release.", language="en"),
        )
    for name in sorted(dumps):
        data = dumps[name]
        url = here + name
        packed = name.endswith(".gz")
        plain_type = DUMPS[(name[:-3] if packed else name).rpartition(".")[2]]
        distribution = url + "#distribution"
        checksum = url + "#sha256"
        add(here, void + "dataDump", iri(url))
        add(here, dcat + "distribution", iri(distribution))
        add(distribution, rdf_type, iri(dcat + "Distribution"))
        add(distribution, DCTERMS + "title", ox.Literal(name))
        add(distribution, dcat + "downloadURL", iri(url))
        add(distribution, dcat + "accessURL", iri(here))
        add(distribution, dcat + "mediaType", iri(IANA + plain_type))
        add(distribution, DCTERMS + "format", iri(FORMAT_IRIS[plain_type]))
        if packed:
            add(distribution, dcat + "compressFormat", iri(IANA + "application/gzip"))
        add(
            distribution,
            dcat + "byteSize",
            ox.Literal(str(len(data)), datatype=iri(XSD + "nonNegativeInteger")),
        )
        add(distribution, spdx + "checksum", iri(checksum))
        add(checksum, rdf_type, iri(spdx + "Checksum"))
        add(checksum, spdx + "algorithm", iri(spdx + "checksumAlgorithm_sha256"))
        add(
            checksum,
            spdx + "checksumValue",
            ox.Literal(hashlib.sha256(data).hexdigest(), datatype=iri(XSD + "hexBinary")),
        )
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    ordered = sorted(
        (q.triple for q in dataset), key=lambda t: (str(t.subject), str(t.predicate), str(t.object))
    )
    prefixes = {
        **{k: str(v) for k, v in PREFIXES.items()},
        "spdx": spdx,
        "adms": "http://www.w3.org/ns/adms#",
    }
    return ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def catalog(releases: list[tuple[str, Path]], base: str) -> bytes:
    """The DCAT catalog of the releases, given oldest first as (IRI, path of its void.ttl), as
    Turtle: each release's own statements (version, date, predecessor, distributions) and the
    newest as the current version."""
    from carnets.namespaces import PREFIXES

    dcat = "http://www.w3.org/ns/dcat#"
    here = ox.NamedNode(base + "releases/")
    live = ox.NamedNode(base + "dataset")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples = {
        ox.Triple(here, rdf_type, ox.NamedNode(dcat + "Catalog")),
        ox.Triple(
            here, ox.NamedNode(DCTERMS + "title"), ox.Literal("Published releases", language="en")
        ),
        ox.Triple(
            here,
            ox.NamedNode(DCTERMS + "description"),
            ox.Literal(
                "Every published version of the dataset; a version's files never change.",
                language="en",
            ),
        ),
    }
    for iri, void in releases:
        triples.add(ox.Triple(here, ox.NamedNode(dcat + "dataset"), ox.NamedNode(iri)))
        for triple in ox.parse(path=str(void), format=ox.RdfFormat.TURTLE):
            own = isinstance(triple.subject, ox.NamedNode) and triple.subject.value.startswith(iri)
            if own or (triple.subject == live and triple.predicate.value == dcat + "hasVersion"):
                triples.add(triple)
    if releases:
        current = ox.NamedNode(releases[-1][0])
        triples.add(ox.Triple(live, ox.NamedNode(dcat + "hasCurrentVersion"), current))
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    prefixes |= {"spdx": "http://spdx.org/rdf/terms#", "adms": "http://www.w3.org/ns/adms#"}
    return ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
