"""Checking published links against Wikidata: a wrong identifier is caught, not published.

Items change and identifiers get mistyped (a real case: a list giving Saint-Exupéry another
person's QID), so every link is re-read and compared with what the edition itself says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from carnets.linking.edition import EditionEntity, YearRange
from carnets.linking.names import fold
from carnets.linking.scoring import kind_problem
from carnets.linking.wikidata import WikidataClient, WikidataItem


@dataclass
class LinkCheck:
    """One link, what Wikidata says about its item, and where the two disagree."""

    entity: EditionEntity
    item: WikidataItem
    problems: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return not self.problems


def check_links(
    entities: list[EditionEntity],
    client: WikidataClient,
    progress: Callable[[int], None] | None = None,
) -> list[LinkCheck]:
    """Compare every linked entity with its item: existence, type, names, birth and death years."""
    linked = [e for e in entities if e.qid]
    checks: list[LinkCheck] = []
    for start in range(0, len(linked), client.batch_size):
        batch = linked[start : start + client.batch_size]
        items = client.item_facts(e.qid for e in batch if e.qid)
        checks += [
            LinkCheck(e, items[e.qid], disagreements(e, items[e.qid])) for e in batch if e.qid
        ]
        if progress is not None:
            progress(len(batch))
    return checks


def disagreements(entity: EditionEntity, item: WikidataItem) -> list[str]:
    """Every way the item contradicts the edition; empty when they agree."""
    if not item.exists:
        return [f"{item.qid} has no label or claim: deleted, merged or mistyped"]
    problems: list[str] = []
    problem = kind_problem(entity.kind, item)
    if problem:
        problems.append(problem)
    item_names = {fold(n) for n in item.all_names}
    edition_names = {fold(text) for text, _ in (*entity.names, *entity.alt_names)}
    if edition_names and not item_names & edition_names:
        problems.append(f"label '{item.label}' matches none of the edition's names")
    if entity.kind == "person":
        problems += _year_problem("birth", entity.birth, item.years("P569"))
        problems += _year_problem("death", entity.death, item.years("P570"))
    return problems


def _year_problem(what: str, expected: YearRange | None, years: list[int]) -> list[str]:
    if expected is None or not years or any(y in expected for y in years):
        return []
    found = ", ".join(str(y) for y in sorted(set(years)))
    return [f"{what} year {found} on Wikidata; the edition says {expected}"]
