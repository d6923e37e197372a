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
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, SKOS, XSD

from carnets.annotate import context, find_mentions
from carnets.config import Settings
from carnets.dates import bounds_graph
from carnets.errors import CarnetsError
from carnets.files import write_atomically
from carnets.loading import LINKS_FILE, read_graphs
from carnets.namespaces import CN, OA, SCHEMA, WD, bind_prefixes

SOURCE_TEXT = "source/serge-notebooks-1944-excerpt.txt"
VERIFIED_LINKS = "source/wikidata-verified.tsv"
TEXTS_FILE = "texts.ttl"
MENTIONS_FILE = "mentions.ttl"
DATES_FILE = (
    "dates.ttl"  # cn:earliestDate and cn:latestDate of every cn:edtf, from the edtf library
)
GENERATED = (TEXTS_FILE, MENTIONS_FILE, LINKS_FILE, DATES_FILE)

RIGHTS = (
    "The English translation of the notebooks is by Mitchell Abidor and Richard Greeman, "
    "published by New York Review Books Classics, and is under copyright: it is quoted "
    "here for scholarship and is not covered by the licence of this dataset."
)
# Predicates by which a resource whose name contains another name involves it, so that the
# inner name counts as a mention too (see annotate.find_mentions).
NESTING_PREDICATES = (
    SCHEMA.about,
    SCHEMA.participant,
    SCHEMA.location,
    SCHEMA.author,
    SCHEMA.locationCreated,
)
# Verified QIDs that still must not be linked, with the reason.
EXCLUDED_QIDS = {
    "Q148": "the People's Republic of China (1949): a 1944 mention needs a historical item",
}

MONTHS = "January February March April May June July August September October November December"
MOIS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
HEADING = re.compile(r"^(" + MONTHS.replace(" ", "|") + r") (\d{1,2}), (\d{4})$", re.M)


@dataclass(frozen=True)
class Section:
    """One text of the source: an entry (dated) or an editorial text."""

    path: str  # URI path under the base: entry/1944-08-10, note/biography
    text: str
    title_en: str
    title_fr: str
    day: date | None = None


def split_source(source: str) -> list[Section]:
    """Cut the source into its five entries and the editorial texts around them."""
    headings = list(HEADING.finditer(source))
    if not headings:
        raise CarnetsError("no dated entry heading found in the source text")
    credit = source.index("—Translated from the French")
    biography = source.index("Victor Serge (1890")
    translators = source.index("Mitchell Abidor is a historian")
    excerpted = source.index("Excerpted from")
    intro_start = source.index("The writer and revolutionary")
    sections = [
        Section(
            "note/introduction",
            source[intro_start : headings[0].start()].strip(),
            "Introduction: Notes from an Exiled Revolutionary",
            "Introduction : Notes from an Exiled Revolutionary",
        ),
        Section(
            "note/translation-credit",
            source[credit:biography].strip(),
            "Translation credit",
            "Mention des traducteurs",
        ),
        Section(
            "note/biography",
            source[biography:translators].strip(),
            "Biographical note on Victor Serge",
            "Notice biographique de Victor Serge",
        ),
        Section(
            "note/translators",
            source[translators:excerpted].strip(),
            "Notes on the translators",
            "Notices des traducteurs",
        ),
        Section(
            "note/source",
            source[excerpted:].strip(),
            "Source of the excerpt",
            "Source de l'extrait",
        ),
    ]
    for i, heading in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else credit
        day = date(int(heading[3]), MONTHS.split().index(heading[1]) + 1, int(heading[2]))
        fr_day = f"{day.day} {MOIS.split()[day.month - 1]} {day.year}"
        sections.append(
            Section(
                f"entry/{day.isoformat()}",
                source[heading.end() : end].strip(),
                f"Entry of {heading[2]} {heading[1]} {heading[3]}",
                f"Entrée du {fr_day}",
                day,
            )
        )
    return sections


