"""Scoring a Wikidata item against an edition resource, keeping every reason for the score.

A name match alone proves little: Wikidata holds many people called Max Jacob and a song called
Istanbul. So a candidate earns its score from independent evidence (type, dates, occupation,
connected places and works), and a single contradiction (not a human, born forty years later)
rejects it whatever its name. The evidence is kept in words so that a reviewer sees why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carnets.linking.edition import Connected, EditionEntity, YearRange
from carnets.linking.names import fold
from carnets.linking.wikidata import LANGUAGES, WikidataItem

MIN_SCORE = 0.5  # below this a candidate lacks evidence even without a contradiction
CALENDAR_DAYS = 13  # the Julian calendar's lag in the 20th century

HUMAN = "Q5"
# Classes of the works the edition holds (books, periodicals, paintings, articles, letters, sites).
WORK_CLASSES = frozenset(
    [
        "Q7725634",
        "Q47461344",
        "Q571",
        "Q8261",
        "Q41298",
        "Q1002697",
        "Q11032",
        "Q1110794",
        "Q3305213",
        "Q838948",
        "Q191067",
        "Q5185279",
        "Q49848",
        "Q13442814",
        "Q17537576",
        "Q277759",
        "Q25379",
        "Q35760",
        "Q3331189",
        "Q36279",
        "Q49084",
        "Q35127",
        "Q133492",
    ]
)
PLACE_CLASSES = frozenset(
    [
        "Q515",
        "Q1549591",
        "Q486972",
        "Q6256",
        "Q3624078",
        "Q5107",
        "Q165",
        "Q484170",
        "Q23442",
        "Q8502",
        "Q4022",
        "Q82794",
        "Q7275",
        "Q3957",
        "Q532",
        "Q5119",
        "Q2221906",
        "Q618123",
        "Q41176",
        "Q12518",
        "Q174782",
        "Q79007",
        "Q1620908",
        "Q3024240",
        "Q15642541",
        "Q7930989",
    ]
)
# Classes whose items share names with the edition's works and places but are never them.
NEVER_WORK_OR_PLACE = frozenset(
    [
        "Q5",
        "Q11424",
        "Q482994",
        "Q7366",
        "Q134556",
        "Q101352",
        "Q202444",
        "Q4167410",
        "Q5398426",
        "Q3863",
    ]
)

# Which claims hold the edition's connected resources, and what a mismatch costs
# (None: a mismatch is a contradiction; 0: it says nothing).
CONNECTIONS: dict[str, tuple[tuple[str, ...], float, float | None]] = {
    "place of death": (("P20",), 0.1, -0.2),
    "work": (("P800",), 0.1, 0.0),
    "author": (("P50", "P170"), 0.25, None),
    "country": (("P17", "P131"), 0.15, -0.25),
}


@dataclass(frozen=True)
class Evidence:
    """One reason for or against a candidate, with its weight in the score; or, for a tie, what
    the look-up knows that tells the tied items apart (no weight: it is not about identity)."""

    weight: float
    text: str
    conflict: bool = False
    tie: bool = False

    def __str__(self) -> str:
        kind = "conflict" if self.conflict else "tie" if self.tie else f"{self.weight:+.2f}"
        return f"{kind}: {self.text}"


@dataclass
class ScoredCandidate:
    """A Wikidata item considered for an edition resource, its score and the reasons for it."""

    entity: EditionEntity
    item: WikidataItem
    evidence: list[Evidence] = field(default_factory=list)
    # proposed (the best), tied (the best, with another as good), alternative, rejected
    status: str = "rejected"
    rank: int = 0

    @property
    def score(self) -> float:
        return round(min(1.0, max(0.0, sum(e.weight for e in self.evidence))), 2)

    @property
    def conflicts(self) -> list[Evidence]:
        return [e for e in self.evidence if e.conflict]


def score_candidate(entity: EditionEntity, item: WikidataItem) -> ScoredCandidate:
    """Weigh every piece of evidence the edition has about entity against the item's claims."""
    evidence = [*_name_evidence(entity, item), *_type_evidence(entity.kind, item)]
    if entity.kind == "person":
        evidence += _year_evidence("born", entity.birth, item, ("P569",), 0.15, conflict=True)
        evidence += _year_evidence("died", entity.death, item, ("P570",), 0.2, conflict=True)
        evidence += _occupation_evidence(entity.occupations, item)
    if entity.kind == "work":
        evidence += _year_evidence("dated", entity.date, item, ("P577", "P571"), 0.15, False)
    for connected in entity.connected:
        evidence += _connection_evidence(connected, item)
    return ScoredCandidate(entity, item, [e for e in evidence if e.weight or e.conflict])


