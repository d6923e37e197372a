"""`carnets ingest`: add notebook documents to an edition, validated before anything is written.

An ingested document is kept, byte for byte, as a source document in data/source/ under its
own name; `carnets build`'s functions then regenerate texts.ttl, mentions.ttl, dates.ttl and
links.ttl from all the source documents, so that an ingested entry and a built one are made
by the same code (same annotator, same offsets, same URIs). The new state is generated in
memory, validated from a temporary folder, and only then written, file by file, atomically.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from carnets.build import (
    SOURCE_DIR,
    curated_files,
    generate,
    names_and_nesting,
    section_mentions,
)
from carnets.config import Settings
from carnets.edition import Editorial
from carnets.errors import CarnetsError, DataFileError, ValidationFailed
from carnets.files import JOURNAL, finish_interrupted, write_all_atomically
from carnets.ingest.candidates import REVIEW_FILE, Candidate, candidates, review_text
from carnets.ingest.sources import placed_sections, read_document, source_documents
from carnets.ingest.texts import Section
from carnets.loading import from_ox, ox_triples, read_graphs, read_ox_triples, turtle_text


class IngestRefused(CarnetsError):
    """The document would change entries the edition already has, and --replace was not given."""


@dataclass
class Outcome:
    """What an ingest did, or would do with --dry-run."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    written: bool = False

    def text(self) -> str:
        verb = "wrote" if self.written else "would write"
        lines = [f"added: {p}" for p in self.added]
        lines += [f"replaced: {p}" for p in self.changed]
        lines += [f"removed: {p}" for p in self.removed]
        lines += [f"{verb}: {p}" for p in self.files]
        if self.candidates:
            lines.append(f"{len(self.candidates)} unknown names proposed in data/{REVIEW_FILE}")
        if not self.files:
            lines.append("nothing changes")
        if self.seconds:
            times = ", ".join(f"{step} {s:.2f} s" for step, s in self.seconds.items())
            lines.append(f"times: {times}")
        return "\n".join(lines)


def _keys(sections: Iterable[Section]) -> dict[str, Section]:
    """Entries by date (EDTF or day), the second of a day as `{date}#2`."""
    keyed: dict[str, Section] = {}
    for section in sections:
        if section.day is None:
            continue
        key = section.edtf or section.day.isoformat()
        n = 1
        while (f"{key}#{n}" if n > 1 else key) in keyed:
            n += 1
        keyed[f"{key}#{n}" if n > 1 else key] = section
    return keyed


def merge(
    documents: dict[str, str],
    name: str,
    text: str,
    shown: str,
    base: str,
    replace: bool,
    editorial: tuple[Editorial, ...] = (),
) -> tuple[dict[str, str], list[str], list[str], list[str]]:
    """The source documents once `text` is added as `name`: refuses changes without replace."""

    def read(name: str, source: str) -> list[Section]:
        return read_document(name, source, base, editorial)

    incoming = _keys(read(shown, text))
    previous = _keys(read(name, documents[name])) if name in documents else {}
    result = dict(documents)
    added, changed, removed, refused = [], [], [], []
    others = {
        key: (other, section)
        for other in sorted(documents)
        if other != name
        for key, section in _keys(read(other, documents[other])).items()
    }
    duplicates = []
    for key, section in incoming.items():
        if key in others:
            other, old = others[key]
            if old.text == section.text:
                duplicates.append(f"{key} is already in {other} (line {old.line})")
                continue
            if not replace:
                refused.append(
                    f"{shown}:{section.line}: {key} differs from {other} (line {old.line})"
                )
                continue
            result[other] = _without(result[other], other, old, read)
            changed.append(key)
        elif key in previous:
            if previous[key].text != section.text:
                if not replace:
                    refused.append(f"{shown}:{section.line}: the text of {key} has changed")
                    continue
                changed.append(key)
        else:
            added.append(key)
    for key in previous:
        if key not in incoming:
            if not replace:
                refused.append(f"{shown}: {key} is no longer in the document")
            removed.append(key)
    if refused:
        raise IngestRefused(
            "entries the edition already has would change (use --replace):\n  "
            + "\n  ".join(refused)
        )
    if duplicates and (added or changed):
        raise IngestRefused(
            "some entries are already in the edition, from another document:\n  "
            + "\n  ".join(duplicates)
        )
    if not duplicates:
        result[name] = text
    return result, added, changed, removed


def _without(source: str, name: str, entry: Section, read) -> str:
    """A plain-text document without one of its entries (its heading up to the next one)."""
    if name.endswith(".xml") or entry.path.startswith("note/") or entry.line == 0:
        raise IngestRefused(f"{name}: only a plain-text entry can be replaced from another file")
    sections = sorted(read(name, source), key=lambda s: s.line)
    if any(s.day is None for s in sections):
        raise IngestRefused(f"{name}: entries among editorial texts are replaced in that file")
    lines = source.splitlines(keepends=True)
    after = [s.line for s in sections if s.line > entry.line]
    end = after[0] - 1 if after else len(lines)
    return "".join(lines[: entry.line - 1] + lines[end:])


