"""Pictures of the edition, drawn here as plain SVG from one SPARQL query each.

A timeline of the entries and of the deaths they report (a death known only to a month or a
year is drawn as a range, from its earliest to its latest day), and a network of the people
each entry mentions (a line's width is the number of mentions). Each picture keeps its query,
so that the page can show it and open it in the workbench. Every label is escaped; every node
and mark links to its resource. Nothing here imports Flask.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from html import escape

from carnets.services.display import day_text, local_href
from carnets.store.base import Store

TIMELINE = """PREFIX cn: <https://w3id.org/carnets/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
# The entries by date, and the deaths they report with the record's earliest and latest day.
SELECT ?entry ?entryDate ?report ?person ?name ?edtf ?earliest ?latest WHERE {
  ?entry a cn:Entry ; schema:dateCreated ?entryDate .
  OPTIONAL {
    ?report cn:reportedIn ?entry ; cn:reportsDeath ?death .
    ?death crm:P100_was_death_of ?person ; cn:earliestDate ?earliest ; cn:latestDate ?latest .
    OPTIONAL { ?death cn:edtf ?edtf }
    ?person skos:prefLabel ?name . FILTER(LANGMATCHES(LANG(?name), "en"))
  }
} ORDER BY ?entryDate ?earliest
"""

NETWORK = """PREFIX cn: <https://w3id.org/carnets/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
# Who each entry mentions, and how often.
SELECT ?entry ?entryDate ?person ?name (COUNT(?mention) AS ?mentions) WHERE {
  ?entry a cn:Entry ; schema:dateCreated ?entryDate .
  ?mention oa:hasBody ?person ; oa:hasTarget/oa:hasSource ?entry .
  ?person a cn:Person ; skos:prefLabel ?name . FILTER(LANGMATCHES(LANG(?name), "en"))
} GROUP BY ?entry ?entryDate ?person ?name ORDER BY ?entryDate ?name
"""

INK, MUTED, ENTRY, DEATH, LINK = "#1d1d1d", "#4f4f4f", "#0b4f9c", "#8a1c1c", "#7a8ea8"


@dataclass
class Picture:
    name: str
    title: str
    description: str
    query: str
    svg: str
    count: int  # marks drawn; 0 means there was nothing to draw


def _days(value: str) -> int:
    return date.fromisoformat(value[:10]).toordinal()


def _link(href: str, label: str, inner: str) -> str:
    return f'<a href="{escape(href)}" aria-label="{escape(label)}">{inner}</a>'


class PictureService:
    def __init__(self, store: Store, base: str, *, timeout: float = 30.0) -> None:
        self.store = store
        self.base = base
        self.timeout = timeout

    def timeline(self, lang: str = "en") -> Picture:
        rows = self.store.select(TIMELINE, timeout=self.timeout)
        entries: dict[str, str] = {}
        deaths: dict[str, dict] = {}
        for row in rows:
            entries[row["entry"].value] = row["entryDate"].value
            if "person" in row:
                found = deaths.setdefault(
                    row["person"].value,
                    {
                        "name": row["name"].value,
                        "earliest": row["earliest"].value,
                        "latest": row["latest"].value,
                        "edtf": row["edtf"].value if "edtf" in row else None,
                        "entries": [],
                    },
                )
                found["entries"].append(row["entry"].value)
        title = "Entries and the deaths they report"
        description = (
            f"{len(entries)} entries (top) and the {len(deaths)} deaths they report, each on its "
            "own line from the record's earliest to its latest day; thin lines join a death "
            "to the entries that report it. The year of the entries is drawn wider, with its "
            "months."
        )
        svg = self._timeline_svg(entries, deaths, title, description, lang)
        return Picture("timeline", title, description, TIMELINE, svg, len(entries) + len(deaths))

    def _timeline_svg(self, entries, deaths, title, description, lang) -> str:
        width, left, right, row = 960, 220, 30, 24
        top = 70 + 14 * len(entries)
        ordered = sorted(deaths.items(), key=lambda item: (item[1]["earliest"], item[1]["name"]))
        height = top + max(1, len(ordered)) * row + 50
        days = [_days(d) for d in entries.values()]
        days += [_days(d["earliest"]) for d in deaths.values()]
        days += [_days(d["latest"]) for d in deaths.values()]
        if not days:
            return _svg("timeline", width, 120, title, description, "")
        first = date(date.fromordinal(min(days)).year, 1, 1).toordinal()
        last = date(date.fromordinal(max(days)).year + 1, 1, 1).toordinal()
        # The year of the first entry is drawn wider than the years before it (a focus and
        # its context), so that entries days apart stay apart.
        focus_year = date.fromordinal(min(_days(d) for d in entries.values())).year
        focus = max(first, date(focus_year, 1, 1).toordinal())
        span = width - left - right
        share = 0.35 if focus > first else 0.0

        def x(day: int) -> float:
            if day < focus:
                return left + span * share * (day - first) / max(1, focus - first)
            return left + span * (share + (1 - share) * (day - focus) / max(1, last - focus))

        parts = []
        labelled = -1000.0
        for year in range(date.fromordinal(first).year, date.fromordinal(last).year + 1):
            at = x(date(year, 1, 1).toordinal())
            parts.append(
                f'<line x1="{at:.1f}" y1="{top - 30}" x2="{at:.1f}" y2="{height - 30}" '
                f'stroke="#d6d6d6"/>'
            )
            if at - labelled >= 36 or year >= focus_year:
                labelled = at
                parts.append(
                    f'<text x="{at:.1f}" y="{height - 12}" font-size="12" fill="{MUTED}" '
                    f'text-anchor="middle">{year}</text>'
                )
        for year in range(focus_year, date.fromordinal(last).year):
            for month in range(2, 13):
                at = x(date(year, month, 1).toordinal())
                parts.append(
                    f'<line x1="{at:.1f}" y1="{top - 30}" x2="{at:.1f}" y2="{height - 30}" '
                    f'stroke="#eeeeee"/><text x="{at:.1f}" y="{height - 26}" font-size="10" '
                    f'fill="{MUTED}" text-anchor="middle">{month}</text>'
                )
        entry_x = {}
        ordered_entries = sorted(entries.items(), key=lambda item: item[1])
        for n, (iri, day) in enumerate(ordered_entries):
            at = x(_days(day))
            entry_x[iri] = at
            label = day_text(day, lang)
            line = top - 50 - 14 * (len(ordered_entries) - 1 - n)
            mark = (
                f'<line x1="{at:.1f}" y1="{line + 2}" x2="{at:.1f}" y2="{top - 40}" '
                f'stroke="{ENTRY}" stroke-width=".8"/>'
                f'<circle cx="{at:.1f}" cy="{top - 40}" r="5" fill="{ENTRY}"/>'
                f'<text x="{at - 4:.1f}" y="{line}" font-size="12" fill="{ENTRY}" '
                f'text-anchor="end">{escape(label)}</text>'
            )
            parts.append(_link(local_href(iri, self.base), label, mark))
        for n, (person, death) in enumerate(ordered):
            y = top + n * row + 10
            start, end = x(_days(death["earliest"])), x(_days(death["latest"]) + 1)
            for entry in death["entries"]:
                if entry in entry_x:
                    parts.append(
                        f'<path d="M{end:.1f},{y} C{end + 40:.1f},{y} {entry_x[entry]:.1f},'
                        f'{top - 10} {entry_x[entry]:.1f},{top - 34}" fill="none" '
                        f'stroke="{LINK}" stroke-width="1" opacity=".6"/>'
                    )
            when = death["edtf"] or death["earliest"]
            label = f"{death['name']}, {when}"
            mark = (
                f'<text x="{left - 8}" y="{y + 4}" font-size="12" fill="{INK}" '
                f'text-anchor="end">{escape(death["name"])}</text>'
                f'<rect x="{start:.1f}" y="{y - 5}" width="{max(3.0, end - start):.1f}" '
                f'height="10" rx="2" fill="{DEATH}" opacity="{0.9 if end - start < 8 else 0.55}">'
                f"<title>{escape(label)}</title></rect>"
            )
            parts.append(_link(local_href(person, self.base), label, mark))
        return _svg("timeline", width, height, title, description, "".join(parts))

    def network(self, lang: str = "en") -> Picture:
        rows = self.store.select(NETWORK, timeout=self.timeout)
        entries: dict[str, str] = {}
        people: dict[str, str] = {}
        edges: dict[tuple[str, str], int] = {}
        first_seen: dict[str, str] = {}
        for row in rows:
            entry, person = row["entry"].value, row["person"].value
            entries[entry] = row["entryDate"].value
            people[person] = row["name"].value
            edges[(entry, person)] = int(row["mentions"].value)
            first_seen.setdefault(person, (row["entryDate"].value, entry))
        title = "Who each entry mentions"
        description = (
            f"The {len(entries)} entries (inner ring, blue) and the {len(people)} people they "
            "mention (outer ring); a line's width is the number of mentions of that person in "
            "that entry."
        )
        svg = self._network_svg(entries, people, edges, first_seen, title, description, lang)
        return Picture("network", title, description, NETWORK, svg, len(edges))

    def _network_svg(self, entries, people, edges, first_seen, title, description, lang) -> str:
        size = 1000
        centre = size / 2
        inner, outer = 130, 290
        ordered_entries = sorted(entries, key=entries.get)
        ordered_people = sorted(people, key=lambda p: (first_seen[p][0], people[p]))
        first_entry = {p: first_seen[p][1] for p in people}
        places: dict[str, tuple[float, float, float]] = {}

        def place(node: str, ring: float, angle: float) -> None:
            places[node] = (centre + ring * math.cos(angle), centre + ring * math.sin(angle), angle)

        for n, person in enumerate(ordered_people):
            place(person, outer, 2 * math.pi * n / max(1, len(ordered_people)) - math.pi / 2)
        # Each entry faces the people it is the first to mention (a circular mean).
        for n, entry in enumerate(ordered_entries):
            angles = [places[p][2] for p in ordered_people if first_entry[p] == entry]
            if angles:
                angle = math.atan2(
                    sum(math.sin(a) for a in angles), sum(math.cos(a) for a in angles)
                )
            else:
                angle = 2 * math.pi * n / max(1, len(ordered_entries)) - math.pi / 2
            place(entry, inner, angle)
        degree: dict[str, int] = defaultdict(int)
        for (_, person), weight in edges.items():
            degree[person] += weight
        parts = []
        for (entry, person), weight in sorted(edges.items(), key=lambda item: item[1]):
            (x1, y1, _), (x2, y2, _) = places[entry], places[person]
            parts.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="{LINK}" stroke-width="{min(8, 0.8 + 1.2 * weight):.1f}" opacity=".55"/>'
            )
        for entry in ordered_entries:
            x, y, _ = places[entry]
            label = day_text(entries[entry], lang)
            mark = (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="{ENTRY}"/>'
                f'<text x="{x:.1f}" y="{y - 14:.1f}" font-size="13" fill="{ENTRY}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
            parts.append(_link(local_href(entry, self.base), label, mark))
        for person in ordered_people:
            x, y, angle = places[person]
            right = math.cos(angle) >= 0
            lx = x + (10 if right else -10)
            rotate = math.degrees(angle) if right else math.degrees(angle) + 180
            label = people[person]
            mark = (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{3 + min(6, degree[person]):.1f}" '
                f'fill="#b36b00"/><text x="{lx:.1f}" y="{y + 4:.1f}" font-size="12" fill="{INK}" '
                f'text-anchor="{"start" if right else "end"}" '
                f'transform="rotate({rotate:.1f} {x:.1f} {y:.1f})">{escape(label)}</text>'
            )
            parts.append(_link(local_href(person, self.base), label, mark))
        return _svg("network", size, size, title, description, "".join(parts))


def _svg(name: str, width: int, height: int, title: str, description: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{name}-title {name}-desc" '
        f'font-family="DejaVu Sans, system-ui, sans-serif">'
        f'<title id="{name}-title">{escape(title)}</title>'
        f'<desc id="{name}-desc">{escape(description)}</desc>{body}</svg>'
    )
