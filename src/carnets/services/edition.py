"""The edition as a whole, for its home and /dataset pages: what it is, its counts, how to cite it.

Everything said here comes from the graph: the dataset's title, description, rights, licence
and version (data/edition.ttl), the counts of its resources (one query), the VoID the release
computed (triples, classes and their entities, named graphs, dumps). Nothing edition-specific
is written in code. Nothing here imports Flask.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from carnets.namespaces import PREFIXES as NAMESPACES
from carnets.services.display import When, local_href, when
from carnets.services.indices import KINDS_BY_PATH, TITLES
from carnets.services.texts import CN, pick
from carnets.store.base import Store

DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
ENTRIES_ON_HOME = 200

HOME = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX cn: <https://w3id.org/carnets/ontology#>
SELECT * WHERE {
  {
    BIND("count" AS ?part)
    { SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
        VALUES ?class { cn:Entry cn:EditorialText cn:Person cn:Death cn:DeathReport cn:Work
                        cn:Place cn:Event cn:Organization cn:Mention cn:WikidataLink }
        ?s a ?class
      } GROUP BY ?class }
  } UNION {
    BIND("dataset" AS ?part)
    ?dataset ?p ?o .
  } UNION {
    BIND("text" AS ?part)
    { SELECT ?text ?kind ?date ?position WHERE {
        VALUES ?kind { cn:Entry cn:EditorialText }
        ?text a ?kind .
        OPTIONAL { ?text schema:dateCreated ?date }
        OPTIONAL { ?text schema:position ?position }
      } ORDER BY ?kind ?position ?date ?text LIMIT #LIMIT# }
    ?text skos:prefLabel ?label .
  }
}
""".replace("#LIMIT#", str(2 * ENTRIES_ON_HOME))

COUNTED = {
    "Entry": ("entry", {"en": "entries", "fr": "entrées"}),
    "EditorialText": ("note", {"en": "editorial texts", "fr": "textes éditoriaux"}),
    "Person": ("person", {"en": "people", "fr": "personnes"}),
    "Place": ("place", {"en": "places", "fr": "lieux"}),
    "Work": ("work", {"en": "works", "fr": "œuvres"}),
    "Event": ("event", {"en": "events", "fr": "événements"}),
    "Organization": ("organization", {"en": "organisations", "fr": "organisations"}),
    "Death": ("death", {"en": "deaths on record", "fr": "décès documentés"}),
    "DeathReport": (
        None,
        {"en": "reports of deaths by {author}", "fr": "récits de décès par {author}"},
    ),
    "Mention": (None, {"en": "mentions anchored in the texts", "fr": "mentions ancrées"}),
    "WikidataLink": (None, {"en": "links to Wikidata", "fr": "liens vers Wikidata"}),
}


@dataclass
class Count:
    kind: str
    label: str
    count: int
    href: str | None


@dataclass
class TextLink:
    href: str
    label: str
    when: When | None


@dataclass
class Edition:
    """What the home page says of the edition."""

    iri: str
    title: str
    description: str | None
    rights: str | None
    license: str | None
    version: str | None
    modified: str | None
    publisher: str | None
    counts: list[Count]
    entries: list[TextLink]
    notes: list[TextLink]
    more_entries: bool = False
    citation: dict[str, str] = field(default_factory=dict)  # BibTeX and CSL-JSON


def _literals(rows: list[dict]) -> dict[str, dict[str | None, str]]:
    found: dict[str, dict[str | None, str]] = defaultdict(dict)
    for row in rows:
        if isinstance(row["o"], ox.Literal):
            found[row["p"].value].setdefault(row["o"].language, row["o"].value)
        else:
            found[row["p"].value].setdefault(None, row["o"].value)
    return found


