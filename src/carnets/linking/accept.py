"""Promoting reviewed candidates to published links in data/links-reviewed.ttl, with provenance.

The links file is edited by hand too, so accepting appends a Turtle block rather than
re-serializing the file: comments and layout survive, and the diff shows exactly what a
review added. The result is parsed before it replaces the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, XSD

from carnets.errors import LinkingError
from carnets.files import write_atomically
from carnets.linking.edition import links_of
from carnets.linking.review import WIKIDATA_PAGE, ReviewCandidate
from carnets.loading import LINKS_FILE, REVIEWED_LINKS_FILE, read_graph
from carnets.namespaces import CN, WD, bind_prefixes


@dataclass(frozen=True)
class Acceptance:
    """What `link accept` will do: the candidates it publishes and the ones it leaves, and why."""

    accepted: list[ReviewCandidate]
    skipped: list[tuple[ReviewCandidate, str]]


REVIEWED_HEADER = (
    "# Wikidata links accepted by a reviewer with `carnets link accept`, each with its evidence.\n"
    "# data/links.ttl beside it is generated from the verified reference list by `carnets build`.\n"
)


def links_path(data_dir: Path) -> Path:
    """Reviewed links have a file of their own: `carnets build` regenerates data/links.ttl
    from the verified reference list and must not overwrite what reviewers accepted."""
    return data_dir / REVIEWED_LINKS_FILE


def choose(
    candidates: list[ReviewCandidate], ids: tuple[str, ...], base: str, linked: dict[str, str]
) -> Acceptance:
    """The candidates marked "accepted" in the review file plus those named by ids.

    An id is a resource path ("person/max-jacob": its proposed candidate), a path and a QID
    ("person/max-jacob=Q123"), or a candidate's IRI. A resource already linked is skipped, and
    two different items accepted for one resource are refused: a person has one Wikidata item.
    """
    chosen = {c.iri: c for c in candidates if c.status == "accepted"}
    for wanted in ids:
        chosen.update({c.iri: c for c in _by_id(candidates, wanted, base)})
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
    return Acceptance(accepted, skipped)


def _by_id(candidates: list[ReviewCandidate], wanted: str, base: str) -> list[ReviewCandidate]:
    path, _, qid = wanted.partition("=")
    subject = path if path.startswith(("http://", "https://")) else base + path.strip("/")
    if any(c.iri == wanted for c in candidates):
        return [c for c in candidates if c.iri == wanted]
    mine = [c for c in candidates if c.subject == subject]
    if qid:
        mine = [c for c in mine if c.qid == qid.strip()]
    else:
        mine = [c for c in mine if c.status in ("proposed", "accepted")][:1]
    if not mine:
        raise LinkingError(f"no candidate in the review file matches --id {wanted!r}")
    return mine


def links_graph(accepted: list[ReviewCandidate], base: str, now: datetime) -> Graph:
    """The owl:sameAs statements and their cn:WikidataLink records."""
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
        graph.add((record, CN.evidence, Literal(summary, lang="en")))
        for evidence in candidate.evidence:
            graph.add((record, CN.evidence, Literal(evidence, lang="en")))
        graph.add((record, DCTERMS.source, WIKIDATA_PAGE[candidate.qid]))
        graph.add((record, PROV.generatedAtTime, when))
    return graph


def links_block(accepted: list[ReviewCandidate], base: str, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    body = links_graph(accepted, base, now).serialize(format="turtle")
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
    write_atomically(path, text)


def current_links(path: Path) -> dict[str, str]:
    """Links already published: the reviewed ones in path and the verified ones beside it."""
    links: dict[str, str] = {}
    for file in (path.parent / LINKS_FILE, path):
        if file.exists():
            links.update(links_of(read_graph(file)))
    return links
