"""EDTF dates and their bounds: the earliest and latest day, computed by the edtf library.

Editors write a date once, as EDTF (`cn:edtf "1936-08/1938-03"`); `carnets build` derives
`cn:earliestDate` and `cn:latestDate` from it, and validation checks that every EDTF value in
the graph and the bounds stored beside it agree, so that range queries never drift from the
date they stand for.

The bounds are the edtf library's strict bounds: a qualifier (`?`, `~`, `%`) stays in the
EDTF string for display but does not widen the range. A date with an open or unknown end
("1944/..", "1944/") has no last day, and no `xsd:date` can say so: it is refused.
"""

from __future__ import annotations

import calendar
import functools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from edtf import EDTFParseException, UnspecifiedIntervalSection, parse_edtf, struct_time_to_date
from rdflib import Graph, Literal
from rdflib.namespace import XSD
from rdflib.term import Node

from carnets.errors import CarnetsError
from carnets.namespaces import CN, EDTF, bind_prefixes


class DateError(CarnetsError):
    """An EDTF value that is not EDTF, or whose bounds cannot be days."""


@dataclass(frozen=True)
class Bounds:
    earliest: date
    latest: date


@dataclass(frozen=True)
class Disagreement:
    """An EDTF value that does not parse, or a stored bound that is not the computed one."""

    subject: Node
    path: Node
    value: Node
    message: str


_DAY = re.compile(r"([1-9][0-9]{3})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


def _plain(text: str) -> Bounds | None:
    match = _DAY.fullmatch(text)
    if match is None:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if month is None:
            return Bounds(date(year, 1, 1), date(year, 12, 31))
        if day is None:
            return Bounds(
                date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
            )
        return Bounds(date(year, month, day), date(year, month, day))
    except ValueError:
        return None


def fast_bounds(value: str) -> Bounds | None:
    """The bounds of a plain date or an interval of two, or None for the library to judge.

    The edtf library parses with pyparsing, about 5 ms a value: a minute for the headings of a
    10,000-entry edition. Plain days, months and years ("1944-08-10", "1944-08", "1944") and
    intervals of two need no parser; tests/test_gate.py holds these to the library's bounds."""
    first, slash, last = value.partition("/")
    if not slash:
        return _plain(value)
    start, end = _plain(first), _plain(last)
    if start is None or end is None or start.earliest > end.latest:
        return None
    return Bounds(start.earliest, end.latest)


@functools.lru_cache(maxsize=1 << 16)
def edtf_bounds(value: str) -> Bounds:
    """The earliest and latest day that the EDTF value allows (the edtf library's answer)."""
    return fast_bounds(value) or _library_bounds(value)


def _library_bounds(value: str) -> Bounds:
    try:
        parsed = parse_edtf(value)
    except EDTFParseException as error:
        raise DateError(f'"{value}" is not an EDTF date') from error
    ends = (getattr(parsed, "lower", None), getattr(parsed, "upper", None))
    if any(isinstance(end, UnspecifiedIntervalSection) for end in ends):
        raise DateError(f'"{value}" has an open or unknown end: it has no first or last day')
    try:
        lower, upper = parsed.lower_strict(), parsed.upper_strict()
    except ValueError as error:  # the library cannot resolve every EDTF form to days
        raise DateError(f'the edtf library cannot compute the days of "{value}"') from error
    if not (isinstance(lower, time.struct_time) and isinstance(upper, time.struct_time)):
        raise DateError(f'"{value}" has an open end: it has no first or last day')
    return Bounds(struct_time_to_date(lower), struct_time_to_date(upper))


def bounds_graph(graph: Graph) -> Graph:
    """cn:earliestDate and cn:latestDate for every cn:edtf of `graph`."""
    bounds = Graph()
    bind_prefixes(bounds)
    for subject, value in graph.subject_objects(CN.edtf):
        days = edtf_bounds(str(value))
        bounds.add((subject, CN.earliestDate, Literal(days.earliest, datatype=XSD.date)))
        bounds.add((subject, CN.latestDate, Literal(days.latest, datatype=XSD.date)))
    return bounds


def disagreements(
    graph: Graph, bounds: Callable[[str], Bounds] | None = None
) -> list[Disagreement]:
    """Every EDTF literal that does not parse, and every stored bound its EDTF value contradicts.

    A missing bound is left to the shapes (a date is EDTF with both bounds, or not at all).
    `bounds` computes a value's days (default: `edtf_bounds`; the gate passes a faster one).
    """
    bounds = bounds or edtf_bounds
    found = []
    literals = {
        (s, p, o)
        for s, p, o in graph
        if isinstance(o, Literal) and (o.datatype == EDTF or p == CN.edtf)
    }
    for subject, path, value in sorted(literals, key=lambda triple: [t.n3() for t in triple]):
        try:
            days = bounds(str(value))
        except DateError as error:
            found.append(Disagreement(subject, path, value, str(error)))
            continue
        if path != CN.edtf:
            continue
        for bound, day, word in (
            (CN.earliestDate, days.earliest, "begins"),
            (CN.latestDate, days.latest, "ends"),
        ):
            for stored in graph.objects(subject, bound):
                if not (isinstance(stored, Literal) and stored.toPython() == day):
                    found.append(
                        Disagreement(
                            subject,
                            bound,
                            stored,
                            f'the EDTF date "{value}" {word} on {day.isoformat()} (computed with '
                            f"the edtf library), not on {stored}: run `carnets build`, or "
                            "correct the hand-typed bound",
                        )
                    )
    return found
