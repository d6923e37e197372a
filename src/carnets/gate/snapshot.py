"""The edition kept in an on-disk store between runs, so that checking a change starts at once.

Loading a 10,000-entry edition takes seconds; checking the change one new entry makes takes
well under one. The snapshot is a pyoxigraph (RocksDB) store of the ontology and data files
under `{root}/build/gate/{fingerprint}/`, named by a digest of those files and the shapes, so
it is used only while they are unchanged; `record` brings it along with a change once the
files hold it. It serves checks of changes only: `carnets validate` and the publisher always
read the files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from carnets.config import Settings
from carnets.gate import Gate, data
from carnets.loading import EditionFiles, read_graphs

FORMAT = "1"


def folder(settings: Settings) -> Path:
    return settings.root / "build" / "gate"


def fingerprint(files: EditionFiles) -> str:
    """A digest of the inputs: each file's name and content (size and mtime spare a re-read)."""
    digest = hashlib.sha256(f"carnets-gate {FORMAT}\n".encode())
    for path in (*files.shapes, *files.ontology, *files.edition, *files.links):
        digest.update(f"{path.name}\n".encode())
        digest.update(_content_digest(path))
    return digest.hexdigest()[:24]


_DIGESTS: dict[tuple[str, int, int], bytes] = {}


def _content_digest(path: Path) -> bytes:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _DIGESTS:
        with path.open("rb") as handle:
            _DIGESTS[key] = hashlib.file_digest(handle, "sha256").digest()
    return _DIGESTS[key]


class Snapshot:
    """An open snapshot: the gate over it, and the marker that says it is being changed."""

    def __init__(self, gate: Gate, place: Path) -> None:
        self.gate = gate
        self.place = place

    @classmethod
    def open(cls, settings: Settings, build: bool = True) -> Snapshot:
        """The snapshot of the edition as its files are now, built if there is none; with
        `build` false, the snapshot there is, whatever state of the files it holds (for
        `record`), or FileNotFoundError."""
        files = EditionFiles.find(settings)
        shapes = read_graphs(files.shapes)
        if build:
            place = folder(settings) / fingerprint(files)
            if not _usable(place):
                _build(place, files, shapes)
        else:
            found = [p for p in _existing(settings) if _usable(p)]
            if not found:
                raise FileNotFoundError("no snapshot of the edition")
            place = found[0]
        store = ox.Store(str(place / "store"))
        prefixes = data.namespaces()
        for prefix, namespace in json.loads((place / "prefixes.json").read_text("utf-8")):
            prefixes.bind(prefix, namespace, override=True, replace=True)
        gate = Gate(store, shapes, prefixes)
        gate.remember_unsure(_read_unsure(place / "unsure.nt"))
        return cls(gate, place)

    def check_change(self, added: Iterable[tuple], removed: Iterable[tuple] = ()):
        """The gate's check, with a marker on disk while the store holds the change: a
        snapshot left marked (the process died) is built again."""
        marker = self.place / "changing"
        marker.touch()
        try:
            return self.gate.check_change(added, removed)
        finally:
            self.gate.store.flush()
            if self.gate.unchanged:
                marker.unlink()

    def record(
        self, settings: Settings, added: Iterable[tuple], removed: Iterable[tuple] = ()
    ) -> None:
        """The files now hold this change: make it in the snapshot and name it after them."""
        marker = self.place / "changing"
        marker.touch()
        self.gate.apply(added, removed)
        self.gate.store.flush()
        target = folder(settings) / fingerprint(EditionFiles.find(settings))
        self.close()
        if target != self.place:
            shutil.rmtree(target, ignore_errors=True)
            self.place.rename(target)
            self.place = target
        marker = self.place / "changing"
        marker.unlink()

    def close(self) -> None:
        self.gate.store.flush()
        del self.gate.store


def _existing(settings: Settings) -> list[Path]:
    return _existing_in(folder(settings))


def _existing_in(top: Path) -> list[Path]:
    return [p for p in top.iterdir() if not p.name.startswith(".")] if top.is_dir() else []


def _usable(place: Path) -> bool:
    return (place / "prefixes.json").exists() and not (place / "changing").exists()


def _build(place: Path, files: EditionFiles, shapes: Graph) -> None:
    """Load the files in memory (where finding the unsure literals is quick), then copy the
    store to disk with them."""
    shutil.rmtree(place, ignore_errors=True)
    scratch = place.with_name(f".building-{place.name}-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        loaded = Gate.load((*files.ontology, *files.edition, *files.links), shapes)
        unsure = loaded.unsure()
        store = ox.Store(str(scratch / "store"))
        store.bulk_extend(loaded.store)
        store.flush()
        store.optimize()
        del store
        bindings = [[p, str(ns)] for p, ns in loaded.prefixes.namespaces()]
        (scratch / "prefixes.json").write_text(json.dumps(bindings), "utf-8")
        lines = [
            f"<{predicate}> <{predicate}> {term} .\n"
            for predicate, terms in sorted(unsure.items())
            for term in terms
        ]
        (scratch / "unsure.nt").write_text("".join(lines), "utf-8")
        for old in _existing_in(place.parent):  # one snapshot at a time: the edition as it is
            if old.name != scratch.name:
                shutil.rmtree(old, ignore_errors=True)
        try:
            scratch.rename(place)
        except OSError:  # another process built the same snapshot meanwhile
            if not _usable(place):
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _read_unsure(path: Path) -> dict[str, list[ox.Literal]]:
    found: dict[str, list[ox.Literal]] = {}
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        found.setdefault(triple.predicate.value, []).append(triple.object)
    return found
