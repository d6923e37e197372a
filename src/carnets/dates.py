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


def edtf_bounds(value: str) -> Bounds:
    """The earliest and latest day that the EDTF value allows."""
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
