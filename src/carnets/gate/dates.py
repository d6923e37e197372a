"""carnets.dates' EDTF check with a fast path for plain calendar dates.

The edtf library parses with pyparsing, about 5 ms a value: 15 s for the 3,000 dates of a
10,000-entry edition. Almost every value is a plain day, month or year ("1944-08-10",
"1944-08", "1944") or an interval of two such, whose first and last days need no parser;
those are computed here, and every other value goes to `carnets.dates.edtf_bounds`. The
results are the library's (tests/test_gate.py holds the two to the same bounds), and
`disagreements` is carnets.dates' own loop, with the same messages.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from rdflib import Graph

from carnets import dates
from carnets.dates import Bounds, Disagreement, edtf_bounds

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
    """The bounds of a plain date or an interval of two, or None for the library to judge."""
    first, slash, last = value.partition("/")
    if not slash:
        return _plain(value)
    start, end = _plain(first), _plain(last)
    if start is None or end is None or start.earliest > end.latest:
        return None
    return Bounds(start.earliest, end.latest)


def bounds(value: str) -> Bounds:
    return fast_bounds(value) or edtf_bounds(value)


def disagreements(graph: Graph) -> list[Disagreement]:
    """carnets.dates.disagreements, with `bounds` for `edtf_bounds`."""
    return dates.disagreements(graph, bounds=bounds)
