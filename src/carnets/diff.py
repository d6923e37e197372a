"""What changed between two states of the edition: in words for a scholar, and as an RDF Patch.

A scholar asks which people, places or entries appeared, went away or now say something else,
so the comparison is made per resource (the subject IRI), with labels rather than IRIs and the
old and new value of each changed property side by side. A machine asks for the quads to delete
and add: `Diff.patch` writes them as an RDF Patch (https://afs.github.io/rdf-delta/rdf-patch.html),
one transaction that turns the old release into the new one.

Blank nodes have no name to compare by: each connected group of them (an OWL union, a list) is
compared by its canonical form (RDFC-1.0), together with the quads that point at it, so an
unchanged group is not reported however its labels were numbered; a changed one is deleted with
the old labels and added with new labels that cannot collide with the old ones.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
RDF_REST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
RDF_NIL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
# Where a resource's name is found, best first.
LABELS = (
    SKOS_PREF,
    RDFS_LABEL,
    "https://schema.org/name",
    "http://purl.org/dc/terms/title",
    "http://xmlns.com/foaf/0.1/name",
)
# Names for common properties of reused vocabularies (the ontology's own carry rdfs:label).
PROPERTY_WORDS = {
    RDF_TYPE: "type",
    SKOS_PREF: "preferred label",
    RDFS_LABEL: "label",
    "http://www.w3.org/2004/02/skos/core#altLabel": "other name",
    "http://www.w3.org/2004/02/skos/core#note": "note",
    "http://www.w3.org/2000/01/rdf-schema#comment": "comment",
    "https://schema.org/name": "name",
    "https://schema.org/text": "text",
    "https://schema.org/mentions": "mentions",
    "https://schema.org/birthDate": "birth date",
    "https://schema.org/deathDate": "death date",
    "https://schema.org/jobTitle": "occupation",
    "https://schema.org/location": "place",
    "https://schema.org/author": "author",
    "https://schema.org/dateCreated": "date written",
    "http://purl.org/dc/terms/source": "source",
    "http://purl.org/dc/terms/title": "title",
    "http://purl.org/dc/terms/description": "description",
    "http://www.w3.org/2002/07/owl#sameAs": "same as",
}
LONG = 160  # characters of a literal shown whole; longer ones show what changed in them


@dataclass
class Snapshot:
    """One state of the edition: its N-Quads and a name to print (a version, a folder).

    Kept as lines, not parsed: two releases of 1.5 M quads are compared as sets of lines, and
    only the lines that differ, name things or hold blank nodes are parsed.
    """

    name: str
    n_quads: bytes
    issued: str | None = None

    @classmethod
    def of(cls, name: str, quads: Iterable[ox.Quad], issued: str | None = None) -> Snapshot:
        return cls(name, ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS), issued)

    def quads(self) -> list[ox.Quad]:
        return list(ox.parse(self.n_quads, ox.RdfFormat.N_QUADS))


@dataclass
class ResourceChange:
    """What happened to one subject: added, removed, or some of its values changed."""

    iri: str
    kind: str  # "added", "removed" or "changed"
    removed: list[tuple[ox.NamedNode, object]] = field(default_factory=list)
    added: list[tuple[ox.NamedNode, object]] = field(default_factory=list)


@dataclass
class Diff:
    """The difference from `old` to `new`, per resource and per quad."""

    old: Snapshot
    new: Snapshot
    base: str
    resources: list[ResourceChange]
    deleted: list[ox.Quad]  # rows of the patch, blank nodes with the old labels
    inserted: list[ox.Quad]  # blank nodes relabelled so as not to meet the old ones
    _names: _Names

    @property
    def counts(self) -> dict[str, int]:
        counts = {"added": 0, "removed": 0, "changed": 0}
        for change in self.resources:
            counts[change.kind] += 1
        return counts

    def summary(self) -> str:
        """One line: how many resources were added, removed and changed."""
        if not self.resources and not self.deleted and not self.inserted:
            return "no changes"
        c = self.counts
        return (
            f"{_count(c['added'], 'resource')} added, {c['removed']} removed, "
            f"{c['changed']} changed ({len(self.deleted)} quads deleted, "
            f"{len(self.inserted)} added)"
        )

    def words(self, heading_level: int = 2) -> str:
        """The changes as text a scholar reads (Markdown: headings and lists)."""
        names = self._names
        mark = "#" * heading_level
        lines = [f"{mark} From {self.old.name} to {self.new.name}", "", self.summary() + ".", ""]
        groups = {"added": [], "removed": [], "changed": []}
        for change in self.resources:
            groups[change.kind].append(change)
        if groups["added"]:
            lines += [f"{mark}# Added ({len(groups['added'])})", ""]
            for change in groups["added"]:
                lines.append(f"- {names.resource(change.iri, prefer_new=True)}")
            lines.append("")
        if groups["removed"]:
            lines += [f"{mark}# Removed ({len(groups['removed'])})", ""]
            for change in groups["removed"]:
                lines.append(f"- {names.resource(change.iri, prefer_new=False)}")
            lines.append("")
        if groups["changed"]:
            lines += [f"{mark}# Changed ({len(groups['changed'])})", ""]
            for change in groups["changed"]:
                lines.append(f"- {names.resource(change.iri, prefer_new=True)}")
                lines += [f"  - {line}" for line in _property_lines(change, names)]
            lines.append("")
        moved = len(self.deleted) + len(self.inserted)
        if moved and not self.resources:
            lines += ["Only the named graph of some statements changed.", ""]
        return "\n".join(lines).rstrip() + "\n"

    def patch(self) -> bytes:
        """An RDF Patch: one transaction deleting then adding quads, each block sorted."""
        rows = [b"TX .\n"]
        for letter, quads in ((b"D ", self.deleted), (b"A ", self.inserted)):
            if quads:
                text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
                rows += [letter + line for line in sorted(text.splitlines(keepends=True))]
        rows.append(b"TC .\n")
        return b"".join(rows)


def compare(old: Snapshot, new: Snapshot, base: str) -> Diff:
    """The difference between two snapshots of the same edition (same base)."""
    old_lines, new_lines = _lines(old.n_quads), _lines(new.n_quads)
    old_plain, old_groups, old_blank = _separate(old_lines)
    new_plain, new_groups, new_blank = _separate(new_lines)
    gone_lines, new_only_lines = old_plain - new_plain, new_plain - old_plain
    deleted, inserted = _parse(gone_lines), _parse(new_only_lines)
    gone_groups = [g for key, g in old_groups.items() if key not in new_groups]
    new_only = [g for key, g in new_groups.items() if key not in old_groups]
    for group in gone_groups:
        deleted += group.quads
    for group in new_only:
        inserted += _relabel(group.quads)

    # Per resource, with triples (a statement moved between graphs is not a change of meaning):
    # the statements of the subjects whose lines differ, in either state.
    affected = {_subject(line) for line in gone_lines | new_only_lines}
    before = {q.triple for q in _parse(x for x in old_plain if _subject(x) in affected)}
    after = {q.triple for q in _parse(x for x in new_plain if _subject(x) in affected)}
    removed: dict[str, set] = defaultdict(set)
    added: dict[str, set] = defaultdict(set)
    for triple in before - after:
        removed[triple.subject.value].add((triple.predicate, triple.object))
    for triple in after - before:
        added[triple.subject.value].add((triple.predicate, triple.object))
    old_index, new_index = _blank_index(old_blank), _blank_index(new_blank)
    for group in gone_groups:
        for anchor, predicate in group.links:
            removed[anchor].add((predicate, _Shape(group, old_index)))
    for group in new_only:
        for anchor, predicate in group.links:
            added[anchor].add((predicate, _Shape(group, new_index)))
    old_subjects = {_subject(line) for line in old_lines}
    new_subjects = {_subject(line) for line in new_lines}
    # Labels and types of what the words will name: the resources, their values, properties.
    named = set(removed) | set(added)
    for values in (*removed.values(), *added.values()):
        for predicate, value in values:
            named.add(predicate.value)
            if isinstance(value, ox.NamedNode):
                named.add(value.value)
    for quad in old_blank + new_blank:
        for term in (quad.predicate, quad.object):
            if isinstance(term, ox.NamedNode):
                named.add(term.value)
    names = _Names(
        base,
        _naming(old_lines, named) + old_blank,
        _naming(new_lines, named) + new_blank,
    )
    changes = []
    for iri in sorted(set(removed) | set(added), key=names.short):
        key = b"<" + iri.encode() + b">"
        if key not in old_subjects:
            kind = "added"
        elif key not in new_subjects:
            kind = "removed"
        else:
            kind = "changed"
        changes.append(
            ResourceChange(
                iri, kind, sorted(removed[iri], key=_order), sorted(added[iri], key=_order)
            )
        )
    return Diff(old, new, base, changes, deleted, inserted, names)


def _lines(n_quads: bytes) -> set[bytes]:
    return set(n_quads.splitlines(keepends=True))


def _subject(line: bytes) -> bytes:
    """The subject of an N-Quads line as written (`<iri>` or `_:label`: no space in either)."""
    return line[: line.index(b" ")]


def _parse(lines: Iterable[bytes]) -> list[ox.Quad]:
    return list(ox.parse(b"".join(lines), ox.RdfFormat.N_QUADS))


def _separate(lines: set[bytes]) -> tuple[set[bytes], dict[str, _Group], list[ox.Quad]]:
    """The lines without blank nodes; the blank-node groups by canonical form; their quads."""
    candidates = [line for line in lines if b"_:" in line]  # or a literal saying "_:"
    blank_lines, blank_quads = set(), []
    for line, quad in zip(candidates, _parse(candidates), strict=True):
        if any(isinstance(t, ox.BlankNode) for t in (quad.subject, quad.object, quad.graph_name)):
            blank_lines.add(line)
            blank_quads.append(quad)
    _, groups = _split(blank_quads)
    return lines - blank_lines, groups, blank_quads


NAMING = {f"<{p}>".encode() for p in (*LABELS, RDF_TYPE)}  # predicates, as in N-Quads


def _naming(lines: set[bytes], iris: set[str]) -> list[ox.Quad]:
    """The statements that name or type these IRIs, and name their types."""

    def about(wanted: set[bytes]) -> list[ox.Quad]:
        return _parse(
            line for line in lines if _subject(line) in wanted and line.split(b" ", 2)[1] in NAMING
        )

    found = about({f"<{iri}>".encode() for iri in iris})
    kinds = {q.object.value for q in found if q.predicate.value == RDF_TYPE}
    return found + about({f"<{iri}>".encode() for iri in kinds - iris})


def _blank_index(quads: list[ox.Quad]) -> dict:
    """Each blank node's statements, to print a group as its content."""
    index: dict = defaultdict(list)
    for quad in quads:
        if isinstance(quad.subject, ox.BlankNode):
            index[quad.subject].append((quad.predicate, quad.object))
    return index


