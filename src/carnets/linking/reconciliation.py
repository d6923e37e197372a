"""Reconciliation over the edition: a scholar's names matched to its people, works, places.

This is the W3C Entity Reconciliation API (the one OpenRefine speaks) without the HTTP: the
manifest, batch queries with types and properties, suggest, data extension. The web blueprint
only parses requests and serializes these answers. The index is built from the edition's graph,
which comes from the store (a CONSTRUCT) or, in tools and tests, from an rdflib Graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph

from carnets.linking.edition import EditionEntity, YearRange, edition_entities
from carnets.linking.names import fold, key_similarity
from carnets.linking.reconciliation_requests import PROPERTIES, TYPES, Query
from carnets.namespaces import ONTOLOGY_IRI

__all__ = ["PROPERTIES", "TYPES", "Query", "ReconciliationIndex", "graph_from_store"]

MIN_NAME_SCORE = 0.7
MATCH_SCORE = 95.0
YEAR = re.compile(r"(?<!\d)-?\d{4}(?!\d)")
QID = re.compile(r"Q\d+")

# The triples the index reads, pulled from a store with one CONSTRUCT over the union graph.
EDITION_CONSTRUCT = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX schema: <https://schema.org/>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX cn: <https://w3id.org/carnets/ontology#>
CONSTRUCT { ?s ?p ?o } WHERE {
  VALUES ?p { rdf:type skos:prefLabel skos:altLabel schema:name rdfs:label schema:alternateName
              schema:birthDate schema:deathDate schema:jobTitle crm:P100_was_death_of
              cn:earliestDate cn:latestDate cn:edtf schema:location schema:author
              schema:containedInPlace schema:datePublished owl:sameAs cn:linkSubject
              cn:linkTarget }
  ?s ?p ?o .
  FILTER(?p != rdf:type || ?o IN (cn:Person, cn:Work, cn:Place, cn:Event, cn:Organization,
                                  cn:Death, cn:WikidataLink))
}
"""


def type_id(kind: str) -> str:
    return TYPES[kind][0]


@dataclass(frozen=True)
class _Given:
    """A property value of a query, read once per query rather than once per candidate."""

    pid: str
    qids: frozenset[str]
    words: frozenset[str]
    years: frozenset[int]

    @classmethod
    def read(cls, pid: str, values: tuple[str, ...]) -> _Given:
        return cls(
            pid,
            frozenset(m.group(0) for v in values for m in [QID.search(v)] if m),
            frozenset(w for v in values for w in fold(v).split()),
            frozenset(int(y) for v in values for y in YEAR.findall(v)),
        )


