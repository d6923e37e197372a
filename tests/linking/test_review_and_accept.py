"""The review file and `accept`: candidates stay unpublished until a person accepts them."""

from __future__ import annotations

import os
import stat

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV

from carnets.errors import LinkingError
from carnets.linking.accept import append_links, choose, current_links, links_block, links_path
from carnets.linking.edition import links_of
from carnets.linking.linker import find_candidates, read_entities, unlinked
from carnets.linking.review import REVIEW_FILE, read_review, write_review
from carnets.loading import load_dataset, union_graph
from carnets.namespaces import CN, WD

BASE = "https://w3id.org/carnets/serge/"


@pytest.fixture
def review_path(settings, client):
    run = find_candidates(unlinked(read_entities(settings)), client)
    path = settings.data_dir / REVIEW_FILE
    write_review(path, run, settings.base)
    return path


def _mark(path, subject: str, qid: str, status: str = "accepted") -> None:
    graph = Graph().parse(path)
    node = URIRef(f"{BASE}review/wikidata/{subject}/{qid}")
    assert (node, CN.reviewStatus, None) in graph
    text = path.read_text()
    block_start = text.index(f"<{node}>") if f"<{node}>" in text else None
    assert block_start is not None
    before, after = text[:block_start], text[block_start:]
    end = after.index(" .\n")
    block = after[:end].replace('cn:reviewStatus "proposed"', f'cn:reviewStatus "{status}"')
    block = block.replace('cn:reviewStatus "alternative"', f'cn:reviewStatus "{status}"')
    block = block.replace('cn:reviewStatus "rejected"', f'cn:reviewStatus "{status}"')
    path.write_text(before + block + after[end:])


def test_the_review_file_holds_candidates_not_links(review_path, fake_wikidata):
    graph = Graph().parse(review_path)
    assert not list(graph.triples((None, OWL.sameAs, None)))
    candidates = list(graph.subjects(predicate=CN.linkTarget))
    assert len(candidates) == 27  # 13 proposed + 14 rejected
    node = URIRef(f"{BASE}review/wikidata/person/max-jacob/Q99000001")
    assert graph.value(node, CN.reviewStatus) == Literal("proposed")
    assert float(graph.value(node, CN.score)) == 1.0
    assert graph.value(node, CN.linkTarget) == WD.Q99000001
    assert URIRef(fake_wikidata.url) == graph.value(node, URIRef("http://purl.org/dc/terms/source"))
    assert graph.value(node, PROV.generatedAtTime) is not None
    activity = graph.value(node, PROV.wasGeneratedBy)
    assert graph.value(activity, PROV.used) == URIRef(fake_wikidata.url)
    assert review_path.read_text().startswith(
        "# Wikidata candidates for the edition: NOT published"
    )


def test_the_review_file_is_not_part_of_the_published_edition(review_path, settings):
    published = union_graph(load_dataset(settings))
    assert not list(published.triples((None, CN.score, None)))


def test_writing_leaves_no_temporary_file(review_path):
    assert [p.name for p in review_path.parent.iterdir()] == [review_path.name]


def test_nothing_is_accepted_until_marked(review_path, settings):
    choice = choose(read_review(review_path), (), settings.base, {})
    assert choice.accepted == []


def test_accepting_marked_candidates_appends_links_with_provenance(review_path, settings):
    _mark(review_path, "person/max-jacob", "Q99000001")
    target = links_path(settings.data_dir)
    before = target.read_text() if target.exists() else ""
    choice = choose(read_review(review_path), (), settings.base, current_links(target))
    assert [c.qid for c in choice.accepted] == ["Q99000001"]
    append_links(target, links_block(choice.accepted, settings.base))
    text = target.read_text()
    assert text.startswith(before)  # the file's own comments and layout survive
    graph = Graph().parse(target)
    jacob = URIRef(f"{BASE}person/max-jacob")
    assert (jacob, OWL.sameAs, WD.Q99000001) in graph
    record = URIRef(f"{BASE}link/person/max-jacob")
    assert graph.value(record, CN.linkSubject) == jacob
    evidence = {str(e) for e in graph.objects(record, CN.evidence)}
    assert "+0.15: born 1876, as the edition says" in evidence
    assert any("carnets link wikidata" in e and "score 1.00" in e for e in evidence)
    assert graph.value(record, PROV.generatedAtTime) is not None
    # The published edition now has the link, in the links graph.
    assert links_of(union_graph(load_dataset(settings)))[str(jacob)] == "Q99000001"


def test_accepting_by_id(review_path, settings):
    candidates = read_review(review_path)
    choice = choose(
        candidates, ("person/osip-mandelstam", "place/black-sea=Q166"), settings.base, {}
    )
    assert sorted(c.qid for c in choice.accepted) == ["Q166", "Q189950"]
    with pytest.raises(LinkingError, match="no candidate"):
        choose(candidates, ("person/herbert-lenhoff",), settings.base, {})


