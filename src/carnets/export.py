"""The validated release: a persisted store, dumps, checksums, VoID/DCAT and the JSON-LD context.

Validating the edition takes seconds while the server must start in well under one, so the
work is done once per state of the input files. `prepare_release` fingerprints the ontology,
data and shapes; if a release with that fingerprint exists it is reused, otherwise the edition
is validated and a new release is written into a temporary folder that is renamed into place
only when complete. Invalid data raises ValidationFailed and never becomes a release; releases
made earlier stay where they are.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from carnets import __version__, integrity
from carnets.config import Settings
from carnets.conneg import DUMPS, JSON_LD, N_QUADS, N_TRIPLES
from carnets.errors import ReleaseError, ValidationFailed
from carnets.loading import EditionFiles

log = logging.getLogger(__name__)

RELEASE_FORMAT = "3"  # bump when what a release holds changes, so old ones are rebuilt
DUMP_STEM = "carnets"
KEEP_RELEASES = 3

Validator = Callable[[Settings], Any]


@dataclass(frozen=True)
class Dump:
    """One file under /download/, with what a client needs to trust and cache it."""

    name: str
    media_type: str
    size: int
    sha256: str
    gzip_size: int
    gzip_sha256: str


@dataclass(frozen=True)
class Release:
    """A folder holding one validated build of the edition."""

    path: Path
    manifest: dict

    @property
    def fingerprint(self) -> str:
        return self.manifest["fingerprint"]

    @property
    def store_path(self) -> Path:
        return self.path / "store"

    @property
    def built(self) -> datetime:
        return datetime.fromisoformat(self.manifest["built"])

    @property
    def last_modified(self) -> str:
        return format_datetime(self.built, usegmt=True)

    @property
    def dumps(self) -> dict[str, Dump]:
        return {d["name"]: Dump(**d) for d in self.manifest["dumps"]}

    @property
    def triple_counts(self) -> dict[str, int]:
        return self.manifest["triples"]

    def dump_path(self, name: str, compressed: bool = False) -> Path:
        return self.path / "download" / (name + (".gz" if compressed else ""))

    def context(self) -> dict:
        return json.loads((self.path / "context.jsonld").read_text("utf-8"))

    def void_turtle(self) -> bytes:
        return (self.path / "void.ttl").read_bytes()

    @classmethod
    def load(cls, path: Path) -> Release:
        """The release in `path`, checked: ReleaseError if its manifest or a file is not right."""
        try:
            manifest = json.loads((path / "manifest.json").read_text("utf-8"))
            manifest["fingerprint"], manifest["built"], manifest["triples"], manifest["dumps"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ReleaseError(f"the release in {path} has a bad manifest.json: {error}") from None
        problems = integrity.missing_or_truncated(path, manifest)
        if problems:
            raise ReleaseError(f"the release in {path} is damaged: {'; '.join(problems)}")
        return cls(path, manifest)

    def hold(self):
        """Keep this release from being pruned while the returned handle is open."""
        return integrity.hold(self.path)

    def damage(self) -> list[str]:
        """Dumps whose checksum is not the manifest's (reads them all)."""
        return integrity.damaged_dumps(self.path, self.manifest)


def release_root(settings: Settings) -> Path:
    """Where releases are kept: settings.build_dir, by default build/publish in the root."""
    return settings.build_dir or settings.root / "build" / "publish"


