"""Finding Wikidata candidates for the edition's unlinked people, works and places.

Look-ups go in batches (one names query, one facts query per batch) so that a run over the
whole edition costs a handful of requests, not one per person, on a throttled public endpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from carnets.config import Settings
from carnets.linking.edition import LINKED_KINDS, EditionEntity, edition_entities
from carnets.linking.names import fold
from carnets.linking.scoring import ScoredCandidate, rank_candidates, score_candidate
from carnets.linking.wikidata import WikidataClient
from carnets.loading import load_dataset, union_graph


@dataclass
class LinkingRun:
    """One look-up: where and when it ran, and the ranked candidates of every resource."""

    endpoint: str
    started: datetime
    ended: datetime | None = None
    entities: list[EditionEntity] = field(default_factory=list)
    candidates: dict[str, list[ScoredCandidate]] = field(default_factory=dict)

    def all_candidates(self) -> list[ScoredCandidate]:
        return [c for entity in self.entities for c in self.candidates.get(entity.iri, [])]

    def with_status(self, status: str) -> list[ScoredCandidate]:
        return [c for c in self.all_candidates() if c.status == status]

    def unmatched(self) -> list[EditionEntity]:
        """Resources for which nothing was proposed: still in the linking backlog."""
        return [
            e
            for e in self.entities
            if not any(c.status == "proposed" for c in self.candidates.get(e.iri, []))
        ]


def read_entities(settings: Settings) -> list[EditionEntity]:
    """The edition's people, works and places, with their links, from the published files."""
    return edition_entities(union_graph(load_dataset(settings)), settings.base)


def unlinked(entities: Iterable[EditionEntity], kinds: Iterable[str] = ()) -> list[EditionEntity]:
    """The people, works and places (or the given kinds) that have no Wikidata link yet."""
    wanted = set(kinds) or set(LINKED_KINDS)
    return [e for e in entities if e.qid is None and e.kind in wanted]


def find_candidates(
    entities: list[EditionEntity],
    client: WikidataClient,
    progress: Callable[[int], None] | None = None,
) -> LinkingRun:
    """Look every entity up by its names, score what comes back, rank each entity's candidates."""
    run = LinkingRun(endpoint=client.endpoint, started=datetime.now(UTC), entities=list(entities))
    for start in range(0, len(entities), client.batch_size):
        batch = entities[start : start + client.batch_size]
        found = client.find_by_names(name for entity in batch for name in entity.search_names)
        qids_of = {
            entity.iri: sorted(
                {q for name in entity.search_names for q in found.get(fold(name), ())}
            )
            for entity in batch
        }
        items = client.item_facts(q for qids in qids_of.values() for q in qids)
        for entity in batch:
            scored = [score_candidate(entity, items[qid]) for qid in qids_of[entity.iri]]
            run.candidates[entity.iri] = rank_candidates(scored)
        if progress is not None:
            progress(len(batch))
    run.ended = datetime.now(UTC)
    return run