def rank_candidates(candidates: list[ScoredCandidate]) -> list[ScoredCandidate]:
    """Order one resource's candidates best first; only the best uncontradicted one is proposed.

    When two or more share the best score, none is proposed: each is marked "tied", with a
    note of what the look-up found that tells them apart (how well known each item is, its
    country), for a reviewer to decide. Within a tie, the better-known item is listed first.
    """
    ordered = sorted(
        candidates,
        key=lambda c: (
            bool(c.conflicts), -c.score, -(c.item.sitelinks or 0), len(c.item.qid), c.item.qid
        ),
    )  # fmt: skip
    eligible = [c for c in ordered if not c.conflicts and c.score >= MIN_SCORE]
    best = [c for c in eligible if c.score == eligible[0].score] if eligible else []
    tied = {id(c) for c in best} if len(best) > 1 else set()
    for rank, candidate in enumerate(ordered, start=1):
        candidate.rank = rank
        if candidate.conflicts or candidate.score < MIN_SCORE:
            candidate.status = "rejected"
        elif id(candidate) in tied:
            candidate.status = "tied"
            candidate.evidence.append(_tie_evidence(candidate, best))
        elif candidate is eligible[0]:
            candidate.status = "proposed"
        else:
            candidate.status = "alternative"
    return ordered


def _tie_evidence(candidate: ScoredCandidate, tied: list[ScoredCandidate]) -> Evidence:
    """Which items tie with the candidate, and the facts that set them apart, if any."""
    others = [c for c in tied if c is not candidate]
    text = f"scores {candidate.score:.2f}, as does " + ", ".join(
        f"{c.item.qid} ({c.item.label})" for c in others
    )
    differences = []
    sitelinks = [c.item.sitelinks for c in tied]
    if len(set(sitelinks)) > 1:
        differences.append(
            f"{_count(candidate.item.sitelinks)} Wikipedia and other sitelinks, against "
            + ", ".join(f"{_count(c.item.sitelinks)} for {c.item.qid}" for c in others)
        )
    countries = [tuple(sorted(c.item.value_labels("P17") or c.item.values("P17"))) for c in tied]
    if len(set(countries)) > 1:
        mine = ", ".join(countries[tied.index(candidate)]) or "no country"
        differences.append(
            f"country {mine}, against "
            + ", ".join(
                f"{', '.join(countries[i]) or 'none'} for {c.item.qid}"
                for i, c in enumerate(tied)
                if c is not candidate
            )
        )
    if differences:
        return Evidence(0.0, f"{text}; they differ in: {'; '.join(differences)}", tie=True)
    return Evidence(0.0, f"{text}; nothing the look-up found tells them apart", tie=True)


def _count(sitelinks: int | None) -> str:
    return "no" if sitelinks is None else str(sitelinks)


def kind_problem(kind: str, item: WikidataItem) -> str | None:
    """Why the item cannot be a resource of this kind, or None if it may be."""
    types = set(item.values("P31"))
    type_names = ", ".join(item.value_labels("P31")) or ", ".join(sorted(types))
    if kind == "person":
        if types and HUMAN not in types:
            return f"instance of {type_names}, not a human"
        return None
    if types & NEVER_WORK_OR_PLACE and not types & (WORK_CLASSES | PLACE_CLASSES):
        return f"instance of {type_names}, not {'an' if kind[0] in 'aeiou' else 'a'} {kind}"
    if kind == "work" and "P625" in item.claims and not types & WORK_CLASSES:
        return f"instance of {type_names} with coordinates, a place rather than a work"
    return None


