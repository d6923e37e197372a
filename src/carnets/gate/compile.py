"""Shapes as SPARQL expressions: for each rule, a test of one value that never raises an error.

`Expressions.value_ok(rule, var, feeds)` is true when the value bound to `var` satisfies the
rule; `conforms(shape, var, feeds)` when it conforms to the whole shape (what sh:or, sh:xone,
sh:not and qualified value shapes need: pySHACL discards their nested results). `feeds` are
the predicates whose objects reach `var`, so that the few literals SPARQL cannot judge as
pySHACL does (see `literals`) are judged in Python and written into the test.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from carnets.gate import literals
from carnets.gate.shapes import COMPARISONS, SH, Shape, Unsupported, path_steps
from carnets.gate.terms import sparql, to_rdflib

TYPE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
LENIENT = {SH.Warning, SH.Info}  # with allow_warnings, such a shape never fails its parent
# The rules pySHACL checks on each value node (of a node shape: the focus node itself).
PER_VALUE = (
    "class",
    "datatype",
    "nodeKind",
    "pattern",
    "minLength",
    "maxLength",
    "languageIn",
    "compare",
    "or",
    "xone",
    "and",
    "not",
    "node",
    "property",
)


# What each rule on literal values needs SPARQL to agree with rdflib on (see `literals`).
NEEDS = {
    "datatype": frozenset({literals.PARSE}),
    "pattern": frozenset({literals.PARSE, literals.NEWLINE}),
    "minLength": frozenset({literals.PARSE}),
    "maxLength": frozenset({literals.PARSE}),
    "compare": frozenset({literals.PARSE, literals.ORDER}),
}


@dataclass(frozen=True)
class Rule:
    """One value of one constraint parameter: pySHACL reports each on its own."""

    component: str
    param: object


def rules(shape: Shape) -> list[Rule]:
    """The per-value rules of a shape, one per parameter value, as pySHACL evaluates them."""
    found: list[Rule] = []
    c = shape.constraints
    for name in ("class", "pattern", "node", "property", "not"):
        found += [Rule(name, value) for value in c.get(name, ())]
    for name in ("datatype", "nodeKind", "minLength", "maxLength", "languageIn"):
        if name in c:
            found.append(Rule(name, c[name]))
    for predicate, operator in COMPARISONS.items():
        found += [
            Rule("compare", (operator, bound, predicate)) for bound in c.get(str(predicate), ())
        ]
    for name in ("or", "xone", "and"):
        found += [Rule(name, value) for value in c.get(name, ())]
    return found


def string(text: str) -> str:
    """A SPARQL string literal."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def same_as_any(var: str, terms: list[object]) -> str:
    if not terms:
        return "false"
    return "(" + " || ".join(f"sameTerm({var}, {sparql(t)})" for t in terms) + ")"