class EditionService:
    """The home page's view of the edition, and the readable VoID of /dataset."""

    def __init__(
        self, store: Store, base: str, *, timeout: float = 30.0, author: str = "the writer"
    ) -> None:
        self.store = store
        self.base = base
        self.timeout = timeout
        self.author = author  # the writer's name in the labels (edition.toml, author.name)

    def edition(self, lang: str = "en") -> Edition:
        dataset = self.base + "dataset"
        rows = self.store.select(HOME, {"dataset": ox.NamedNode(dataset)}, self.timeout)
        parts: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            parts[row["part"].value].append(row)
        facts = _literals(parts["dataset"])

        def fact(name: str, namespace: str = DCTERMS) -> str | None:
            values = facts.get(namespace + name)
            return pick(values, lang) or None if values else None

        counts = []
        by_class = {
            row["class"].value.removeprefix(CN): int(row["n"].value) for row in parts["count"]
        }
        for kind, (path, labels) in COUNTED.items():
            if by_class.get(kind):
                href = f"/{path}/" if path in KINDS_BY_PATH else None
                label = labels.get(lang, labels["en"]).replace("{author}", self.author)
                counts.append(Count(kind, label, by_class[kind], href))
        entries, notes = self._texts(parts["text"], lang)
        found = Edition(
            iri=dataset,
            title=fact("title") or "Carnets",
            description=fact("description"),
            rights=fact("rights"),
            license=fact("license"),
            version=fact("version", SCHEMA)
            or fact("versionInfo", "http://www.w3.org/2002/07/owl#"),
            modified=fact("modified") or fact("created"),
            publisher=fact("publisher"),
            counts=counts,
            entries=entries[:ENTRIES_ON_HOME],
            notes=notes,
            more_entries=by_class.get("Entry", 0) > ENTRIES_ON_HOME,
        )
        # A citation names the edition as its own language does, whatever the reader's.
        titles = facts.get(DCTERMS + "title", {})
        found.citation = citation(found, self.base, pick(titles, "en") or found.title)
        return found

    def _texts(self, rows: list[dict], lang: str) -> tuple[list[TextLink], list[TextLink]]:
        labels: dict[str, dict] = defaultdict(dict)
        info: dict[str, dict] = {}
        for row in rows:
            iri = row["text"].value
            labels[iri][row["label"].language] = row["label"].value
            info[iri] = row
        entries, notes = [], []
        for iri, row in info.items():
            date = row["date"].value if "date" in row else None
            link = TextLink(
                local_href(iri, self.base),
                pick(labels[iri], lang, iri),
                when(exact=date, lang=lang) if date else None,
            )
            position = int(row["position"].value) if "position" in row else 0
            target = entries if row["kind"].value == CN + "Entry" else notes
            target.append((position, date or "", link.label, link))
        return [t[-1] for t in sorted(entries)], [t[-1] for t in sorted(notes)]


def citation(edition: Edition, base: str, title: str) -> dict[str, str]:
    """The edition as BibTeX and as CSL-JSON, from its own metadata."""
    year = (edition.modified or "")[:4]
    author = edition.publisher or "Carnets"
    note = "Linked-data edition"
    if edition.rights:
        note += ". " + edition.rights
    bibtex_fields = {
        "title": title,
        "author": "{" + author + "}",
        "year": year,
        "version": edition.version or "",
        "url": base,
        "note": note,
    }
    key = "carnets-" + (year or "edition")
    lines = ",\n".join(
        f"  {name} = {{{_bibtex(value) if name != 'author' else value}}}"
        for name, value in bibtex_fields.items()
        if value
    )
    csl: dict = {
        "id": key,
        "type": "dataset",
        "title": title,
        "author": [{"literal": author}],
        "publisher": author,
        "URL": base,
    }
    if edition.version:
        csl["version"] = edition.version
    if edition.modified and len(edition.modified) >= 10:
        csl["issued"] = {"date-parts": [[int(p) for p in edition.modified[:10].split("-")]]}
    if edition.rights:
        csl["note"] = edition.rights
    return {
        "bibtex": f"@misc{{{key},\n{lines}\n}}",
        "csl": json.dumps([csl], ensure_ascii=False, indent=2),
    }