def _name_evidence(entity: EditionEntity, item: WikidataItem) -> list[Evidence]:
    strong = {fold(text) for text, _ in entity.names}
    weak = {fold(text) for text, _ in entity.alt_names}
    for wanted, weight, what in ((strong, 0.35, "its name"), (weak, 0.25, "a form it uses")):
        for source, names in (("label", item.labels), ("alias", item.alt_labels)):
            for lang, values in sorted(names.items(), key=_language_order):
                for value in values:
                    if fold(value) in wanted:
                        text = f"{source} '{value}'@{lang} is {what} in the edition"
                        return [Evidence(weight, text)]
    return [Evidence(0.0, "no label matches the edition's names")]


def _language_order(entry: tuple[str, list[str]]) -> tuple[int, str]:
    lang = entry[0]
    return (LANGUAGES.index(lang) if lang in LANGUAGES else len(LANGUAGES), lang)


def _type_evidence(kind: str, item: WikidataItem) -> list[Evidence]:
    problem = kind_problem(kind, item)
    if problem:
        return [Evidence(-0.5, problem, conflict=True)]
    types = set(item.values("P31"))
    names = ", ".join(item.value_labels("P31")) or ", ".join(sorted(types))
    if kind == "person" and HUMAN in types:
        return [Evidence(0.25, "instance of human (Q5)")]
    if kind == "work" and types & WORK_CLASSES:
        return [Evidence(0.25, f"instance of {names}, a kind of work the edition holds")]
    if kind == "work" and {"P50", "P170", "P577"} & item.claims.keys():
        return [
            Evidence(0.15, f"has an author, creator or publication date ({names or 'no type'})")
        ]
    if kind == "place" and (types & PLACE_CLASSES or "P625" in item.claims):
        return [Evidence(0.25, f"a place ({names or 'has coordinates'})")]
    return [Evidence(0.0, f"type {names or 'unknown'} neither confirms nor refutes")]


def _year_evidence(
    verb: str,
    expected: YearRange | None,
    item: WikidataItem,
    pids: tuple[str, ...],
    weight: float,
    conflict: bool,
) -> list[Evidence]:
    """Same year: the full weight. A different year only a few days away (a Julian date, a
    year-precision value read as 1 January): a little. Otherwise a contradiction."""
    pid = next((p for p in pids if item.values(p)), None)
    if expected is None or pid is None or not item.years(pid):
        return []
    best = min(item.years(pid), key=expected.distance)
    if expected.distance(best) == 0:
        return [Evidence(weight, f"{verb} {best}, as the edition says")]
    gaps = [g for g in (expected.days_outside(day) for day in item.days(pid)) if g is not None]
    if gaps and min(gaps) <= CALENDAR_DAYS:
        text = f"{verb} {best}; the edition says {expected}, {min(gaps)} days away"
        return [Evidence(0.05, text + " (calendar or precision)")]
    text = f"{verb} {best}; the edition says {expected}"
    return [Evidence(-0.5 if conflict else -0.2, text, conflict=conflict)]  # fmt: skip


def _occupation_evidence(occupations: list[str], item: WikidataItem) -> list[Evidence]:
    words = {word for job in occupations for word in fold(job).split() if len(word) > 3}
    shared = [label for label in item.value_labels("P106") if set(fold(label).split()) & words]
    if shared:
        return [Evidence(0.1, f"occupation {', '.join(shared)}")]
    return []


def _connection_evidence(connected: Connected, item: WikidataItem) -> list[Evidence]:
    pids, reward, mismatch = CONNECTIONS.get(connected.role, ((), 0.0, 0.0))
    claims = [claim for pid in pids for claim in item.claims.get(pid, [])]
    if not claims or not connected.names:
        return []
    wanted = {fold(name) for name in connected.names}
    for value, label in claims:
        if (connected.qid and value == connected.qid) or (label and fold(label) in wanted):
            return [Evidence(reward, f"{connected.role} {label or value}, as in the edition")]
    found = ", ".join(label or value for value, label in claims)
    text = f"{connected.role} {found}; the edition has {connected.names[0]}"
    if mismatch is None:
        return [Evidence(-0.5, text, conflict=True)]
    return [Evidence(mismatch, text)]