def test_two_items_for_one_resource_are_refused(review_path, settings):
    _mark(review_path, "person/max-jacob", "Q99000001")
    _mark(review_path, "person/max-jacob", "Q99001001")
    with pytest.raises(LinkingError, match="more than one item"):
        choose(read_review(review_path), (), settings.base, {})


def test_a_linked_resource_is_skipped(review_path, settings):
    candidates = read_review(review_path)
    choice = choose(
        candidates, ("person/max-jacob",), settings.base, {f"{BASE}person/max-jacob": "Q1"}
    )
    assert choice.accepted == []
    assert "already linked to Q1" in choice.skipped[0][1]


def test_a_new_look_up_keeps_accepted_marks(review_path, settings, client):
    _mark(review_path, "place/istanbul", "Q406")
    run = find_candidates(unlinked(read_entities(settings)), client)
    write_review(review_path, run, settings.base)
    statuses = {(c.subject, c.qid): c.status for c in read_review(review_path)}
    assert statuses[(f"{BASE}place/istanbul", "Q406")] == "accepted"
    assert statuses[(f"{BASE}place/black-sea", "Q166")] == "proposed"


def test_a_block_that_would_break_the_file_is_not_written(settings):
    target = links_path(settings.data_dir)
    target.write_text("# reviewed links\n")
    with pytest.raises(LinkingError, match="would not parse"):
        append_links(target, "<broken")
    assert target.read_text() == "# reviewed links\n"


def test_accepting_a_rejected_candidate_by_id_needs_force(review_path, settings):
    """The namesake puppeteer died in 1967: the linker rejected him, and --id alone must not
    publish him without a word."""
    candidates = read_review(review_path)
    with pytest.raises(LinkingError, match="give --force") as refused:
        choose(candidates, ("person/max-jacob=Q99001001",), settings.base, {})
    assert "conflict: died 1967; the edition says 1944" in str(refused.value)
    forced = choose(candidates, ("person/max-jacob=Q99001001",), settings.base, {}, force=True)
    assert [c.qid for c in forced.accepted] == [c.qid for c in forced.forced] == ["Q99001001"]
    block = links_block(
        forced.accepted, settings.base, forced=frozenset(c.iri for c in forced.forced)
    )
    assert "it was published with --force" in block


def test_a_reviewers_rejection_needs_force_too(review_path, settings):
    _mark(review_path, "place/istanbul", "Q406", status="rejected")
    with pytest.raises(LinkingError, match="give --force"):
        choose(read_review(review_path), ("place/istanbul=Q406",), settings.base, {})
    with pytest.raises(LinkingError, match="no candidate"):  # nothing proposed any more
        choose(read_review(review_path), ("place/istanbul",), settings.base, {})


def test_a_tie_is_accepted_only_by_naming_the_item(settings, client):
    from .test_linker import TIED_PLACES

    (settings.data_dir / "tied-places.ttl").write_text(TIED_PLACES, encoding="utf-8")
    path = settings.data_dir / REVIEW_FILE
    write_review(path, find_candidates(unlinked(read_entities(settings)), client), settings.base)
    candidates = read_review(path)
    statuses = {c.qid: c.status for c in candidates if c.subject.endswith("/place/paris")}
    assert statuses == {"Q90": "tied", "Q99001305": "tied"}
    paris = next(c for c in candidates if c.qid == "Q90")
    assert any(e.startswith("tie: scores 0.60") for e in paris.evidence)
    with pytest.raises(
        LinkingError,
        match=r"these tie: Paris \(Q90\): capital of France; .* as in --id place/paris=Q90",
    ):
        choose(candidates, ("place/paris",), settings.base, {})
    chosen = choose(candidates, ("place/paris=Q90",), settings.base, {})
    assert [c.qid for c in chosen.accepted] == ["Q90"]


@pytest.fixture
def umask():
    """Set the process umask for one test, and put the old one back."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_new_files_get_the_permissions_the_umask_gives(settings, client, umask, mask, mode):
    """data/links-reviewed.ttl is read by the server, which may run as another user: the files
    the linker writes follow the umask, as every other file of the edition does."""
    umask(mask)
    path = settings.data_dir / REVIEW_FILE
    write_review(path, find_candidates(unlinked(read_entities(settings)), client), settings.base)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    target = links_path(settings.data_dir)
    choice = choose(read_review(path), ("place/istanbul",), settings.base, {})
    append_links(target, links_block(choice.accepted, settings.base))
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_a_rewritten_file_keeps_its_mode(review_path, settings, client, umask):
    umask(0o077)
    review_path.chmod(0o664)
    run = find_candidates(unlinked(read_entities(settings)), client)
    write_review(review_path, run, settings.base)
    assert stat.S_IMODE(review_path.stat().st_mode) == 0o664