def fingerprint(settings: Settings, files: EditionFiles) -> str:
    """A digest of everything a release depends on: code version, base, every input file."""
    digest = hashlib.sha256(f"{RELEASE_FORMAT}\n{__version__}\n{settings.base}\n".encode())
    for graph, paths in files.by_graph(settings.base).items():
        for path in (*paths,):
            digest.update(f"{graph}\n{path.name}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for path in files.shapes:
        digest.update(f"shapes\n{path.name}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    context = settings.ontology_dir / "context.jsonld"
    if context.exists():
        digest.update(hashlib.sha256(context.read_bytes()).digest())
    return digest.hexdigest()[:24]


def prepare_release(
    settings: Settings, *, validate: Validator | None = None, root: Path | None = None
) -> Release:
    """The release for the current input files: reused if built before, else validated and built.

    Raises ValidationFailed (carrying the report) when the edition does not conform.
    """
    files = EditionFiles.find(settings)
    root = (root or release_root(settings)).resolve()  # files are served by absolute path
    key = fingerprint(settings, files)
    target = root / key
    if (target / "manifest.json").exists():
        try:
            return Release.load(target)
        except ReleaseError as error:  # built before, damaged since: build it again
            log.warning("%s; building it again", error)
            if integrity.in_use(target):
                raise ReleaseError(f"{error}, and a running server holds it") from None
            shutil.rmtree(target, ignore_errors=True)
    if validate is None:
        from carnets.validation import validate
    report = validate(settings)
    if not report.conforms:
        raise ValidationFailed(report)

    def build(scratch: Path) -> str:
        _build(settings, files, key, scratch)
        return key

    target = integrity.build_folder(root, key, build, "build the release")
    integrity.prune(root, keep=target, newest=KEEP_RELEASES)
    return Release.load(target)


def _build(settings: Settings, files: EditionFiles, key: str, folder: Path) -> None:
    from carnets.store.embedded import EmbeddedStore

    started = time.perf_counter()
    writer = ox.Store(str(folder / "store"))
    for graph, paths in files.by_graph(settings.base).items():
        for path in paths:
            writer.bulk_load(
                path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph)
            )
    writer.flush()
    writer.optimize()
    del writer
    store = EmbeddedStore(folder / "store", settings.base, workers=0)
    try:
        write_publication(settings, store, folder, key, started)
    finally:
        store.close()


def write_publication(
    settings: Settings, store, folder: Path, key: str | None = None, started: float | None = None
) -> None:
    """Write what a release publishes from `store`: dumps, sums, @context, VoID, manifest.

    `store` is any Store: the release's own, or a remote engine whose dumps must be its own.
    Without a `key`, the fingerprint is the digest of the dumps' checksums.
    """
    started = started or time.perf_counter()
    (folder / "download").mkdir()
    dumps = [_write_dump(store, folder / "download", ext, mt) for ext, mt in DUMPS.items()]
    sums = "".join(f"{d.sha256}  {d.name}\n{d.gzip_sha256}  {d.name}.gz\n" for d in dumps)
    (folder / "download" / "SHA256SUMS").write_text(sums)
    context = edition_context(settings, store)
    (folder / "context.jsonld").write_text(
        json.dumps({"@context": context}, indent=2, ensure_ascii=False) + "\n", "utf-8"
    )
    counts = store.triple_counts()
    built = datetime.now(UTC).replace(microsecond=0)
    (folder / "void.ttl").write_bytes(void_graph(settings, store, dumps, counts, built))
    manifest = {
        "fingerprint": key or hashlib.sha256(sums.encode()).hexdigest()[:32],
        "carnets": __version__,
        "base": settings.base,
        "built": built.isoformat(),
        "build_seconds": round(time.perf_counter() - started, 3),
        "triples": counts,
        "dumps": [d.__dict__ for d in dumps],
        "store": (folder / "store").is_dir(),  # not when written from a remote engine
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")


def publish_engine(settings: Settings, store, root: Path) -> Release:
    """A release written from what `store` (a remote engine) holds now, in `root`.

    In remote mode the dumps and VoID must describe the data the queries see, not the local
    build that was loaded into the engine some time ago. The engine's graphs are fetched once,
    into a store of the scratch folder, and everything is written from that copy (four dumps
    fetched one by one took four times as long, and could each see other data). Written into a
    scratch folder renamed into place, so a failure leaves the previous copy.
    """
    from carnets.store.embedded import EmbeddedStore

    root = root.resolve()

    def build(scratch: Path) -> str:
        fetched = scratch / "engine.nq"
        with fetched.open("wb") as output:
            store.dump(output, N_QUADS)
        writer = ox.Store(str(scratch / "store"))
        writer.bulk_load(path=str(fetched), format=ox.RdfFormat.N_QUADS)
        writer.flush()
        del writer
        fetched.unlink()
        copy = EmbeddedStore(scratch / "store", settings.base, workers=0)
        try:
            write_publication(settings, copy, scratch)
        finally:
            copy.close()
        return json.loads((scratch / "manifest.json").read_text())["fingerprint"]

    target = integrity.build_folder(root, "engine", build, "write the engine's dumps")
    integrity.prune(root, keep=target, newest=KEEP_RELEASES)
    return Release.load(target)


def _write_dump(store, folder: Path, ext: str, media_type: str) -> Dump:
    name = f"{DUMP_STEM}.{ext}"
    path = folder / name
    with path.open("wb") as output:
        store.dump(output, media_type)
    data = path.read_bytes()
    packed = gzip.compress(data, compresslevel=6, mtime=0)
    (folder / f"{name}.gz").write_bytes(packed)
    return Dump(
        name=name,
        media_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        gzip_size=len(packed),
        gzip_sha256=hashlib.sha256(packed).hexdigest(),
    )


def edition_context(settings: Settings, store) -> dict:
    """The JSON-LD @context: the project's prefixes and one term per ontology class and property.

    A hand-written ontology/context.jsonld, if the edition has one, wins.
    """
    shipped = settings.ontology_dir / "context.jsonld"
    if shipped.exists():
        return json.loads(shipped.read_text("utf-8"))["@context"]
    from carnets.namespaces import CN, PREFIXES

    context: dict[str, Any] = {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}
    context["@base"] = settings.base
    rows = store.select(
        """
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT ?term ?kind WHERE {
          ?term a ?kind .
          FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty))
        } ORDER BY ?term
        """
    )
    for row in rows:
        iri = row["term"].value
        if not iri.startswith(str(CN)):
            continue
        name = iri[len(str(CN)) :]
        if not name or name in context:
            continue
        if row["kind"].value.endswith("ObjectProperty"):
            context[name] = {"@id": f"cn:{name}", "@type": "@id"}
        else:
            context[name] = f"cn:{name}"
    return context


def compact_jsonld(n_triples: bytes, context: dict) -> bytes:
    """Compact JSON-LD for a small graph given as N-Triples (what the engine serialized).

    pyoxigraph writes expanded JSON-LD only; rdflib applies the edition's context. Used for
    resource descriptions and other small graphs, never for the whole dump.
    """
    from rdflib import Graph

    graph = Graph()
    graph.parse(data=n_triples.decode("utf-8"), format="nt")
    text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    return text.encode("utf-8")


def convert_graph(data: bytes, from_type: str, to_type: str, context: dict | None = None) -> bytes:
    """Re-serialize a small graph with pyoxigraph (JSON-LD compacted with `context`)."""
    triples = list(ox.parse(data, ox.RdfFormat.from_media_type(from_type)))
    if to_type == JSON_LD and context is not None:
        return compact_jsonld(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), context)
    from carnets.store.embedded import PREFIXES

    if to_type == N_TRIPLES:
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return ox.serialize(triples, format=ox.RdfFormat.from_media_type(to_type), prefixes=PREFIXES)


FORMAT_IRIS = {
    "text/turtle": "http://www.w3.org/ns/formats/Turtle",
    "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
    "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
    "application/n-quads": "http://www.w3.org/ns/formats/N-Quads",
}


def void_graph(
    settings: Settings, store, dumps: list[Dump], counts: dict[str, int], built
) -> bytes:
    """The VoID and DCAT description of the dataset, as Turtle.

    It starts from what the edition says of itself (title, licence, rights, version) and adds
    what only the build knows: counts, class partitions, vocabularies, dumps with checksums,
    the endpoint and the Wikidata linkset.
    """
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID, XSD

    from carnets.namespaces import (
        GRAPH_EDITION,
        GRAPH_LINKS,
        GRAPH_ONTOLOGY,
        PREFIXES,
        SD,
        bind_prefixes,
    )

    spdx = Namespace("http://spdx.org/rdf/terms#")
    base = settings.base
    dataset = URIRef(base + "dataset")
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("spdx", spdx)
    own = store.describe(str(dataset), N_TRIPLES)
    if own:
        for s, p, o in Graph().parse(data=own.decode("utf-8"), format="nt"):
            if s == dataset:
                graph.add((s, p, o))
    add = graph.add
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, RDF.type, DCAT.Dataset))
    add((dataset, VOID.uriSpace, Literal(base)))
    add((dataset, VOID.triples, Literal(sum(counts.values()))))
    edition = settings.edition
    add((dataset, VOID.rootResource, URIRef(base + edition.notebooks)))
    for iri in FORMAT_IRIS.values():
        add((dataset, VOID.feature, URIRef(iri)))
    endpoint = URIRef(base + "sparql")
    add((dataset, VOID.sparqlEndpoint, endpoint))
    add((endpoint, RDF.type, DCAT.DataService))
    add((endpoint, RDF.type, SD.Service))
    add((endpoint, DCAT.endpointURL, endpoint))
    add((endpoint, DCAT.servesDataset, dataset))
    add((endpoint, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    add((dataset, DCAT.service, endpoint))
    if (dataset, DCTERMS.modified, None) not in graph:
        add((dataset, DCTERMS.modified, Literal(built.isoformat(), datatype=XSD.dateTime)))
    for dump in dumps:
        url = URIRef(f"{base}download/{dump.name}")
        add((dataset, VOID.dataDump, url))
        distribution = URIRef(f"{base}download/{dump.name}#distribution")
        add((dataset, DCAT.distribution, distribution))
        add((distribution, RDF.type, DCAT.Distribution))
        add((distribution, DCAT.downloadURL, url))
        add((distribution, DCAT.accessURL, URIRef(base + "download/")))
        add(
            (
                distribution,
                DCAT.mediaType,
                URIRef("https://www.iana.org/assignments/media-types/" + dump.media_type),
            )
        )
        add((distribution, DCTERMS["format"], URIRef(FORMAT_IRIS[dump.media_type])))
        add((distribution, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
        checksum = BNode()
        add((distribution, spdx.checksum, checksum))
        add((checksum, RDF.type, spdx.Checksum))
        add((checksum, spdx.algorithm, spdx.checksumAlgorithm_sha256))
        add((checksum, spdx.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
    # The edition's chosen example (edition.toml, example) if it is there, else a person.
    chosen = base + (edition.example or "")
    example = store.select(
        "PREFIX cn: <https://w3id.org/carnets/ontology#> "
        "SELECT ?r WHERE { ?r a cn:Person } "
        f"ORDER BY (?r != <{chosen}>) ?r LIMIT 1"
    )
    for row in example:
        add((dataset, VOID.exampleResource, URIRef(row["r"].value)))
    stats = store.select(
        """SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
                  (COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"""
    )[0]
    add((dataset, VOID.distinctSubjects, Literal(int(stats["subjects"].value))))
    add((dataset, VOID.properties, Literal(int(stats["properties"].value))))
    add((dataset, VOID.distinctObjects, Literal(int(stats["objects"].value))))
    classes = store.select(
        """SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class
           ORDER BY ?class"""
    )
    add((dataset, VOID.classes, Literal(len(classes))))
    for row in classes:
        part = URIRef(
            f"{base}dataset#class-{hashlib.sha1(row['class'].value.encode()).hexdigest()[:10]}"
        )
        add((dataset, VOID.classPartition, part))
        add((part, VOID["class"], URIRef(row["class"].value)))
        add((part, VOID.entities, Literal(int(row["n"].value))))
    entities = store.select(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER(isIRI(?s)) }"
    )[0]["n"]
    add((dataset, VOID.entities, Literal(int(entities.value))))
    used = {
        row["v"].value
        for row in store.select("SELECT DISTINCT ?v WHERE { { ?s ?v ?o } UNION { ?s a ?v } }")
    }
    for namespace in sorted({str(ns) for ns in PREFIXES.values()}):
        if any(term.startswith(namespace) for term in used):
            add((dataset, VOID.vocabulary, URIRef(namespace)))
    names = {GRAPH_ONTOLOGY: "ontology", GRAPH_EDITION: "edition", GRAPH_LINKS: "links"}
    for path, label in names.items():
        subset = URIRef(base + path)
        add((dataset, VOID.subset, subset))
        add((subset, RDF.type, VOID.Dataset))
        add((subset, DCTERMS.title, Literal(f"Carnets {label} graph", lang="en")))
        add((subset, VOID.triples, Literal(counts.get(base + path, 0))))
        add((subset, SD.name, subset))
    links = URIRef(base + GRAPH_LINKS)
    add((links, RDF.type, VOID.Linkset))
    add((links, VOID.linkPredicate, OWL.sameAs))
    add((links, VOID.subjectsTarget, dataset))
    wikidata = URIRef("http://www.wikidata.org/entity/")
    add((links, VOID.objectsTarget, wikidata))
    add((wikidata, RDF.type, VOID.Dataset))
    add((wikidata, VOID.uriSpace, Literal("http://www.wikidata.org/entity/")))
    add((wikidata, VOID.sparqlEndpoint, URIRef("https://query.wikidata.org/sparql")))
    add((dataset, DCTERMS.hasPart, links))
    add((URIRef(base + "context.jsonld"), RDF.type, URIRef("http://www.w3.org/ns/json-ld#Context")))
    add((dataset, DCTERMS.conformsTo, URIRef(base + "context.jsonld")))
    return graph.serialize(format="turtle").encode("utf-8")