def texts_graph(sections: list[Section], base: str) -> Graph:
    """Entries and editorial texts with their full text and metadata."""
    g = Graph()
    bind_prefixes(g)
    notebooks = URIRef(base + "notebooks")
    serge = URIRef(base + "person/victor-serge")
    translators = [URIRef(base + "person/mitchell-abidor"), URIRef(base + "person/richard-greeman")]
    entries = [s for s in sections if s.day]
    for section in sections:
        uri = URIRef(base + section.path)
        g.add((uri, SKOS.prefLabel, Literal(section.title_en, lang="en")))
        g.add((uri, SKOS.prefLabel, Literal(section.title_fr, lang="fr")))
        g.add((uri, SCHEMA.text, Literal(section.text, lang="en")))
        g.add((uri, DCTERMS.rights, Literal(RIGHTS, lang="en")))
        g.add((uri, DCTERMS.source, URIRef(base + "work/notebooks-1936-1947")))
        if section.day:
            g.add((uri, RDF.type, CN.Entry))
            g.add((uri, RDF.type, SCHEMA.CreativeWork))
            g.add((uri, SCHEMA.dateCreated, Literal(section.day.isoformat(), datatype=XSD.date)))
            g.add((uri, SCHEMA.position, Literal(entries.index(section) + 1)))
            g.add((uri, SCHEMA.isPartOf, notebooks))
            g.add((uri, SCHEMA.author, serge))
            g.add((uri, SCHEMA.inLanguage, Literal("en")))
            for translator in translators:
                g.add((uri, SCHEMA.translator, translator))
            g.add((notebooks, SCHEMA.hasPart, uri))
        else:
            g.add((uri, RDF.type, CN.EditorialText))
            g.add((uri, RDF.type, SCHEMA.CreativeWork))
            g.add((uri, SCHEMA.inLanguage, Literal("en")))
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
        for match in find_mentions(section.text, names, nesting):
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
            g.add((quote, OA.exact, Literal(match.quote, lang="en")))
            g.add((quote, OA.prefix, Literal(prefix, lang="en")))
            g.add((quote, OA.suffix, Literal(suffix, lang="en")))
            g.add((position, RDF.type, OA.TextPositionSelector))
            g.add((position, OA.start, Literal(match.start)))
            g.add((position, OA.end, Literal(match.end)))
            g.add((source, SCHEMA.mentions, match.resource))
    return g


def links_graph(rows: list[dict[str, str]], curated: Graph, base: str, today: date) -> Graph:
    """owl:sameAs links for the verified QIDs, each with a record of its evidence."""
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
        if subject is None or qid in EXCLUDED_QIDS:
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


def generate(settings: Settings, today: date | None = None) -> dict[str, Graph]:
    """The generated files' graphs, from the source text and the curated files."""
    data = settings.data_dir
    source = (data / SOURCE_TEXT).read_text(encoding="utf-8")
    sections = split_source(source)
    curated = read_graphs(curated_files(settings))
    links_path = data / LINKS_FILE
    stamp = today or _existing_link_date(links_path) or date.today()
    return {
        TEXTS_FILE: texts_graph(sections, settings.base),
        MENTIONS_FILE: mentions_graph(sections, curated, settings.base),
        LINKS_FILE: links_graph(
            read_verified(data / VERIFIED_LINKS), curated, settings.base, stamp
        ),
        DATES_FILE: bounds_graph(curated),
    }


def _existing_link_date(path: Path) -> date | None:
    """Keep the date of the existing links so that an unchanged build changes nothing."""
    if not path.exists():
        return None
    dates = set(read_graphs([path]).objects(None, PROV.generatedAtTime))
    return date.fromisoformat(str(min(dates))) if dates else None


def build_edition(settings: Settings, write: bool = True) -> list[Path]:
    """Regenerate what changed; returns the paths that were (or would be) rewritten."""
    changed = []
    for name, graph in generate(settings).items():
        path = settings.data_dir / name
        if path.exists() and set(graph) == set(read_graphs([path])):
            continue  # generated graphs have no blank nodes: equal sets are equal graphs
        changed.append(path)
        if write:
            write_atomically(path, graph.serialize(format="turtle"))
    return changed
