"""What a change touches: the focus nodes whose verdict may differ once triples come and go.

Each top-level shape reads the graph along paths from its focus node: its targets read the
focus node's types, a property shape the values of its path, sh:class the types of a value,
a nested shape the paths below that value. A changed triple can only alter the verdict on a
focus node that reaches the triple along one of those paths, so the gate follows each
changed triple back along the paths that read its predicate, in the graph that holds the
triple (the old graph for removals, the new one for additions). SHACL-SPARQL constraints are
followed through their triple patterns (`patterns`); one that cannot be followed, a change
to the class hierarchy, or a blank node on the way, sends the shape (or every shape) back to
full validation. The result is a superset of the focus nodes a full validation would judge
differently, so validating only those gives the full verdict on a conforming edition.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import RDF, RDFS

from carnets.gate.compile import rules
from carnets.gate.patterns import Group, Unreadable, read_where
from carnets.gate.shapes import Shape, Shapes, path_steps
from carnets.gate.terms import sparql

Step = tuple[str, bool]  # a predicate, and whether it is followed backwards
TYPE = str(RDF.type)
EVERYTHING = {str(RDFS.subClassOf)}  # a change here can alter any sh:class or target


@dataclass(frozen=True)
class Read:
    """A shape reads the triples with `predicate` at the node it reaches along `steps`."""

    steps: tuple[Step, ...]
    predicate: str
    inverse: bool


@dataclass
class Dependencies:
    """What a top-level shape reads, from its focus node."""

    reads: set[Read] = field(default_factory=set)
    sparql: list[Group | None] = field(default_factory=list)  # None: a query not followed
    always: bool = False  # a construct that cannot be followed: rerun the shape in full


def dependencies(shapes: Shapes, shape: Shape) -> Dependencies:
    found = Dependencies()
    if shape.target_classes:
        found.reads.add(Read((), TYPE, False))
    for predicate in shape.target_subjects_of:
        found.reads.add(Read((), str(predicate), False))
    for predicate in shape.target_objects_of:
        found.reads.add(Read((), str(predicate), True))
    _walk(shapes, shape, (), found)
    return found


def _walk(shapes: Shapes, shape: Shape, steps: tuple[Step, ...], found: Dependencies) -> None:
    if shape.deactivated:
        return
    c = shape.constraints
    here = steps
    if shape.path is not None:
        predicate, inverse = path_steps(shapes.graph, shape.path)
        found.reads.add(Read(steps, str(predicate), inverse))
        here = (*steps, (str(predicate), inverse))
        for other in c.get("lessThanOrEquals", ()):
            found.reads.add(Read(steps, str(other), False))
        if "qualified" in c:
            for member in c["qualified"].shapes:
                _walk(shapes, member, here, found)
    for rule in rules(shape):
        name = rule.component
        if name == "class":
            found.reads.add(Read(here, TYPE, False))
        elif name in ("node", "property", "not"):
            _walk(shapes, rule.param, here, found)
        elif name in ("or", "xone", "and"):
            for member in rule.param[1]:
                _walk(shapes, member, here, found)
    for constraint in c.get("sparql", ()):
        if steps:
            found.always = True
            continue
        try:
            group = read_where(constraint.select, dict(constraint.prefixes))
        except Unreadable:
            group = None
        found.sparql.append(group)


class Change:
    """Triples to add and to remove, as pyoxigraph quads of the default graph."""

    def __init__(self, added: Iterable[ox.Triple], removed: Iterable[ox.Triple]) -> None:
        self.added = [ox.Quad(t.subject, t.predicate, t.object) for t in added]
        self.removed = [ox.Quad(t.subject, t.predicate, t.object) for t in removed]

    def nodes(self) -> set[object]:
        return {
            term
            for quad in self.added + self.removed
            for term in (quad.subject, quad.object)
            if not isinstance(term, ox.Literal)
        }


@dataclass
class Affected:
    """The focus nodes to judge, per top-level shape (None: all of the shape's targets)."""

    focus: dict[Shape, set[object] | None]

    def merge(self, other: Affected) -> None:
        for shape, nodes in other.focus.items():
            mine = self.focus.get(shape, set())
            if mine is None or nodes is None:
                self.focus[shape] = None
            else:
                self.focus[shape] = mine | nodes


def affected(
    store: ox.Store, shapes: Shapes, deps: dict[Shape, Dependencies], quads: list[ox.Quad]
) -> Affected:
    """The focus nodes the triples `quads` (all in `store` now) may change the verdict on."""
    result = Affected({})
    if not quads:
        return result
    if any(q.predicate.value in EVERYTHING for q in quads):
        return Affected(dict.fromkeys(shapes.top_level))
    by_predicate: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        by_predicate[quad.predicate.value].append(quad)
    for shape, found in deps.items():
        if found.always:
            result.focus[shape] = None
            continue
        nodes: set[object] = set()
        whole = False
        for read in found.reads:
            for quad in by_predicate.get(read.predicate, ()):
                anchor = quad.object if read.inverse else quad.subject
                if isinstance(anchor, ox.Literal):
                    continue
                nodes |= _back(store, anchor, read.steps)
        for group in found.sparql:
            focus = _sparql_dependents(store, group, by_predicate)
            if focus is None:
                whole = True
            else:
                nodes |= focus
        if whole or any(isinstance(n, ox.BlankNode) for n in nodes):
            result.focus[shape] = None
        elif nodes:
            result.focus[shape] = nodes
    return result


def _back(store: ox.Store, anchor: object, steps: tuple[Step, ...]) -> set[object]:
    """The nodes from which `steps` lead to `anchor`."""
    current = {anchor}
    for predicate, inverse in reversed(steps):
        step = ox.NamedNode(predicate)
        previous: set[object] = set()
        for node in current:
            if isinstance(node, ox.Literal) and inverse:
                continue
            if inverse:
                previous.update(q.object for q in store.quads_for_pattern(node, step, None))
            else:
                previous.update(q.subject for q in store.quads_for_pattern(None, step, node))
        current = previous
        if not current:
            break
    return current


def _sparql_dependents(
    store: ox.Store, group: Group | None, by_predicate: dict[str, list[ox.Quad]]
) -> set[object] | None:
    """The `$this` a changed triple joins to through the query's patterns (None: all)."""
    if group is None:
        return None
    touched = []
    for patterns, scope in _scopes(group, []):
        for pattern in patterns:
            quads = [q for q in by_predicate.get(pattern[1], ()) if _may_match(pattern, q)]
            if quads:
                touched.append((pattern, scope, quads))
    found: set[object] = set()
    for (s, _, o), scope, quads in touched:
        if not any("?this" in (p[0], p[2]) for p in scope):
            return None
        variables = [t for t in dict.fromkeys((s, o)) if t.startswith("?")]
        rows = []
        for quad in quads:
            terms = {s: quad.subject, o: quad.object}
            if s == o and quad.subject != quad.object:
                continue
            if any(isinstance(terms[v], ox.BlankNode) for v in variables):
                return None
            rows.append("(" + " ".join(sparql(terms[v]) for v in variables) + ")")
        values = f"VALUES ({' '.join(variables)}) {{ {' '.join(rows)} }}" if variables else ""
        body = " ".join(f"{a} <{p}> {b} ." for a, p, b in scope)
        for row in store.query(f"SELECT DISTINCT ?this WHERE {{ {values} {body} }}"):
            found.add(row["this"])
    return found


def _may_match(pattern: tuple[str, str, str], quad: ox.Quad) -> bool:
    """False when a named node of the pattern is not the quad's (literals are not compared)."""
    for text, term in ((pattern[0], quad.subject), (pattern[2], quad.object)):
        named = isinstance(term, ox.NamedNode)
        if text.startswith("<") and not (named and text == str(term)):
            return False
    return True


def _scopes(group: Group, outer: list[tuple[str, str, str]]):
    """Each group's own patterns, with the patterns a match of one of them joins with."""
    scope = outer + group.patterns
    yield group.patterns, scope
    for inner in group.inner:
        yield from _scopes(inner, scope)
