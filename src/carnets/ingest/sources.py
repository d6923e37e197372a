"""The source documents of an edition (data/source/*.txt, *.md, *.xml), read as its texts.

`carnets build` reads every one of them; `carnets ingest` adds or replaces one. Plain text
and Markdown are cut by `carnets.ingest.texts`, TEI P5 by `carnets.tei`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from carnets.edition import Editorial
from carnets.ingest.texts import SUFFIXES, Section, split_entries, split_source
from carnets.tei import read_tei


def is_excerpt(source: str, editorial: tuple[Editorial, ...]) -> bool:
    """Whether the document has the editorial texts the edition's configuration lays out."""
    return bool(editorial) and all(item.starts in source for item in editorial)


def read_document(
    name: str, source: str, base: str, editorial: tuple[Editorial, ...] = ()
) -> list[Section]:
    """The texts of one source document, by its kind (and the edition's `editorial` layout)."""
    if name.endswith(".xml"):
        return read_tei(source, name, base)
    if is_excerpt(source, editorial):
        return split_source(source, editorial)
    return split_entries(source, name)


def source_documents(folder: Path) -> dict[str, str]:
    """Every source document of the edition, by file name."""
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(folder.iterdir() if folder.is_dir() else ())
        if path.suffix in SUFFIXES and not path.name.startswith(".")
    }


def placed_sections(
    documents: dict[str, str], base: str, editorial: tuple[Editorial, ...] = ()
) -> list[tuple[str, Section]]:
    """Every text of the edition with its document's name: editorial texts, then the entries
    in date order.

    Two entries of one day get entry/{date} and entry/{date}-2, in the order of their
    documents' names and lines; a period's entry is placed at its first day."""
    notes, entries = [], []
    for name in sorted(documents):
        for section in read_document(name, documents[name], base, editorial):
            (entries if section.day else notes).append((name, section))
    entries.sort(
        key=lambda found: (found[1].day, found[1].edtf is not None, found[0], found[1].line)
    )
    taken: dict[str, int] = {}
    placed = []
    for name, section in entries:
        path = f"entry/{section.day.isoformat()}"
        taken[path] = taken.get(path, 0) + 1
        unique = path if taken[path] == 1 else f"{path}-{taken[path]}"
        placed.append((name, replace(section, path=unique)))
    return notes + placed


def edition_sections(
    documents: dict[str, str], base: str, editorial: tuple[Editorial, ...] = ()
) -> list[Section]:
    return [section for _, section in placed_sections(documents, base, editorial)]
