"""Build the generated part of the edition from the source text and the curated files.

The curated Turtle (people, works, places, events, deaths) is written by editors. The
entry texts, the mentions with their offsets, the Wikidata links and the bounds of every EDTF
date are generated here, so that no offset, identifier or bound is ever typed by hand:
`carnets build` rewrites them and `carnets build --check` fails when the committed files are
out of date.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, SKOS, XSD

from carnets.annotate import Match, context, find_mentions
from carnets.config import Settings
from carnets.dates import bounds_graph
from carnets.edition import EditionConfig
from carnets.files import JOURNAL, finish_interrupted, write_atomically
from carnets.ingest.sources import edition_sections, source_documents
from carnets.ingest.texts import Section, split_source
from carnets.loading import LINKS_FILE, ox_triples, read_graphs, read_ox_triples, turtle_text
from carnets.namespaces import CN, EDTF, OA, SCHEMA, WD, bind_prefixes

__all__ = ["Section", "build_edition", "generate", "split_source"]

SOURCE_DIR = "source"  # every .txt, .md and .xml document here is read (carnets.sources)
VERIFIED_LINKS = "source/wikidata-verified.tsv"
TEXTS_FILE = "texts.ttl"
MENTIONS_FILE = "mentions.ttl"
DATES_FILE = (
    "dates.ttl"  # cn:earliestDate and cn:latestDate of every cn:edtf, from the edtf library
)
GENERATED = (TEXTS_FILE, MENTIONS_FILE, LINKS_FILE, DATES_FILE)

# Predicates by which a resource whose name contains another name involves it, so that the
# inner name counts as a mention too (see annotate.find_mentions).
NESTING_PREDICATES = (
    SCHEMA.about,
    SCHEMA.participant,
    SCHEMA.location,
    SCHEMA.author,
    SCHEMA.locationCreated,
)


def texts_graph(sections: list[Section], base: str, edition: EditionConfig) -> Graph:
    """Entries and editorial texts with their full text and metadata.

    Who wrote and translated them, their rights and the work they are quoted from come from
    the edition's configuration (edition.toml)."""
    g = Graph()
    bind_prefixes(g)
    notebooks = URIRef(base + edition.notebooks)
    author = URIRef(base + edition.author)
    translators = [URIRef(base + path) for path in edition.translators]
    positions = {id(s): n for n, s in enumerate((s for s in sections if s.day), start=1)}
    for section in sections:
        uri = URIRef(base + section.path)
        translated = section.language == edition.translation_language
        g.add((uri, SKOS.prefLabel, Literal(section.title_en, lang="en")))
        g.add((uri, SKOS.prefLabel, Literal(section.title_fr, lang="fr")))
        g.add((uri, SCHEMA.text, Literal(section.text, lang=section.language)))
        rights = edition.rights_translation if translated else edition.rights_original
        g.add((uri, DCTERMS.rights, Literal(rights, lang="en")))
        if edition.source:
            g.add((uri, DCTERMS.source, URIRef(base + edition.source)))
        if section.day:
            g.add((uri, RDF.type, CN.Entry))
            g.add((uri, RDF.type, SCHEMA.CreativeWork))
            g.add((uri, SCHEMA.dateCreated, Literal(section.day.isoformat(), datatype=XSD.date)))
            g.add((uri, SCHEMA.position, Literal(positions[id(section)])))
            g.add((uri, SCHEMA.isPartOf, notebooks))
            g.add((uri, SCHEMA.author, author))
            g.add((uri, SCHEMA.inLanguage, Literal(section.language)))
            if section.edtf:
                g.add((uri, CN.edtf, Literal(section.edtf, datatype=EDTF)))
            if translated:
                for translator in translators:
                    g.add((uri, SCHEMA.translator, translator))
            g.add((notebooks, SCHEMA.hasPart, uri))
        else:
            g.add((uri, RDF.type, CN.EditorialText))
            g.add((uri, RDF.type, SCHEMA.CreativeWork))
            g.add((uri, SCHEMA.inLanguage, Literal(section.language)))
            g.add((uri, SCHEMA.about, notebooks))
    return g


def names_and_nesting(curated: Graph) -> tuple[list[tuple[str, URIRef]], set]:
    """Every English or language-less label of a curated resource, and its nesting pairs."""
    names = []
    for predicate in (SKOS.prefLabel, SKOS.altLabel, SCHEMA.name):
        for subject, label in curated.subject_objects(predicate):
            if isinstance(label, Literal) and label.language in (None, "en"):
                names.append((str(label), subject))
    nesting = {
        (outer, inner)
        for predicate in NESTING_PREDICATES
        for outer, inner in curated.subject_objects(predicate)
    }
    return sorted(set(names)), nesting


def mentions_graph(sections: list[Section], curated: Graph, base: str) -> Graph:
    """One Web Annotation per mention, anchored by quote and offsets, plus schema:mentions."""
    g = Graph()
    bind_prefixes(g)
    names, nesting = names_and_nesting(curated)
    for section in sections:
        source = URIRef(base + section.path)
        for match in section_mentions(section, names, nesting):
            mention = URIRef(f"{source}#m{match.start}-{match.end}")
            prefix, suffix = context(section.text, match)
            # Target and selectors get fragment IRIs of their own, not blank nodes: the
            # generated files then serialize and compare deterministically.
            target, quote, position = (
                URIRef(f"{mention}-{part}") for part in ("target", "quote", "position")
            )
            g.add((mention, RDF.type, CN.Mention))
            g.add((mention, RDF.type, OA.Annotation))
            g.add((mention, OA.motivatedBy, OA.identifying))
            g.add((mention, OA.hasBody, match.resource))
            g.add((mention, OA.hasTarget, target))
            g.add((target, RDF.type, OA.SpecificResource))
            g.add((target, OA.hasSource, source))
            g.add((target, OA.hasSelector, quote))
            g.add((target, OA.hasSelector, position))
            g.add((quote, RDF.type, OA.TextQuoteSelector))
            g.add((quote, OA.exact, Literal(match.quote, lang=section.language)))
            g.add((quote, OA.prefix, Literal(prefix, lang=section.language)))
            g.add((quote, OA.suffix, Literal(suffix, lang=section.language)))
            g.add((position, RDF.type, OA.TextPositionSelector))
            g.add((position, OA.start, Literal(match.start)))
            g.add((position, OA.end, Literal(match.end)))
            g.add((source, SCHEMA.mentions, match.resource))
    return g


