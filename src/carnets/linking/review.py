"""The review file: candidates written for a person to check, never published as they stand.

It lives under data/review/ (outside the published graphs) and is plain Turtle, so a reviewer
accepts a candidate by changing its cn:reviewStatus to "accepted" in an editor; a new look-up
keeps those decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from carnets.linking.linker import LinkingRun
from carnets.linking.output import write_data_file
from carnets.linking.scoring import ScoredCandidate
from carnets.loading import read_graph
from carnets.namespaces import CN, WD, bind_prefixes

REVIEW_FILE = Path("review") / "wikidata-candidates.ttl"
STATUSES = ("proposed", "tied", "alternative", "rejected", "accepted")
REVIEW_STATUS = CN.reviewStatus
RANK = CN.rank
WIKIDATA_PAGE = Namespace("https://www.wikidata.org/wiki/")

HEADER = """\
# Wikidata candidates for the edition: NOT published links.
# Written by `carnets link wikidata` on {date} from {endpoint}.
# Each cn:WikidataCandidate has a score (0-1) and the evidence for and against it; the best
# uncontradicted one per resource is "proposed", weaker ones "alternative", contradicted or
# weak ones "rejected". When several share the best score, none is proposed: they are "tied",
# and a "tie:" note says what tells them apart. To publish a link, check the item on Wikidata,
# change its cn:reviewStatus to "accepted", and run `carnets link accept` (or `carnets link
# accept --id person/slug`, or --id person/slug=Q123 for a tied or alternative item). A new
# look-up keeps "accepted" marks.
"""


@dataclass
class ReviewCandidate:
    """A candidate as the review file holds it, possibly marked by a reviewer."""

    iri: str
    subject: str
    qid: str
    status: str
    score: float
    label: str = ""
    endpoint: str = ""
    looked_up: str = ""
    evidence: list[str] = field(default_factory=list)


def candidate_iri(base: str, candidate: ScoredCandidate) -> URIRef:
    return URIRef(f"{base}review/wikidata/{candidate.entity.path}/{candidate.item.qid}")


def review_graph(run: LinkingRun, base: str, accepted: set[str] = frozenset()) -> Graph:
    """The candidates of a run as RDF; candidates in `accepted` keep the reviewer's mark."""
    graph = Graph()
    bind_prefixes(graph)
    stamp = run.started.strftime("%Y%m%dT%H%M%SZ")
    activity = URIRef(f"{base}review/wikidata/run/{stamp}")
    endpoint = URIRef(run.endpoint)
    when = Literal(run.started.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add(
        (activity, RDFS.label, Literal("Wikidata look-up by carnets link wikidata", lang="en"))
    )
    graph.add((activity, PROV.startedAtTime, when))
    if run.ended is not None:
        ended = Literal(run.ended.isoformat(timespec="seconds"), datatype=XSD.dateTime)
        graph.add((activity, PROV.endedAtTime, ended))
    graph.add((activity, PROV.used, endpoint))
    for candidate in run.all_candidates():
        node = candidate_iri(base, candidate)
        item = candidate.item
        status = "accepted" if str(node) in accepted else candidate.status
        described = f"{item.label} ({item.qid})" + (
            f": {item.description}" if item.description else ""
        )
        graph.add((node, RDF.type, CN.WikidataCandidate))
        graph.add((node, RDFS.label, Literal(described, lang="en")))
        graph.add((node, CN.linkSubject, URIRef(candidate.entity.iri)))
        graph.add((node, CN.linkTarget, WD[item.qid]))
        graph.add(
            (node, CN.score, Literal(Decimal(f"{candidate.score:.2f}"), datatype=XSD.decimal))
        )
        graph.add((node, RANK, Literal(candidate.rank)))
        graph.add((node, REVIEW_STATUS, Literal(status)))
        for evidence in candidate.evidence:
            graph.add((node, CN.evidence, Literal(str(evidence), lang="en")))
        graph.add((node, DCTERMS.source, endpoint))
        graph.add((node, RDFS.seeAlso, WIKIDATA_PAGE[item.qid]))
        graph.add((node, PROV.wasGeneratedBy, activity))
        graph.add((node, PROV.generatedAtTime, when))
    return graph


def review_turtle(
    run: LinkingRun, base: str, accepted: set[str] = frozenset(), kept: Graph | None = None
) -> str:
    header = HEADER.format(date=run.started.isoformat(timespec="seconds"), endpoint=run.endpoint)
    graph = review_graph(run, base, accepted)
    if kept is not None:
        graph += kept
    return header + graph.serialize(format="turtle")


def write_review(path: Path, run: LinkingRun, base: str, keep: set[str] = frozenset()) -> str:
    """Write the run's candidates to path, keeping the accepted marks of the file it replaces
    and the earlier candidates of the resources in `keep` (still unlinked, not looked up now)."""
    accepted: set[str] = set()
    kept = None
    if path.exists():
        accepted = {c.iri for c in read_review(path) if c.status == "accepted"}
        kept = _earlier_candidates(read_graph(path), keep)
    text = review_turtle(run, base, accepted, kept)
    write_data_file(path, text)
    return text


def _earlier_candidates(previous: Graph, keep: set[str]) -> Graph:
    """The candidates (and the look-ups that found them) of the resources in keep."""
    kept = Graph()
    for node in previous.subjects(RDF.type, CN.WikidataCandidate):
        if str(previous.value(node, CN.linkSubject)) in keep:
            kept += previous.triples((node, None, None))
            activity = previous.value(node, PROV.wasGeneratedBy)
            if activity is not None:
                kept += previous.triples((activity, None, None))
    return kept


def read_review(path: Path) -> list[ReviewCandidate]:
    """The candidates of a review file, best first within each resource."""
    graph = read_graph(path)
    candidates: list[ReviewCandidate] = []
    for node in graph.subjects(RDF.type, CN.WikidataCandidate):
        activity = graph.value(node, PROV.wasGeneratedBy)
        target = str(graph.value(node, CN.linkTarget) or "")
        candidates.append(
            ReviewCandidate(
                iri=str(node),
                subject=str(graph.value(node, CN.linkSubject) or ""),
                qid=target.rsplit("/", 1)[-1],
                status=str(graph.value(node, REVIEW_STATUS) or "").strip().lower(),
                score=float(graph.value(node, CN.score) or 0),
                label=str(graph.value(node, RDFS.label) or ""),
                endpoint=str(graph.value(node, DCTERMS.source) or ""),
                looked_up=str(
                    graph.value(node, PROV.generatedAtTime)
                    or (graph.value(activity, PROV.startedAtTime) if activity else "")
                    or ""
                ),
                evidence=sorted(str(e) for e in graph.objects(node, CN.evidence)),
            )
        )
    rank = {c.iri: int(graph.value(URIRef(c.iri), RANK) or 0) for c in candidates}
    return sorted(candidates, key=lambda c: (c.subject, rank[c.iri], c.qid))
