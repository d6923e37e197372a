"""Promoting reviewed candidates to published links in data/links-reviewed.ttl, with provenance.

The links file is edited by hand too, so accepting appends a Turtle block rather than
re-serializing the file: comments and layout survive, and the diff shows exactly what a
review added. The result is parsed before it replaces the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, XSD

from carnets.errors import LinkingError
from carnets.linking.edition import links_of
from carnets.linking.output import write_data_file
from carnets.linking.review import WIKIDATA_PAGE, ReviewCandidate
from carnets.loading import LINKS_FILE, REVIEWED_LINKS_FILE, read_graph
from carnets.namespaces import CN, WD, bind_prefixes


@dataclass(frozen=True)
class Acceptance:
    """What `link accept` will do: the candidates it publishes and the ones it leaves, and why;
    `forced` are those it publishes although the review file says "rejected"."""

    accepted: list[ReviewCandidate]
    skipped: list[tuple[ReviewCandidate, str]]
    forced: list[ReviewCandidate] = field(default_factory=list)


REVIEWED_HEADER = (
    "# Wikidata links accepted by a reviewer with `carnets link accept`, each with its evidence.\n"
    "# data/links.ttl beside it is generated from the verified reference list by `carnets build`.\n"
)


def links_path(data_dir: Path) -> Path:
    """Reviewed links have a file of their own: `carnets build` regenerates data/links.ttl
    from the verified reference list and must not overwrite what reviewers accepted."""
    return data_dir / REVIEWED_LINKS_FILE


def choose(
    candidates: list[ReviewCandidate],
    ids: tuple[str, ...],
    base: str,
    linked: dict[str, str],
    force: bool = False,
) -> Acceptance:
    """The candidates marked "accepted" in the review file plus those named by ids.

    An id is a resource path ("person/jane-doe": its proposed candidate), a path and a QID
    ("person/jane-doe=Q123"), or a candidate's IRI. A resource already linked is skipped, and
    two different items accepted for one resource are refused: a person has one Wikidata item.
    A candidate the linker or a reviewer marked "rejected" is published only with force: the
    mark usually records a contradiction (another person's dates, a song for a city).
    """
    chosen = {c.iri: c for c in candidates if c.status == "accepted"}
    for wanted in ids:
        chosen.update({c.iri: c for c in _by_id(candidates, wanted, base)})
    rejected = [c for c in chosen.values() if c.status == "rejected"]
    if rejected and not force:
        raise LinkingError(
            "the review file marks these candidates rejected; check them, and give --force to "
            "publish them anyway:\n" + "\n".join(_rejection(c) for c in rejected)
        )
    by_subject: dict[str, set[str]] = {}
    for candidate in chosen.values():
        by_subject.setdefault(candidate.subject, set()).add(candidate.qid)
    clashes = {s: q for s, q in by_subject.items() if len(q) > 1}
    if clashes:
        listed = "; ".join(f"{s}: {', '.join(sorted(q))}" for s, q in sorted(clashes.items()))
        raise LinkingError(f"more than one item accepted for a resource: {listed}")
    accepted, skipped = [], []
    for candidate in sorted(chosen.values(), key=lambda c: c.subject):
        existing = linked.get(candidate.subject)
        if existing == candidate.qid:
            skipped.append((candidate, "already linked to this item"))
        elif existing:
            skipped.append((candidate, f"already linked to {existing}; edit the links files"))
        else:
            accepted.append(candidate)
    published = {c.iri for c in accepted}
    return Acceptance(accepted, skipped, [c for c in rejected if c.iri in published])


def _rejection(candidate: ReviewCandidate) -> str:
    reasons = [e for e in candidate.evidence if e.startswith("conflict:")]
    why = "; ".join(reasons) or f"score {candidate.score:.2f}, or a reviewer's mark"
    return f"  {candidate.subject} -> {candidate.qid} {candidate.label}: {why}"


def _by_id(candidates: list[ReviewCandidate], wanted: str, base: str) -> list[ReviewCandidate]:
    path, _, qid = wanted.partition("=")
    subject = path if path.startswith(("http://", "https://")) else base + path.strip("/")
    if any(c.iri == wanted for c in candidates):
        return [c for c in candidates if c.iri == wanted]
    mine = [c for c in candidates if c.subject == subject]
    tied = [c for c in mine if c.status == "tied"]
    if qid:
        mine = [c for c in mine if c.qid == qid.strip()]
    else:
        mine = [c for c in mine if c.status in ("proposed", "accepted")][:1]
    if not mine and tied and not qid:
        choices = "; ".join(c.label or c.qid for c in tied)
        raise LinkingError(
            f"--id {wanted!r}: nothing is proposed, as these tie: {choices}. Check them and "
            f"name one, as in --id {path.strip('/')}={tied[0].qid}"
        )
    if not mine:
        raise LinkingError(f"no candidate in the review file matches --id {wanted!r}")
    return mine


def links_graph(
    accepted: list[ReviewCandidate],
    base: str,
    now: datetime,
    forced: frozenset[str] = frozenset(),
) -> Graph:
    """The owl:sameAs statements and their cn:WikidataLink records; a candidate whose IRI is in
    `forced` was published over a rejection, and its record says so."""
    graph = Graph()
    bind_prefixes(graph)
    when = Literal(now.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    for candidate in accepted:
        subject, target = URIRef(candidate.subject), WD[candidate.qid]
        path = (
            candidate.subject[len(base) :] if candidate.subject.startswith(base) else candidate.qid
        )
        record = URIRef(f"{base}link/{path}")
        graph.add((subject, OWL.sameAs, target))
        graph.add((record, RDF.type, CN.WikidataLink))
        graph.add((record, RDF.type, PROV.Entity))
        graph.add((record, CN.linkSubject, subject))
        graph.add((record, CN.linkTarget, target))
        summary = (
            f"Accepted after review of a candidate found by `carnets link wikidata` at "
            f"{candidate.endpoint or 'a Wikidata endpoint'} "
            f"on {candidate.looked_up or 'an unknown date'}"
            f" (score {candidate.score:.2f})."
        )
        if candidate.iri in forced:
            summary += " The review file marked it rejected; it was published with --force."
        graph.add((record, CN.evidence, Literal(summary, lang="en")))
        for evidence in candidate.evidence:
            graph.add((record, CN.evidence, Literal(evidence, lang="en")))
        graph.add((record, DCTERMS.source, WIKIDATA_PAGE[candidate.qid]))
        graph.add((record, PROV.generatedAtTime, when))
    return graph


def links_block(
    accepted: list[ReviewCandidate],
    base: str,
    now: datetime | None = None,
    forced: frozenset[str] = frozenset(),
) -> str:
    now = now or datetime.now(UTC)
    body = links_graph(accepted, base, now, forced).serialize(format="turtle")
    stamp = now.isoformat(timespec="seconds")
    return f"\n# Accepted by `carnets link accept` on {stamp}.\n{body}"


def append_links(path: Path, block: str) -> None:
    """Append a block to the links file, refusing to leave a file that does not parse."""
    existing = path.read_text(encoding="utf-8") if path.exists() else REVIEWED_HEADER
    text = existing + ("" if not existing or existing.endswith("\n") else "\n") + block
    check = Graph()
    try:
        check.parse(data=text, format="turtle")
    except Exception as error:  # rdflib raises several kinds; none may reach the file
        raise LinkingError(
            f"{path}: the links would not parse ({error}); nothing written"
        ) from error
    write_data_file(path, text)


def current_links(path: Path) -> dict[str, str]:
    """Links already published: the reviewed ones in path and the verified ones beside it."""
    links: dict[str, str] = {}
    for file in (path.parent / LINKS_FILE, path):
        if file.exists():
            links.update(links_of(read_graph(file)))
    return links