def _bibtex(value: str) -> str:
    return value.replace("\\", "").replace("{", "").replace("}", "").replace("%", r"\%")


# ---------------------------------------------------------------- /dataset, readable

DATASET = """
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT * WHERE {
  { BIND("fact" AS ?part) ?dataset ?p ?o FILTER(isLiteral(?o) || ?p IN (dcterms:license,
      void:sparqlEndpoint, void:rootResource, void:exampleResource, void:vocabulary)) }
  UNION { BIND("class" AS ?part) ?dataset void:classPartition ?partition .
          ?partition void:class ?class ; void:entities ?entities }
  UNION { BIND("subset" AS ?part) ?dataset void:subset ?subset .
          ?subset void:triples ?triples OPTIONAL { ?subset dcterms:title ?title }
          OPTIONAL { ?subset void:objectsTarget ?target } }
  UNION { BIND("dump" AS ?part) ?dataset dcat:distribution ?dist .
          ?dist dcat:downloadURL ?url ; dcat:byteSize ?size ; dcat:mediaType ?media }
}
"""


@dataclass
class ClassCount:
    anchor: str
    curie: str
    href: str
    entities: int
    index: str | None


@dataclass
class DatasetView:
    iri: str
    facts: dict[str, dict[str | None, str]]
    classes: list[ClassCount]
    subsets: list[tuple[str, str, int]]  # name, title, triples
    dumps: list[tuple[str, str, int]]  # link, media type, bytes
    links: dict[str, list[str]]  # property → IRIs (licence, endpoint, examples, vocabularies)


def curie(iri: str) -> str:
    for prefix, namespace in NAMESPACES.items():
        if iri.startswith(str(namespace)) and len(iri) > len(str(namespace)):
            return f"{prefix}:{iri[len(str(namespace)) :]}"
    return iri


def dataset_view(void: ox.Store, base: str) -> DatasetView:
    """The VoID the release computed, as a page shows it: classes with their counts, the edition's
    own classes first and most numerous first."""
    iri = base + "dataset"
    found = DatasetView(iri, defaultdict(dict), [], [], [], defaultdict(list))
    paths = {kind: path for path, kind in KINDS_BY_PATH.items()}
    result = void.query(DATASET, substitutions={ox.Variable("dataset"): ox.NamedNode(iri)})
    for solution in result:  # type: ignore[union-attr]
        part = solution["part"].value
        if part == "fact":
            p, o = solution["p"].value, solution["o"]
            if isinstance(o, ox.Literal):
                found.facts[p].setdefault(o.language, o.value)
            elif o.value not in found.links[p]:
                found.links[p].append(o.value)
        elif part == "class":
            cls = solution["class"].value
            kind = cls.removeprefix(CN)
            found.classes.append(
                ClassCount(
                    solution["partition"].value.rsplit("#", 1)[-1],
                    curie(cls),
                    local_href(cls, base),
                    int(solution["entities"].value),
                    f"/{paths[kind]}/" if cls.startswith(CN) and kind in paths else None,
                )
            )
        elif part == "subset":
            title = solution["title"].value if solution["title"] else ""
            found.subsets.append((solution["subset"].value, title, int(solution["triples"].value)))
        elif part == "dump":
            found.dumps.append(
                (
                    local_href(solution["url"].value, base),
                    solution["media"].value.rsplit("media-types/", 1)[-1],
                    int(solution["size"].value),
                )
            )
    found.classes.sort(key=lambda c: (not c.curie.startswith("cn:"), -c.entities, c.curie))
    found.subsets.sort()
    found.dumps.sort()
    return found


def index_title(kind: str, lang: str) -> str:
    return TITLES.get(kind, {}).get(lang, kind)
