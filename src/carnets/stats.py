"""Counts that tell an editor where the edition stands: classes, mentions, links, backlog."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from carnets.config import Settings
from carnets.loading import load_dataset, union_graph
from carnets.namespaces import PREFIXES

CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class . FILTER(STRSTARTS(STR(?class), STR(cn:)))
} GROUP BY ?class ORDER BY ?class
"""
MENTION_COUNTS = """
SELECT (COUNT(?m) AS ?mentions) (COUNT(DISTINCT ?body) AS ?resources) WHERE {
  ?m a cn:Mention ; oa:hasBody ?body .
}
"""
ENTRY_MENTIONS = """
SELECT (COUNT(?m) AS ?n) WHERE {
  ?m a cn:Mention ; oa:hasTarget/oa:hasSource ?entry . ?entry a cn:Entry
}
"""
LINK_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s owl:sameAs ?item }"
BACKLOG = """
SELECT ?kind ?resource WHERE {
  VALUES (?class ?kind) { (cn:Person "person") (cn:Work "work") (cn:Place "place") }
  ?resource a ?class .
  FILTER NOT EXISTS { ?resource owl:sameAs ?item }
} ORDER BY ?kind ?resource
"""


@dataclass(frozen=True)
class EditionStats:
    triples: int
    classes: dict[str, int]
    mentions: int
    mentioned_resources: int
    mentions_in_entries: int
    wikidata_links: int
    backlog: dict[str, list[str]]

    def text(self) -> str:
        lines = [f"triples: {self.triples}", "", "resources per class:"]
        lines += [f"  {name:<22} {count:>5}" for name, count in self.classes.items()]
        lines += [
            "",
            f"mentions: {self.mentions} ({self.mentions_in_entries} in entries, "
            f"{self.mentions - self.mentions_in_entries} in editorial texts), "
            f"naming {self.mentioned_resources} resources",
            f"links to Wikidata: {self.wikidata_links}",
            f"linking backlog (people, works and places without a link): "
            f"{sum(len(v) for v in self.backlog.values())}",
        ]
        for kind, resources in self.backlog.items():
            lines.append(f"  {kind} ({len(resources)}): " + ", ".join(resources))
        return "\n".join(lines)


def edition_stats(settings: Settings) -> EditionStats:
    graph = union_graph(load_dataset(settings))
    return graph_stats(graph, settings.base)


def graph_stats(graph: Graph, base: str) -> EditionStats:
    def rows(query: str):
        return list(graph.query(query, initNs=PREFIXES))

    classes = {str(c).rsplit("#", 1)[-1]: int(n) for c, n in rows(CLASS_COUNTS)}
    mentions, resources = rows(MENTION_COUNTS)[0]
    in_entries = rows(ENTRY_MENTIONS)[0][0]
    backlog: dict[str, list[str]] = {}
    for kind, resource in rows(BACKLOG):
        backlog.setdefault(str(kind), []).append(str(resource).removeprefix(base))
    return EditionStats(
        triples=len(graph),
        classes=classes,
        mentions=int(mentions),
        mentioned_resources=int(resources),
        mentions_in_entries=int(in_entries),
        wikidata_links=int(rows(LINK_COUNT)[0][0]),
        backlog=backlog,
    )