# ------------------------------------------------------------------ blank-node groups


@dataclass
class _Group:
    """Connected blank nodes with the quads that hold them and the quads pointing at them."""

    quads: list[ox.Quad]
    key: str = ""
    anchors: set[str] = field(default_factory=set)
    links: set[tuple[str, ox.NamedNode]] = field(default_factory=set)  # (subject IRI, predicate)
    root: ox.BlankNode | None = None


def _split(quads: Iterable[ox.Quad]) -> tuple[list[ox.Quad], dict[str, _Group]]:
    """Quads without blank nodes, and the groups of the others keyed by their canonical form."""
    plain: list[ox.Quad] = []
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def find(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    with_blanks = []
    for quad in quads:
        blanks = [t for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode)]
        if not blanks:
            plain.append(quad)
            continue
        with_blanks.append((quad, blanks))
        first = find(blanks[0])
        for other in blanks[1:]:
            parent[find(other)] = first
    groups: dict[ox.BlankNode, _Group] = {}
    for quad, blanks in with_blanks:
        group = groups.setdefault(find(blanks[0]), _Group([]))
        group.quads.append(quad)
        if not isinstance(quad.subject, ox.BlankNode):
            group.anchors.add(quad.subject.value)
            group.links.add((quad.subject.value, quad.predicate))
            group.root = quad.object
    keyed: dict[str, _Group] = {}
    for group in groups.values():
        dataset = ox.Dataset(group.quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        text = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS)
        group.key = hashlib.sha256(b"".join(sorted(text.splitlines(keepends=True)))).hexdigest()
        keyed[group.key] = group
    return plain, keyed


