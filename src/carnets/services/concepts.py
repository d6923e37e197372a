"""The SKOS concepts of the ontology (manners of death, certainty, relations to the writer) for
pages: labels and definitions in both languages, their place in the scheme, and what in the
edition uses them. One query per page, the concept bound by the store. Nothing here imports
Flask.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from carnets.services.display import local_href
from carnets.services.texts import pick
from carnets.store.base import Store

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

CONCEPT = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT * WHERE {
  { BIND("out" AS ?part) ?c ?p ?o .
    OPTIONAL { ?o skos:prefLabel ?label } }
  UNION
  { BIND("in" AS ?part) ?s ?p ?c .
    OPTIONAL { ?s skos:prefLabel ?label }
    OPTIONAL { ?p rdfs:label ?plabel } }
}
"""
# Schemes list their concepts by skos:inScheme (in), which the "in" branch brings as well.

STRUCTURE = {
    SKOS + "inScheme": "scheme",
    SKOS + "topConceptOf": "scheme",
    SKOS + "broader": "broader",
    SKOS + "narrower": "narrower",
    SKOS + "hasTopConcept": "top",
}


@dataclass
class Term:
    href: str
    label: str


@dataclass
class ConceptView:
    iri: str
    is_scheme: bool
    labels: dict[str | None, str]
    definitions: dict[str | None, str]
    title: str
    related: dict[str, list[Term]] = field(default_factory=dict)  # scheme, broader, narrower…
    members: list[Term] = field(default_factory=list)  # a scheme's concepts
    used_by: dict[str, list[Term]] = field(default_factory=dict)  # property label → resources


class ConceptService:
    def __init__(self, store: Store, base: str, *, timeout: float = 30.0) -> None:
        self.store = store
        self.base = base
        self.timeout = timeout

    def view(self, iri: str, lang: str = "en") -> ConceptView | None:
        rows = self.store.select(CONCEPT, {"c": ox.NamedNode(iri)}, self.timeout)
        if not rows:
            return None
        labels: dict[str | None, str] = {}
        definitions: dict[str | None, str] = {}
        types: set[str] = set()
        term_labels: dict[str, dict] = defaultdict(dict)
        related: dict[str, list[str]] = defaultdict(list)
        used: dict[str, list[str]] = defaultdict(list)
        property_labels: dict[str, dict] = defaultdict(dict)
        members: list[str] = []
        for row in rows:
            p = row["p"].value
            if row["part"].value == "out":
                o = row["o"]
                if p == SKOS + "prefLabel":
                    labels[o.language] = o.value
                elif p == SKOS + "definition":
                    definitions[o.language] = o.value
                elif p == RDF_TYPE:
                    types.add(o.value)
                elif p in STRUCTURE and isinstance(o, ox.NamedNode):
                    if o.value not in related[STRUCTURE[p]]:
                        related[STRUCTURE[p]].append(o.value)
                    if "label" in row:
                        term_labels[o.value][row["label"].language] = row["label"].value
            else:
                s = row["s"].value
                if "label" in row:
                    term_labels[s][row["label"].language] = row["label"].value
                if p in (SKOS + "inScheme", SKOS + "topConceptOf"):
                    if s not in members:
                        members.append(s)
                elif p not in STRUCTURE:
                    if s not in used[p]:
                        used[p].append(s)
                    if "plabel" in row:
                        property_labels[p][row["plabel"].language] = row["plabel"].value

        def term(value: str) -> Term:
            return Term(local_href(value, self.base), pick(term_labels[value], lang, value))

        return ConceptView(
            iri=iri,
            is_scheme=SKOS + "ConceptScheme" in types,
            labels=labels,
            definitions=definitions,
            title=pick(labels, lang, iri),
            related={name: [term(v) for v in values] for name, values in related.items()},
            members=sorted((term(v) for v in members), key=lambda t: t.label.casefold()),
            used_by={
                pick(property_labels[p], lang, p.rsplit("#", 1)[-1]): sorted(
                    (term(v) for v in values), key=lambda t: t.label.casefold()
                )
                for p, values in used.items()
            },
        )
