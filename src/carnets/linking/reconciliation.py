"""Reconciliation over the edition: a scholar's names matched to Serge's people, works, places.

This is the W3C Entity Reconciliation API (the one OpenRefine speaks) without the HTTP: the
manifest, batch queries with types and properties, suggest, data extension. The web blueprint
only parses requests and serializes these answers. The index is built from the edition's graph,
which comes from the store (a CONSTRUCT) or, in tools and tests, from an rdflib Graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rdflib import Graph

from carnets.linking.edition import EditionEntity, YearRange, edition_entities
from carnets.linking.names import fold, similarity
from carnets.namespaces import CN, ONTOLOGY_IRI

TYPES: dict[str, tuple[str, str]] = {
    "person": (str(CN.Person), "Person"),
    "work": (str(CN.Work), "Work"),
    "place": (str(CN.Place), "Place"),
}
PROPERTIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "birthYear": ("birth year", "Year of birth, compared with the edition's records", ("person",)),
    "deathYear": (
        "death year",
        "Year of death; uncertain deaths match their whole range",
        ("person",),
    ),
    "year": ("year", "Year of a work", ("work",)),
    "wikidata": ("Wikidata item", "QID or Wikidata URL: a linked resource matches exactly", ()),
    "occupation": ("occupation", "Occupation as the edition gives it", ("person",)),
}
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


def _kind_of(type_ref: Any) -> str | None:
    """The kind a query's type names: a class IRI, cn:Person, Person or person."""
    if isinstance(type_ref, dict):
        type_ref = type_ref.get("id")
    if not isinstance(type_ref, str) or not type_ref.strip():
        return None
    wanted = type_ref.strip().rsplit("#", 1)[-1].rsplit(":", 1)[-1].lower()
    return wanted if wanted in TYPES else "unknown"


def _values(v: Any) -> list[str]:
    """A property value as OpenRefine sends it: a string, a number, an {id, name} or a list."""
    if isinstance(v, list):
        return [text for item in v for text in _values(item)]
    if isinstance(v, dict):
        return [str(v[k]) for k in ("id", "name", "str") if v.get(k) is not None][:1]
    return [] if v is None else [str(v)]


@dataclass
class ReconciliationIndex:
    """The edition's people, works and places, ready to answer reconciliation requests."""

    entities: list[EditionEntity]
    base: str
    name: str = "Carnets: Victor Serge's notebooks of 1944"

    @classmethod
    def from_graph(cls, graph: Graph, base: str) -> ReconciliationIndex:
        return cls([e for e in edition_entities(graph, base) if e.kind in TYPES], base)

    def entity(self, entity_id: str) -> EditionEntity | None:
        entity_id = entity_id.removeprefix(self.base)
        return next((e for e in self.entities if e.path == entity_id), None)

    def manifest(self, service_url: str) -> dict[str, Any]:
        """The service manifest, with absolute URLs under service_url (no trailing slash)."""
        return {
            "versions": ["0.1", "0.2"],
            "name": self.name,
            "identifierSpace": self.base,
            "schemaSpace": ONTOLOGY_IRI + "#",
            "documentation": f"{service_url}/",
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
            "batchSize": 50,
        }

    def reconcile_batch(self, queries: dict[str, Any]) -> dict[str, Any]:
        return {key: self.reconcile(query) for key, query in queries.items()}

    def reconcile(self, query: Any) -> dict[str, Any]:
        """Ranked candidates for one query: its text, optional type, limit and properties."""
        if isinstance(query, str):
            query = {"query": query}
        if not isinstance(query, dict):
            return {"result": []}
        text = str(query.get("query", "")).strip()
        kind = _kind_of(query.get("type"))
        limit = query.get("limit") if isinstance(query.get("limit"), int) else 5
        properties = [p for p in query.get("properties") or [] if isinstance(p, dict)]
        scored = []
        for entity in self.entities:
            if kind is not None and entity.kind != kind:
                continue
            result = self._score(entity, text, properties)
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
        return {"result": scored[: max(0, limit)]}

    def _score(self, entity: EditionEntity, text: str, properties: list) -> dict | None:
        names = [n for n, _ in (*entity.names, *entity.alt_names)] or [entity.label]
        name_score = max((similarity(text, name) for name in names), default=0.0) if text else 0.0
        features = [{"id": "name", "value": round(name_score * 100, 1)}]
        score, sure, refuted = name_score * 100, False, False
        for prop in properties:
            pid = prop.get("pid") or prop.get("p")
            values = _values(prop.get("v"))
            outcome = self._property(entity, pid, values)
            if outcome is None:
                continue
            features.append({"id": pid, "value": outcome})
            if pid == "wikidata" and outcome > 0:
                score, sure = 100.0, True
            else:
                score += outcome
                refuted = refuted or outcome < 0
        if not sure and (name_score < MIN_NAME_SCORE or not text):
            return None
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

    def _property(self, entity: EditionEntity, pid: Any, values: list[str]) -> float | None:
        """+5 when a property confirms the candidate, -30 when it refutes it, None if silent."""
        if not values:
            return None
        if pid == "wikidata":
            qids = {m.group(0) for v in values for m in [QID.search(v)] if m}
            if not entity.qid or not qids:
                return None
            return 5.0 if entity.qid in qids else -50.0
        if pid == "occupation":
            words = {w for job in entity.occupations for w in fold(job).split()}
            given = {w for v in values for w in fold(v).split()}
            return (5.0 if words & given else 0.0) if words and given else None
        expected = {"birthYear": entity.birth, "deathYear": entity.death, "year": entity.date}.get(
            str(pid)
        )
        years = [int(y) for v in values for y in YEAR.findall(v)]
        if expected is None or not years:
            return None
        return 5.0 if any(expected.distance(y) == 0 for y in years) else -30.0

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

    def suggest_entity(self, prefix: str, kind: str | None = None, cursor: int = 0) -> dict:
        """Entities whose name or any word of it starts with prefix, for type-ahead."""
        wanted = fold(prefix)
        hits = []
        for entity in self.entities:
            if kind and entity.kind != kind:
                continue
            names = [fold(n) for n, _ in (*entity.names, *entity.alt_names)]
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

    def propose_properties(self, type_ref: str, limit: int = 10) -> dict:
        kind = _kind_of(type_ref)
        properties = [
            {"id": pid, "name": name}
            for pid, (name, _, kinds) in PROPERTIES.items()
            if not kinds or kind in kinds
        ]
        return {"type": type_ref, "properties": properties[:limit]}

    def extend(self, ids: list[str], properties: list[dict]) -> dict:
        """Data extension: the edition's values (Wikidata QIDs, years) for reconciled rows."""
        pids = [str(p.get("id")) for p in properties if isinstance(p, dict)]
        rows: dict[str, dict[str, list[dict]]] = {}
        for entity_id in ids:
            entity = self.entity(entity_id)
            rows[entity_id] = {pid: self._extension(entity, pid) for pid in pids}
        meta = [{"id": pid, "name": PROPERTIES.get(pid, (pid,))[0]} for pid in pids]
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
    result = store.query(EDITION_CONSTRUCT, "application/n-triples")
    graph = Graph()
    graph.parse(data=result.body.decode("utf-8"), format="nt")
    return graph