def _relabel(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads with each blank node renamed `new…`: never one of the old release's labels."""

    def rename(term):
        return ox.BlankNode("new" + term.value) if isinstance(term, ox.BlankNode) else term

    return [ox.Quad(rename(q.subject), q.predicate, rename(q.object), q.graph_name) for q in quads]


class _Shape:
    """A blank-node group as a value, printed as its content: `[union of: (A, B)]`."""

    def __init__(self, group: _Group, index: dict) -> None:
        self.group = group
        self.index = index

    def __hash__(self) -> int:
        return hash(self.group.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Shape) and other.group.key == self.group.key


# ------------------------------------------------------------------ words


class _Names:
    """Labels of resources and properties, looked up in the new state first, then the old."""

    def __init__(self, base: str, old: list[ox.Quad], new: list[ox.Quad]) -> None:
        self.base = base
        self.old_labels, self.old_types, self.old_index = _labels(old)
        self.new_labels, self.new_types, self.new_index = _labels(new)

    def label(self, iri: str, prefer_new: bool = True) -> str | None:
        first, second = (
            (self.new_labels, self.old_labels) if prefer_new else (self.old_labels, self.new_labels)
        )
        return first.get(iri) or second.get(iri)

    def short(self, iri: str) -> str:
        if iri.startswith(self.base) and len(iri) > len(self.base):
            return iri[len(self.base) :]
        from carnets.namespaces import PREFIXES

        for prefix, namespace in PREFIXES.items():
            if iri.startswith(str(namespace)) and len(iri) > len(str(namespace)):
                return f"{prefix}:{iri[len(str(namespace)) :]}"
        return f"<{iri}>"

    def term(self, iri: str) -> str:
        """An IRI as a reader sees it: its label and where it is, or its short form."""
        label = self.label(iri)
        return f"{label} ({self.short(iri)})" if label else self.short(iri)

    def resource(self, iri: str, prefer_new: bool) -> str:
        label = self.label(iri, prefer_new)
        types = (self.new_types if prefer_new else self.old_types).get(iri) or (
            self.old_types if prefer_new else self.new_types
        ).get(iri, [])
        kinds = [self.label(t) or self.short(t) for t in types if "/ontology#" in t] or [
            self.label(t) or self.short(t) for t in types[:1]
        ]
        kind = f", {', '.join(kinds)}" if kinds else ""
        name = f"{label} — " if label else ""
        return f"{name}{self.short(iri)}{kind}"

    def prop(self, iri: str) -> str:
        return self.label(iri) or PROPERTY_WORDS.get(iri) or self.short(iri)

    def value(self, term) -> str:
        if isinstance(term, ox.NamedNode):
            return self.term(term.value)
        if isinstance(term, _Shape):
            return self.shape(term)
        if isinstance(term, ox.Literal):
            text = term.value
            if len(text) > LONG:
                text = text[: LONG - 1] + "…"
            lang = f" ({term.language})" if term.language else ""
            return f"“{text}”{lang}"
        return str(term)

    def shape(self, shape: _Shape) -> str:
        return _describe(shape.group.root, shape.index, self, depth=0)


def _labels(quads: list[ox.Quad]) -> tuple[dict[str, str], dict[str, list[str]], dict]:
    """Best label and types of every IRI; the blank nodes' own statements, to print them."""
    found: dict[str, tuple[int, str]] = {}
    types: dict[str, list[str]] = defaultdict(list)
    blanks: dict = defaultdict(list)
    rank = {p: i for i, p in enumerate(LABELS)}
    for quad in quads:
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if isinstance(subject, ox.BlankNode):
            blanks[subject].append((quad.predicate, obj))
            continue
        if predicate == RDF_TYPE and isinstance(obj, ox.NamedNode):
            if obj.value not in types[subject.value]:
                types[subject.value].append(obj.value)
        elif predicate in rank and isinstance(obj, ox.Literal):
            language = obj.language or ""
            score = rank[predicate] * 3 + (0 if language == "en" else 1 if not language else 2)
            current = found.get(subject.value)
            if current is None or (score, obj.value) < current:
                found[subject.value] = (score, obj.value)
    for listed in types.values():
        listed.sort()
    return {iri: text for iri, (_, text) in found.items()}, types, blanks


def _describe(node, index: dict, names: _Names, depth: int) -> str:
    """A blank node's content in words: a list as (a, b), otherwise [property: value; …]."""
    if not isinstance(node, ox.BlankNode) or depth > 4:
        return names.value(node)
    statements = sorted(index.get(node, []), key=lambda s: (s[0].value, str(s[1])))
    items = dict((p.value, o) for p, o in statements)
    if RDF_FIRST in items:
        members, current, seen = [], node, 0
        while isinstance(current, ox.BlankNode) and seen < 1000:
            here = dict((p.value, o) for p, o in index.get(current, []))
            if RDF_FIRST not in here:
                break
            members.append(_describe(here[RDF_FIRST], index, names, depth + 1))
            current, seen = here.get(RDF_REST), seen + 1
        return "(" + ", ".join(members) + ")"
    parts = [
        f"{names.prop(p.value)}: {_describe(o, index, names, depth + 1)}" for p, o in statements
    ]
    return "[" + "; ".join(parts) + "]"


def _property_lines(change: ResourceChange, names: _Names) -> list[str]:
    """One line per changed property: old → new when one value replaced another."""
    removed: dict[str, list] = defaultdict(list)
    added: dict[str, list] = defaultdict(list)
    for predicate, value in change.removed:
        removed[predicate.value].append(value)
    for predicate, value in change.added:
        added[predicate.value].append(value)
    lines = []
    for predicate in sorted(set(removed) | set(added), key=names.prop):
        before, after = removed.get(predicate, []), added.get(predicate, [])
        name = names.prop(predicate)
        if len(before) == 1 and len(after) == 1:
            lines.append(f"{name}: {_replaced(before[0], after[0], names)}")
            continue
        if before:
            lines.append(f"{name}: removed {', '.join(names.value(v) for v in before)}")
        if after:
            lines.append(f"{name}: added {', '.join(names.value(v) for v in after)}")
    return lines


def _replaced(before, after, names: _Names) -> str:
    """`old → new`; for long texts, only the part that changed, with a little context."""
    if (
        isinstance(before, ox.Literal)
        and isinstance(after, ox.Literal)
        and max(len(before.value), len(after.value)) > LONG
    ):
        old, new = before.value, after.value
        start = 0
        while start < min(len(old), len(new)) and old[start] == new[start]:
            start += 1
        end = 0
        while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
            end += 1
        while start > 0 and not old[start - 1].isspace():  # whole words
            start -= 1
        while end > 0 and not old[len(old) - end].isspace():
            end -= 1
        context = 30
        lead = max(0, start - context)
        head = ("…" if lead else "") + old[lead:start]
        tail_old = old[len(old) - end : len(old) - end + context] if end else ""
        tail = tail_old + ("…" if end > context else "")
        return (
            f"“{head}[{old[start : len(old) - end]}]{tail}” → "
            f"“{head}[{new[start : len(new) - end]}]{tail}”"
        )
    return f"{names.value(before)} → {names.value(after)}"


def _order(item) -> tuple[str, str]:
    predicate, value = item
    return predicate.value, value.group.key if isinstance(value, _Shape) else str(value)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
