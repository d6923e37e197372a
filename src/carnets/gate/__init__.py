"""The validation gate: the edition's shapes compiled to SPARQL and run on pyoxigraph.

It gives pySHACL's verdicts (the same focus nodes, paths, values and messages; pySHACL stays
the reference, see tests/test_gate_parity.py) in seconds where pySHACL takes minutes, and it
can judge only the focus nodes a change touches (`carnets.gate.changes`). Shapes it cannot
compile exactly raise `Unsupported`; carnets.validation then falls back to pySHACL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.term import Node

from carnets.gate import data, literals
from carnets.gate.changes import Change, Dependencies, affected, dependencies
from carnets.gate.compile import NEEDS, rules
from carnets.gate.engine import Engine, Outcome
from carnets.gate.messages import generic
from carnets.gate.shapes import SH, Shape, Shapes, Unsupported, path_steps
from carnets.gate.terms import sparql, to_ox, to_rdflib
from carnets.namespaces import CN, EDTF

__all__ = ["Finding", "Gate", "GateRun", "Unsupported"]

LENIENT = {SH.Warning, SH.Info}


@dataclass(frozen=True)
class Finding:
    """One result, in rdflib terms, as it would sit in pySHACL's report graph."""

    top: Node  # the focus node of the top-level shape it came from
    focus: Node
    path: Node | None
    value: Node | None
    messages: tuple[str, ...]
    severity: Node
    shape: Node
    detail: bool


@dataclass
class GateRun:
    findings: list[Finding]
    conforms: bool
    dates: Graph  # the EDTF values judged and their stored bounds, for carnets.dates
    timings: list[tuple[str, float, int]]
    triples: int  # in the store as judged