@dataclass
class ReconciliationIndex:
    """The edition's people, works and places, ready to answer reconciliation requests."""

    entities: list[EditionEntity]
    base: str
    name: str = "Carnets"  # the service's name: the edition's (edition.toml, reconciliation)
    keys: dict[str, list[str]] = field(default_factory=dict, repr=False)
    job_words: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # Names and occupations folded once, not once per query.
        for entity in self.entities:
            names = [n for n, _ in (*entity.names, *entity.alt_names)] or [entity.label]
            self.keys[entity.path] = [fold(name) for name in names]
            self.job_words[entity.path] = {
                w for job in entity.occupations for w in fold(job).split()
            }

    @classmethod
    def from_graph(cls, graph: Graph, base: str, name: str = "Carnets") -> ReconciliationIndex:
        return cls([e for e in edition_entities(graph, base) if e.kind in TYPES], base, name)

    def entity(self, entity_id: str) -> EditionEntity | None:
        entity_id = entity_id.removeprefix(self.base)
        return next((e for e in self.entities if e.path == entity_id), None)

    def manifest(self, service_url: str, batch_size: int = 50) -> dict[str, Any]:
        """The service manifest, with absolute URLs under service_url (no trailing slash)."""
        return {
            "versions": ["0.1", "0.2"],
            "name": self.name,
            "identifierSpace": self.base,
            "schemaSpace": ONTOLOGY_IRI + "#",
            "documentation": f"{service_url}/docs",
            "defaultTypes": [{"id": iri, "name": name} for iri, name in TYPES.values()],
            "view": {"url": self.base + "{{id}}"},
            "preview": {"url": f"{service_url}/preview?id={{{{id}}}}", "width": 420, "height": 160},
            "suggest": {
                kind: {"service_url": service_url, "service_path": f"/suggest/{kind}"}
                for kind in ("entity", "type", "property")
            },
            "extend": {
                "propose_properties": {"service_url": service_url, "service_path": "/properties"},
                "property_settings": [],
            },
            "batchSize": batch_size,
        }

    def reconcile_batch(self, queries: dict[str, Query]) -> dict[str, Any]:
        return {key: self.reconcile(query) for key, query in queries.items()}

    def reconcile(self, query: Query) -> dict[str, Any]:
        """Ranked candidates for one query: its text, optional types, limit and properties."""
        text = fold(query.text)
        given = [_Given.read(pid, values) for pid, values in query.properties if values]
        scored = []
        for entity in self.entities:
            if query.kinds is not None and entity.kind not in query.kinds:
                continue
            result = self._score(entity, text, given)
            if result is not None:
                scored.append(result)
        scored.sort(key=lambda r: (-r["score"], r["name"]))
        if scored:
            best, runner_up = scored[0], scored[1]["score"] if len(scored) > 1 else 0.0
            best["match"] = best.pop("_sure") or (
                best["score"] >= MATCH_SCORE and best["score"] - runner_up >= 10
            )
            for other in scored[1:]:
                other.pop("_sure")
        return {"result": scored[: query.limit]}

    def _score(self, entity: EditionEntity, text: str, given: list[_Given]) -> dict | None:
        """Name similarity (text is folded), then what the properties confirm or refute."""
        outcomes = [(prop.pid, self._property(entity, prop)) for prop in given]
        outcomes = [(pid, outcome) for pid, outcome in outcomes if outcome is not None]
        sure = any(pid == "wikidata" and outcome > 0 for pid, outcome in outcomes)
        # Unless a Wikidata item settles it, a weak name drops the candidate: no need to know
        # how weak (see key_similarity).
        floor = 0.0 if sure else MIN_NAME_SCORE
        keys = self.keys[entity.path]
        name_score = max((key_similarity(text, key, floor) for key in keys), default=0.0)
        if not sure and name_score < MIN_NAME_SCORE:
            return None
        features = [{"id": "name", "value": round(name_score * 100, 1)}]
        score, refuted = name_score * 100, False
        for pid, outcome in outcomes:
            features.append({"id": pid, "value": outcome})
            if pid == "wikidata" and outcome > 0:
                score = 100.0
            else:
                score += outcome
                refuted = refuted or outcome < 0
        return {
            "id": entity.path,
            "name": entity.label,
            "type": [{"id": TYPES[entity.kind][0], "name": TYPES[entity.kind][1]}],
            "description": self.description(entity),
            "score": round(max(0.0, min(100.0, score)), 1),
            "features": features,
            "match": False,
            "_sure": sure and not refuted,
        }

    def _property(self, entity: EditionEntity, prop: _Given) -> float | None:
        """+5 when a property confirms the candidate, -30 when it refutes it, None if silent."""
        if prop.pid == "wikidata":
            if not entity.qid or not prop.qids:
                return None
            return 5.0 if entity.qid in prop.qids else -50.0
        if prop.pid == "occupation":
            words = self.job_words[entity.path]
            return (5.0 if words & prop.words else 0.0) if words and prop.words else None
        expected = {"birthYear": entity.birth, "deathYear": entity.death, "year": entity.date}.get(
            prop.pid
        )
        if expected is None or not prop.years:
            return None
        return 5.0 if any(expected.distance(y) == 0 for y in prop.years) else -30.0

    def description(self, entity: EditionEntity) -> str:
        """A line a reviewer can tell namesakes apart by: dates, occupation, place."""
        parts: list[str] = []
        span = _span(entity.birth, entity.death) if entity.kind == "person" else ""
        if span:
            parts.append(span)
        if entity.kind == "work" and entity.date:
            parts.append(str(entity.date))
        parts += entity.occupations[:2]
        parts += [f"{c.role} {c.names[0]}" for c in entity.connected[:2] if c.names]
        return "; ".join(parts)

    def suggest_entity(
        self, prefix: str, kinds: frozenset[str] | None = None, cursor: int = 0
    ) -> dict:
        """Entities whose name or any word of it starts with prefix, for type-ahead."""
        wanted = fold(prefix)
        hits = []
        for entity in self.entities:
            if kinds is not None and entity.kind not in kinds:
                continue
            names = self.keys[entity.path]
            if wanted and any(n.startswith(wanted) or f" {wanted}" in f" {n}" for n in names):
                starts = any(n.startswith(wanted) for n in names)
                hits.append((not starts, entity.label, entity))
        hits.sort(key=lambda h: (h[0], h[1]))
        return {
            "result": [
                {
                    "id": e.path,
                    "name": e.label,
                    "description": self.description(e),
                    "notable": [{"id": TYPES[e.kind][0], "name": TYPES[e.kind][1]}],
                }
                for _, _, e in hits[cursor : cursor + 10]
            ]
        }

    def suggest_type(self, prefix: str) -> dict:
        wanted = fold(prefix)
        return {
            "result": [
                {"id": iri, "name": name}
                for iri, name in TYPES.values()
                if fold(name).startswith(wanted)
            ]
        }

    def suggest_property(self, prefix: str) -> dict:
        wanted = fold(prefix)
        return {
            "result": [
                {"id": pid, "name": name, "description": help_text}
                for pid, (name, help_text, _) in PROPERTIES.items()
                if fold(pid).startswith(wanted) or fold(name).startswith(wanted)
            ]
        }

    def propose_properties(
        self, type_ref: str, kinds: frozenset[str] | None, limit: int = 10
    ) -> dict:
        """The properties data extension offers for the given kinds (every one without)."""
        properties = [
            {"id": pid, "name": name}
            for pid, (name, _, applies_to) in PROPERTIES.items()
            if kinds is None or not applies_to or kinds & set(applies_to)
        ]
        return {"type": type_ref, "properties": properties[:limit]}

    def extend(self, ids: list[str], pids: list[str]) -> dict:
        """Data extension: the edition's values (Wikidata QIDs, years) for reconciled rows."""
        rows: dict[str, dict[str, list[dict]]] = {}
        for entity_id in ids:
            entity = self.entity(entity_id)
            rows[entity_id] = {pid: self._extension(entity, pid) for pid in pids}
        meta = [{"id": pid, "name": PROPERTIES[pid][0]} for pid in pids]
        return {"meta": meta, "rows": rows}

    def _extension(self, entity: EditionEntity | None, pid: str) -> list[dict]:
        if entity is None:
            return []
        if pid == "wikidata":
            return [{"str": entity.qid}] if entity.qid else []
        if pid == "occupation":
            return [{"str": job} for job in entity.occupations]
        span = {"birthYear": entity.birth, "deathYear": entity.death, "year": entity.date}.get(pid)
        return [{"str": str(span)}] if span else []


def _span(birth: YearRange | None, death: YearRange | None) -> str:
    if birth and death:
        return f"{birth}\u2013{death}"
    if birth:
        return f"born {birth}"
    return f"died {death}" if death else ""


def graph_from_store(store: Any) -> Graph:
    """The triples the index needs, from any carnets Store (embedded or remote)."""
    from carnets.store.base import QueryRequest

    request = QueryRequest(EDITION_CONSTRUCT, "application/n-triples", form="CONSTRUCT")
    result = store.execute(request, 60.0)
    graph = Graph()
    graph.parse(data=result.body.decode("utf-8"), format="nt")
    return graph