class Expressions:
    def __init__(self, graph: Graph, unsure: dict[str, list[ox.Literal]]) -> None:
        self.graph = graph
        self.unsure = unsure
        self._count = itertools.count(1)
        self._rdflib: dict[object, Node] = {}

    def fresh(self) -> str:
        return f"?gate_x{next(self._count)}"

    def path(self, shape: Shape) -> tuple[str, frozenset[str]]:
        """The shape's path as SPARQL, and the predicates feeding its values."""
        predicate, inverse = path_steps(self.graph, shape.path)
        if inverse:
            return f"^<{predicate}>", frozenset()
        return f"<{predicate}>", frozenset({str(predicate)})

    def _exceptions(self, kind: str, var: str, feeds: frozenset[str], base: str, check) -> str:
        terms = [
            t
            for p in sorted(feeds)
            for t in self.unsure.get(p, ())
            if not literals.is_sure(kind, t)
        ]
        if not terms:
            return base
        passing = [t for t in dict.fromkeys(terms) if check(self._term(t))]
        return f"IF({literals.sure(kind, var)}, {base}, {same_as_any(var, passing)})"

    def _term(self, term: object) -> Node:
        if term not in self._rdflib:
            self._rdflib[term] = to_rdflib(term)
        return self._rdflib[term]

    def value_ok(self, rule: Rule, var: str, feeds: frozenset[str]) -> str:
        return f"COALESCE({self._value_ok(rule, var, feeds)}, false)"

    def _value_ok(self, rule: Rule, var: str, feeds: frozenset[str]) -> str:
        name, param = rule.component, rule.param
        if name == "class":
            if isinstance(param, Literal):
                return "false"
            return f"EXISTS {{ {var} {TYPE_PATH} {sparql(param)} }}"
        if name == "datatype":
            if param == RDF.langString:
                base = f'(isLiteral({var}) && lang({var}) != "")'
            elif param == XSD.string:
                base = f'(isLiteral({var}) && lang({var}) = "" && datatype({var}) = <{XSD.string}>)'
            elif param == RDFS.Literal:
                base = f"isLiteral({var})"
            else:
                base = f'(isLiteral({var}) && lang({var}) = "" && datatype({var}) = <{param}>)'
            return self._exceptions(
                NEEDS["datatype"], var, feeds, base, lambda t: literals.datatype_ok(t, param)
            )
        if name == "nodeKind":
            tests = {
                "IRI": f"isIRI({var})",
                "BlankNode": f"isBlank({var})",
                "Literal": f"isLiteral({var})",
            }
            kinds = [k for k in tests if k in str(param).rsplit("#", 1)[-1]]
            return "(" + " || ".join(tests[k] for k in kinds) + ")"
        if name == "pattern":
            pattern = str(param.value)
            base = f"(!isBlank({var}) && REGEX(STR({var}), {string(pattern)}))"
            return self._exceptions(
                NEEDS["pattern"], var, feeds, base, lambda t: literals.pattern_ok(t, pattern)
            )
        if name in ("minLength", "maxLength"):
            limit, at_least = int(param.value), name == "minLength"
            if at_least and limit == 0:
                return "true"
            op = ">=" if at_least else "<="
            base = f"(!isBlank({var}) && STRLEN(STR({var})) {op} {limit})"
            return self._exceptions(
                NEEDS[name], var, feeds, base, lambda t: literals.length_ok(t, limit, at_least)
            )
        if name == "languageIn":
            _, languages = param
            tagged = f'isLiteral({var}) && lang({var}) != ""'
            if "*" in languages:
                return f"({tagged})"
            listed = ", ".join(string(lang) for lang in languages)
            return (
                f"({tagged} && (LCASE(lang({var})) IN ({listed}) || "
                f'LCASE(STRBEFORE(lang({var}), "-")) IN ({listed})))'
            )
        if name == "compare":
            operator, bound, _ = param
            base = (
                f"(isLiteral({var}) && datatype({var}) = <{XSD.integer}> "
                f"&& {var} {operator} {sparql(bound)})"
            )
            return self._exceptions(
                NEEDS["compare"],
                var,
                feeds,
                base,
                lambda t: literals.compare_ok(t, bound, operator),
            )
        if name in ("or", "xone", "and"):
            _, members = param
            tests = [self.conforms(member, var, feeds) for member in members]
            if name == "or":
                return "(" + " || ".join(tests) + ")"
            if name == "and":
                return "(" + " && ".join(tests) + ")"
            return "((" + " + ".join(f"IF({t}, 1, 0)" for t in tests) + ") = 1)"
        if name == "not":
            return f"!{self.conforms(param, var, feeds)}"
        if name in ("node", "property"):
            return self.conforms(param, var, feeds)
        raise Unsupported(f"rule {name}")

    def conforms(self, shape: Shape, var: str, feeds: frozenset[str]) -> str:
        """True when the node bound to `var` conforms to the shape, as pySHACL decides."""
        if shape.deactivated or shape.severity in LENIENT:
            return "true"
        c = shape.constraints
        for name in ("qualified", "lessThanOrEquals", "sparql"):
            if name in c:
                raise Unsupported(
                    f"{name} inside sh:or, sh:xone, sh:and, sh:not or a qualified shape"
                )
        tests: list[str] = []
        if shape.path is None:
            tests += [self.value_ok(rule, var, feeds) for rule in rules(shape)]
            tests += [f"sameTerm({var}, {sparql(v)})" for v in c.get("hasValue", ())]
            if "minCount" in c or "maxCount" in c or "uniqueLang" in c:
                raise Unsupported("counts on a node shape")
        else:
            path, value_feeds = self.path(shape)
            value = self.fresh()
            checks = [self.value_ok(rule, value, value_feeds) for rule in rules(shape)]
            if checks:
                tests.append(
                    f"NOT EXISTS {{ {var} {path} {value} FILTER(!({' && '.join(checks)})) }}"
                )
            tests += [f"EXISTS {{ {var} {path} {sparql(v)} }}" for v in c.get("hasValue", ())]
            if "minCount" in c:
                tests.append(self._at_least(var, path, c["minCount"]))
            if "maxCount" in c:
                tests.append(f"!{self._at_least(var, path, c['maxCount'] + 1)}")
            if "uniqueLang" in c:
                a, b = self.fresh(), self.fresh()
                tests.append(
                    f"NOT EXISTS {{ {var} {path} {a}, {b} FILTER(!sameTerm({a}, {b}) && "
                    f'isLiteral({a}) && isLiteral({b}) && lang({a}) != "" && '
                    f"LCASE(lang({a})) = LCASE(lang({b}))) }}"
                )
        return "(" + " && ".join(tests) + ")" if tests else "true"

    def _at_least(self, var: str, path: str, count: int) -> str:
        if count <= 0:
            return "true"
        if count > 3:
            raise Unsupported("counts above 3 inside sh:or, sh:xone, sh:and, sh:not")
        values = [self.fresh() for _ in range(count)]
        distinct = [f"!sameTerm({a}, {b})" for i, a in enumerate(values) for b in values[i + 1 :]]
        condition = f" FILTER({' && '.join(distinct)})" if distinct else ""
        return f"EXISTS {{ {var} {path} {', '.join(values)}{condition} }}"


def target_pattern(shape: Shape, var: str) -> tuple[str, frozenset[str]]:
    """The focus nodes of a shape's targets, and the predicates feeding them."""
    branches: list[str] = []
    feeds: set[str] = set()
    for node in shape.target_nodes:
        if isinstance(node, Literal):
            raise Unsupported("literal target nodes")
        branches.append(f"VALUES {var} {{ {sparql(node)} }}")
    for cls in shape.target_classes:
        branches.append(f"{var} {TYPE_PATH} {sparql(cls)} .")
    for predicate in shape.target_subjects_of:
        branches.append(f"{var} {sparql(predicate)} [] .")
    for predicate in shape.target_objects_of:
        branches.append(f"[] {sparql(predicate)} {var} .")
        feeds.add(str(predicate))
    if len(branches) == 1:
        return branches[0], frozenset(feeds)
    return " UNION ".join(f"{{ {b} }}" for b in branches), frozenset(feeds)


def is_uri(term: Node) -> bool:
    return isinstance(term, URIRef)