def _change(
    settings: Settings, new: dict[str, set[ox.Triple]]
) -> tuple[tuple[set, set] | None, dict[str, bool]]:
    """The triples the new generated files add and remove (as rdflib terms), if the edition
    has been built, and for each generated file whether it changes.

    The files are read and compared by pyoxigraph: only the change, a few triples for an entry
    added at the end, is turned into rdflib terms for validation."""
    old = {}
    for name in new:
        path = settings.data_dir / name
        old[name] = read_ox_triples(path) if path.exists() else None
    changes = {name: old[name] != new[name] for name in new}
    if any(found is None for found in old.values()):
        return None, changes
    before = set().union(*old.values())
    after = set().union(*new.values())

    def rdflib(triples: set[ox.Triple]) -> set:
        return {(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in triples}

    return (rdflib(after - before), rdflib(before - after)), changes


def ingest(
    settings: Settings,
    paths: Iterable[Path],
    replace: bool = False,
    dry_run: bool = False,
    progress: Callable[[Iterable[Section]], Iterable[Section]] = lambda items: items,
    today: date | None = None,
) -> Outcome:
    """Add the documents at paths to the edition; nothing is written unless all is valid."""
    from carnets.validation import record_change, validate, validate_change

    outcome = Outcome()
    clock = time.perf_counter()
    data = settings.data_dir
    finish_interrupted(data / JOURNAL)  # a change a crash cut short is completed first
    before = source_documents(data / SOURCE_DIR)
    documents = dict(before)
    ingested = set()
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise DataFileError(str(path), f"cannot be read: {error}") from error
        documents, added, changed, removed = merge(
            documents,
            path.name,
            text,
            str(path),
            settings.base,
            replace,
            settings.edition.editorial,
        )
        outcome.added += added
        outcome.changed += changed
        outcome.removed += removed
        ingested.add(path.name)
    outcome.seconds["parse"] = time.perf_counter() - clock
    if documents == before:
        return outcome

    clock = time.perf_counter()
    graphs = generate(settings, today=today, documents=documents)
    outcome.seconds["generate"] = time.perf_counter() - clock
    clock = time.perf_counter()
    triples = {name: ox_triples(graph) for name, graph in graphs.items()}
    change, changes = _change(settings, triples)
    outcome.seconds["compare"] = time.perf_counter() - clock
    clock = time.perf_counter()
    # Only the files that change are written, so only they are serialized.
    serialized = {name: turtle_text(triples[name]) for name in graphs if changes[name]}
    outcome.seconds["serialize"] = time.perf_counter() - clock
    clock = time.perf_counter()
    if change is not None:  # a built edition: validate what changed and what depends on it
        report = validate_change(settings, *change)
    else:  # the generated files are not there yet: validate the whole edition
        with tempfile.TemporaryDirectory(prefix="carnets-ingest-") as folder:
            # the files that do not change are read where they are
            generated = [data / name for name in graphs if name not in serialized]
            for name, text in serialized.items():
                (Path(folder) / name).write_text(text, encoding="utf-8")
                generated.append(Path(folder) / name)
            report = validate(settings, extra=[*curated_files(settings), *generated])
    outcome.seconds["validate"] = time.perf_counter() - clock
    if not report.conforms:
        raise ValidationFailed(report.text())

    clock = time.perf_counter()
    curated = read_graphs(curated_files(settings))
    names, nesting = names_and_nesting(curated)
    labels = {label.casefold() for label, _ in names}
    fresh = [
        s
        for name, s in placed_sections(documents, settings.base, settings.edition.editorial)
        if name in ingested
    ]
    for section in progress(fresh):
        known = section_mentions(section, names, nesting)
        outcome.candidates += candidates(section, known, labels)
    outcome.seconds["candidates"] = time.perf_counter() - clock

    writes: dict[Path, str] = {}
    for name, text in documents.items():
        if before.get(name) != text:
            writes[data / SOURCE_DIR / name] = text
    for name, text in serialized.items():
        writes[data / name] = text
    review = data / REVIEW_FILE
    existing = review.read_text(encoding="utf-8") if review.exists() else ""
    replaced = {s.path for s in fresh}
    new_review = review_text(existing, replaced, outcome.candidates)
    if new_review != existing:
        writes[review] = new_review
    outcome.files = sorted(writes)
    if not dry_run:
        write_all_atomically(writes, data / JOURNAL)
        outcome.written = True
        if change is not None:
            record_change(settings, *change)
    return outcome