def section_mentions(
    section: Section, names: list[tuple[str, URIRef]], nesting: set
) -> list[Match]:
    """The annotator's mentions, and those a TEI source names by @ref of a known resource.

    Where both give the same stretch of text, the source's @ref decides."""
    known = {resource for _, resource in names}
    found = {(m.start, m.end): m for m in find_mentions(section.text, names, nesting)}
    for start, end, resource in section.refs:
        if resource in known and 0 <= start < end <= len(section.text):
            found[(start, end)] = Match(start, end, resource, section.text[start:end])
    return sorted(found.values())


def links_graph(
    rows: list[dict[str, str]],
    curated: Graph,
    base: str,
    today: date,
    excluded: dict[str, str] | None = None,
) -> Graph:
    """owl:sameAs links for the verified QIDs, each with a record of its evidence; the QIDs
    the edition excludes (edition.toml, links.exclude) are left out."""
    excluded = excluded or {}
    g = Graph()
    bind_prefixes(g)
    by_label: dict[str, URIRef] = {}
    for predicate in (SKOS.prefLabel, SKOS.altLabel):
        for subject, label in curated.subject_objects(predicate):
            if str(subject).startswith(base) and "/" in str(subject)[len(base) :]:
                by_label.setdefault(_label_key(label), subject)
    reference = URIRef(base + "source/wikidata-verified")
    for row in rows:
        qid = row["wikidata_qid"]
        labels = [row["label"], *row["label"].split(" / "), row["label"].split(" (")[0]]
        keys = [_label_key(label) for label in labels]
        subject = next((by_label[key] for key in keys if key in by_label), None)
        if subject is None or qid in excluded:
            continue
        item = WD[qid]
        record = URIRef(base + "link/" + str(subject)[len(base) :])
        g.add((subject, OWL.sameAs, item))
        g.add((record, RDF.type, CN.WikidataLink))
        g.add((record, RDF.type, PROV.Entity))
        g.add((record, CN.linkSubject, subject))
        g.add((record, CN.linkTarget, item))
        g.add((record, CN.evidence, Literal(row["evidence"], lang="en")))
        g.add((record, DCTERMS.source, reference))
        g.add((record, DCTERMS.source, URIRef(f"https://www.wikidata.org/wiki/{qid}")))
        g.add((record, PROV.generatedAtTime, Literal(today.isoformat(), datatype=XSD.date)))
        for url in re.findall(r"https?://[^\s'\";)]+", row["evidence"]):
            g.add((record, DCTERMS.source, URIRef(url.rstrip(".,"))))
    return g


def _label_key(label: str) -> str:
    """Labels compare without case and with any dash as a hyphen ("Molotov–Ribbentrop")."""
    return re.sub(r"[\u2010-\u2015]", "-", str(label)).casefold()


def read_verified(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def curated_files(settings: Settings) -> list[Path]:
    return [p for p in sorted(settings.data_dir.glob("*.ttl")) if p.name not in GENERATED]


def generate(
    settings: Settings, today: date | None = None, documents: dict[str, str] | None = None
) -> dict[str, Graph]:
    """The generated files' graphs, from the source documents and the curated files.

    `documents` (file name to text) stands for data/source/ when `carnets ingest` tries a
    change before it writes anything."""
    data = settings.data_dir
    if documents is None:
        documents = source_documents(data / SOURCE_DIR)
    edition = settings.edition
    sections = edition_sections(documents, settings.base, edition.editorial)
    curated = read_graphs(curated_files(settings))
    texts = texts_graph(sections, settings.base, edition)
    links_path = data / LINKS_FILE
    stamp = today or _existing_link_date(links_path) or date.today()
    return {
        TEXTS_FILE: texts,
        MENTIONS_FILE: mentions_graph(sections, curated, settings.base),
        LINKS_FILE: links_graph(
            read_verified(data / VERIFIED_LINKS),
            curated,
            settings.base,
            stamp,
            edition.excluded_links,
        ),
        DATES_FILE: bounds_graph(curated + texts),
    }


def _existing_link_date(path: Path) -> date | None:
    """Keep the date of the existing links so that an unchanged build changes nothing."""
    if not path.exists():
        return None
    dates = set(read_graphs([path]).objects(None, PROV.generatedAtTime))
    return date.fromisoformat(str(min(dates))) if dates else None


def build_edition(settings: Settings, write: bool = True) -> list[Path]:
    """Regenerate what changed; returns the paths that were (or would be) rewritten."""
    finish_interrupted(settings.data_dir / JOURNAL)  # an ingest a crash cut short
    changed = []
    for name, graph in generate(settings).items():
        path = settings.data_dir / name
        triples = ox_triples(graph)
        if path.exists() and triples == read_ox_triples(path):
            continue  # generated graphs have no blank nodes: equal sets are equal graphs
        changed.append(path)
        if write:
            write_atomically(path, turtle_text(triples))
    return changed
