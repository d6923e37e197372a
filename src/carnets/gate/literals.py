"""Literals whose verdict SPARQL alone cannot give as pySHACL gives it, and pySHACL's own checks.

pySHACL judges a value through rdflib: "1944-02-30"^^xsd:date is ill-typed, a sh:pattern runs
Python's `re` on the lexical form rdflib keeps, and sh:minInclusive compares rdflib's Python
values. For the usual forms (an integer, a valid date, a string) SPARQL reaches the same
verdict, and the gate asks SPARQL: the value is "sure". Any other literal (normally there are
none, or a few) is judged here, by pySHACL's rules, and the verdicts go into the queries as
lists of terms.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal

import pyoxigraph as ox
from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node, XSDToPython

# Lexical forms that rdflib keeps unchanged and parses without error. (The store writes a
# valid xsd:integer in its canonical form, which rdflib's is too: isNumeric tells them.)
SAFE = {
    str(XSD.integer): "^(0|-?[1-9][0-9]*)$",
    str(XSD.date): (
        "^[1-9][0-9]{3}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)"
        "|(0[13578]|1[02])-31)$"
    ),
}
PARSED = sorted(
    {str(d) for d in XSDToPython if d is not None} - {str(XSD.string)}
    | {str(RDF.HTML), str(RDF.XMLLiteral)}
)
ORDERED = (str(XSD.string), str(XSD.integer))  # the literals SPARQL orders as pySHACL does

# What a constraint needs SPARQL to agree with rdflib on: the value's lexical form and
# whether it parses (sh:datatype, sh:minLength...), how sh:pattern's `$` treats a final
# newline, the order of values (sh:minInclusive...).
PARSE, NEWLINE, ORDER = "parse", "newline", "order"


def sure(needs: frozenset[str], var: str) -> str:
    """SPARQL: SPARQL's verdict on this value is pySHACL's, for constraints with these needs.

    Written with IF, which the engine evaluates lazily, where || and && evaluate both sides:
    most values are settled by the first test.
    """
    parsed = ", ".join(f"<{d}>" for d in PARSED)
    date_form = SAFE[str(XSD.date)]
    if ORDER in needs:
        typed = f"IF(datatype({var}) = <{XSD.integer}>, isNumeric({var}), false)"
    else:
        typed = (
            f"IF(datatype({var}) = <{XSD.integer}>, isNumeric({var}), "
            f'IF(datatype({var}) = <{XSD.date}>, REGEX(STR({var}), "{date_form}"), '
            f"!(datatype({var}) IN ({parsed}))))"
        )
    lexical = f'IF(lang({var}) != "", true, IF(datatype({var}) = <{XSD.string}>, true, {typed}))'
    if NEWLINE in needs:
        lexical = f'IF(STRENDS(STR({var}), "\\n"), false, {lexical})'
    return f"IF(isLiteral({var}), {lexical}, true)"


def is_sure(needs: frozenset[str], term: object) -> bool:
    """The same test as `sure`, in Python, for a term in hand."""
    if not isinstance(term, ox.Literal):
        return True
    datatype, text = term.datatype.value, term.value
    if NEWLINE in needs and text.endswith("\n"):
        return False
    if term.language:
        return True
    if datatype in PARSED and not (datatype in SAFE and re.search(SAFE[datatype], text)):
        return False
    return ORDER not in needs or datatype in ORDERED


def unsure_literals(
    store: ox.Store, predicates: dict[str, frozenset[str]]
) -> dict[str, list[ox.Literal]]:
    """For each predicate, its literal values that its constraints cannot leave to SPARQL.

    `predicates` gives the needs of the constraints each predicate's values meet.
    """
    found: dict[str, list[ox.Literal]] = {p: [] for p in predicates}
    groups: dict[frozenset[str], list[str]] = {}
    for predicate, needs in predicates.items():
        if needs:
            groups.setdefault(needs, []).append(predicate)
    for needs, chosen in groups.items():
        values = " ".join(f"<{p}>" for p in sorted(chosen))
        query = (
            f"SELECT DISTINCT ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o "
            f"FILTER(isLiteral(?o) && !{sure(needs, '?o')}) }}"
        )
        for row in store.query(query):
            found[row["p"].value].append(row["o"])
    return found


# pySHACL's checks, on rdflib terms -------------------------------------------------------


def datatype_ok(value: Node, rule: URIRef) -> bool:
    if not isinstance(value, Literal):
        return False
    if value.datatype == rule:
        if getattr(value, "ill_typed", None) is True:
            return False
        return _actual(value, rule)
    if rule == RDFS.Literal:
        return True
    if value.datatype is None and value.language is None and rule == XSD.string:
        return _actual(value, rule)
    if rule == RDF.langString and value.language:
        return _actual(value, rule)
    return False


def _actual(value: Literal, rule: URIRef) -> bool:
    expected = {
        XSD.string: (str, bytes),
        RDF.langString: (str, bytes),
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: date,
        XSD.time: time,
        XSD.dateTime: datetime,
    }.get(rule)
    return expected is None or isinstance(value.value, expected)


def as_string(value: Node) -> str:
    """The string pySHACL matches and measures: the value of a string, else the lexical form."""
    plain = isinstance(value, Literal) and value.value is not None
    if plain and value.datatype in (None, RDF.langString, XSD.string):
        return str(value.value)
    return str(value)


def pattern_ok(value: Node, pattern: str) -> bool:
    return not isinstance(value, BNode) and re.search(pattern, as_string(value)) is not None


def length_ok(value: Node, limit: int, at_least: bool) -> bool:
    if at_least and limit == 0:
        return True
    if isinstance(value, BNode):
        return False
    length = len(as_string(value))
    return length >= limit if at_least else length <= limit


def compare_ok(value: Node, bound: Literal, operator: str) -> bool:
    """sh:minInclusive and its kin, as pySHACL compares."""
    if not isinstance(value, Literal):
        return False
    if isinstance(value.value, str) != isinstance(bound.value, str):
        return False
    try:
        order = compare_literal(value, bound)
    except (TypeError, NotImplementedError):
        return False
    return {">=": order >= 0, ">": order > 0, "<=": order <= 0, "<": order < 0}[operator]


def less_or_equal_ok(value: Node, other: Node) -> bool:
    """sh:lessThanOrEquals for one pair of values, as pySHACL compares."""

    def plain(term: Node) -> tuple[object, bool]:
        if isinstance(term, URIRef):
            return str(term), True
        if isinstance(term, Literal) and isinstance(term.value, str):
            return term.value, True
        return term, False

    left, left_is_string = plain(value)
    right, right_is_string = plain(other)
    if left_is_string != right_is_string:
        return False
    try:
        return bool(left <= right)
    except TypeError:
        return False