class Gate:
    """The edition in a pyoxigraph store, and the shapes compiled against it."""

    def __init__(self, store: ox.Store, shapes: Graph, prefixes: Graph) -> None:
        self.store = store
        self.shapes = Shapes(shapes)
        self.prefixes = prefixes
        self._unsure: dict[str, list[ox.Literal]] | None = None
        self._dependencies: dict[Shape, Dependencies] | None = None
        self._predicates: dict[str, frozenset[str]] | None = None
        self.unchanged = True  # false while a change being checked is in the store

    @classmethod
    def load(cls, paths: Iterable[Path], shapes: Graph, store: ox.Store | None = None) -> Gate:
        store = ox.Store() if store is None else store
        prefixes = data.namespaces()
        data.load(paths, store, prefixes)
        return cls(store, shapes, prefixes)

    @property
    def triples(self) -> int:
        return len(self.store)

    def predicates(self) -> dict[str, frozenset[str]]:
        """The predicates whose literal values meet rules, with what those rules need."""
        if self._predicates is None:
            self._predicates = self._read_predicates()
        return self._predicates

    def _read_predicates(self) -> dict[str, frozenset[str]]:
        needs: dict[str, set[str]] = {}
        seen: set[tuple[int, frozenset[str]]] = set()

        def walk(shape: Shape, feeds: frozenset[str]) -> None:
            if (id(shape), feeds) in seen:
                return
            seen.add((id(shape), feeds))
            if shape.path is not None:
                predicate, inverse = path_steps(self.shapes.graph, shape.path)
                needs.setdefault(str(predicate), set())
                feeds = frozenset() if inverse else frozenset({str(predicate)})
                if "qualified" in shape.constraints:
                    for member in shape.constraints["qualified"].shapes:
                        walk(member, feeds)
            for rule in rules(shape):
                for predicate in feeds:
                    needs.setdefault(predicate, set()).update(NEEDS.get(rule.component, ()))
                if rule.component in ("node", "property", "not"):
                    walk(rule.param, feeds)
                elif rule.component in ("or", "xone", "and"):
                    for member in rule.param[1]:
                        walk(member, feeds)

        for shape in self.shapes.top_level:
            walk(shape, frozenset(str(p) for p in shape.target_objects_of))
        return {p: frozenset(n) for p, n in needs.items()}

    def unsure(self) -> dict[str, list[ox.Literal]]:
        """The literals Python judges (see `literals`), found once and kept up to date."""
        if self._unsure is None:
            self._unsure = literals.unsure_literals(self.store, self.predicates())
        return self._unsure

    def remember_unsure(self, unsure: dict[str, list[ox.Literal]]) -> None:
        """The unsure literals as found before (a snapshot keeps them): no need to search."""
        self._unsure = {p: list(unsure.get(p, ())) for p in self.predicates()}

    def run(
        self,
        focus: dict[Shape, set[object] | None] | None = None,
        subjects: Iterable[Node] | None = None,
    ) -> GateRun:
        """Validate every focus node, or those `focus` gives per shape (and the EDTF dates of
        `subjects` only)."""
        engine = Engine(self.store, self.shapes, self.unsure())
        outcomes = engine.run(focus)
        findings = [self._finding(o) for o in outcomes]
        conforms = not any(not f.detail and f.severity not in LENIENT for f in findings)
        return GateRun(findings, conforms, self.dates(subjects), engine.timings, len(self.store))

    def dependencies(self) -> dict[Shape, Dependencies]:
        if self._dependencies is None:
            self._dependencies = {s: dependencies(self.shapes, s) for s in self.shapes.top_level}
        return self._dependencies

    def check_change(self, added: Iterable[tuple], removed: Iterable[tuple] = ()) -> GateRun:
        """Judge the edition as it would be with the change, on the focus nodes the change
        touches and those that depend on them; the store is left as it was."""
        change = self._change(added, removed)
        before = affected(self.store, self.shapes, self.dependencies(), change.removed)
        self.unchanged = False
        self._apply(change)
        try:
            before.merge(affected(self.store, self.shapes, self.dependencies(), change.added))
            return self.run(before.focus, [to_rdflib(n) for n in change.nodes()])
        finally:
            self._apply(change, undo=True)
            self.unchanged = True

    def apply(self, added: Iterable[tuple], removed: Iterable[tuple] = ()) -> None:
        """Make the change in the store (after a `check_change` that conformed, say)."""
        self._apply(self._change(added, removed))

    def _change(self, added: Iterable[tuple], removed: Iterable[tuple]) -> Change:
        """The change as it would alter the store: triples not there yet, triples there."""
        plus = {_triple(t) for t in added}
        minus = {_triple(t) for t in removed} - plus
        return Change(
            [t for t in plus if _quad(t) not in self.store],
            [t for t in minus if _quad(t) in self.store],
        )

    def _apply(self, change: Change, undo: bool = False) -> None:
        adding, removing = (
            (change.removed, change.added) if undo else (change.added, change.removed)
        )
        for quad in removing:
            self.store.remove(quad)
        self.store.extend(adding)
        if self._unsure is not None and not undo:
            kinds = self.predicates()
            for quad in adding:
                kind = kinds.get(quad.predicate.value)
                if kind and not literals.is_sure(kind, quad.object):
                    known = self._unsure.setdefault(quad.predicate.value, [])
                    if quad.object not in known:
                        known.append(quad.object)

    def dates(self, subjects: Iterable[Node] | None = None) -> Graph:
        """Every EDTF literal with its subject's stored bounds (of `subjects` only, if given)."""
        graph = Graph()
        subjects = None if subjects is None else list(subjects)
        restrict = ""
        if subjects is not None and not any(isinstance(s, BNode) for s in subjects):
            named = sorted({sparql(to_ox(s)) for s in subjects})
            restrict = "VALUES ?s { " + " ".join(named) + " } "
        values = (
            f"SELECT ?s ?p ?o WHERE {{ {restrict}?s ?p ?o "
            f"FILTER(isLiteral(?o) && (?p = <{CN.edtf}> || datatype(?o) = <{EDTF}>)) }}"
        )
        bounds = (
            f"SELECT ?s ?p ?o WHERE {{ {restrict}?s <{CN.edtf}> [] . "
            f"VALUES ?p {{ <{CN.earliestDate}> <{CN.latestDate}> }} ?s ?p ?o }}"
        )
        for query in (values, bounds):
            for row in self.store.query(query):
                graph.add((to_rdflib(row["s"]), to_rdflib(row["p"]), to_rdflib(row["o"])))
        return graph

    # ------------------------------------------------------------------ results

    def _finding(self, outcome: Outcome) -> Finding:
        shape = outcome.shape
        focus = to_rdflib(outcome.focus)
        value = to_rdflib(outcome.value) if outcome.value is not None else None
        if outcome.messages is not None:
            messages = outcome.messages
        elif shape.messages:
            messages = [str(m) for m in shape.messages]
        else:
            for term in (focus, value):
                if isinstance(term, BNode):
                    self._describe(term)
            messages = generic(
                shape,
                outcome.component,
                outcome.rule,
                focus,
                value,
                self.shapes.graph,
                self.prefixes,
            )
        return Finding(
            top=to_rdflib(outcome.top),
            focus=focus,
            path=outcome.path,
            value=value,
            messages=tuple(messages),
            severity=shape.severity,
            shape=shape.node,
            detail=outcome.detail,
        )

    def _describe(self, node: BNode, depth: int = 0) -> None:
        """A blank node's triples into the prefixes graph, for pySHACL's way of writing it."""
        if depth > 12 or (node, None, None) in self.prefixes:
            return
        for quad in self.store.quads_for_pattern(ox.BlankNode(str(node)), None, None):
            obj = to_rdflib(quad.object)
            self.prefixes.add((node, to_rdflib(quad.predicate), obj))
            if isinstance(obj, BNode):
                self._describe(obj, depth + 1)


def _triple(triple: tuple) -> ox.Triple:
    if isinstance(triple, ox.Triple):
        return triple
    s, p, o = triple
    return ox.Triple(to_ox(s), to_ox(p), to_ox(o))


def _quad(triple: ox.Triple) -> ox.Quad:
    return ox.Quad(triple.subject, triple.predicate, triple.object)
