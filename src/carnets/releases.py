"""Versioned, published releases: `carnets release` and the shelf of releases a server offers.

A release is what a scholar cites: a version of the validated edition whose files never change
once published. `make_release` takes the validated build of the current files (carnets.export's
cached snapshot, so nothing invalid gets this far), labels its blank nodes canonically
(RDFC-1.0) and writes, into a temporary folder renamed into place when complete:

- the dumps (Turtle, N-Triples, JSON-LD, N-Quads), each also gzipped (mtime 0, no file name);
- void.ttl: the VoID/DCAT description of this version (dcat:version, owl:versionInfo,
  dcterms:issued, prov:wasDerivedFrom the previous release, a dcat:Distribution per file with
  its media type, byte size and spdx:checksum);
- CHANGELOG.md (the changes since the previous release, in words) and changes.rdfp (the same as
  an RDF Patch); resources.tsv (every resource IRI and its label: what answers 410 later);
- release.json (version, sequence, previous, issued, content digest) and SHA256SUMS.

The same input gives the same bytes: statements are sorted, nothing reads the clock unless asked
(`--date now`), and the date comes from --date, SOURCE_DATE_EPOCH, or the dataset's own
dcterms:modified. A version is never rewritten: the same content again is a no-op, other content
under an existing version is refused.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import io
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from carnets import __version__, integrity
from carnets.config import Settings
from carnets.conneg import DUMPS
from carnets.diff import Diff, Snapshot, compare
from carnets.errors import ReleaseError
from carnets.release_dcat import DCTERMS, release_void

RECORD = "release.json"
CHECKSUMS = "SHA256SUMS"
CHANGELOG = "CHANGELOG.md"
PATCH = "changes.rdfp"
RESOURCES = "resources.tsv"
VOID = "void.ttl"
STEM = "carnets"
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
RESERVED = {"latest", "current"}  # /releases/latest/ names the newest release
GZIP_LEVEL = 6  # as /download/; 9 takes twice as long for 2 % less

# Media types of the files of a release, by name or suffix (what the server sends).
MEDIA_TYPES = {
    **{f"{STEM}.{ext}": media for ext, media in DUMPS.items()},
    VOID: "text/turtle",
    CHECKSUMS: "text/plain",
    CHANGELOG: "text/markdown",
    PATCH: "application/rdf-patch",
    RESOURCES: "text/tab-separated-values",
    RECORD: "application/json",
}

Validator = Callable[[Settings], Any]


def releases_root(settings: Settings) -> Path:
    """Where published releases live: CARNETS_RELEASES, by default releases/ in the root."""
    return (settings.releases_dir or settings.root / "releases").resolve()


def media_type(name: str) -> str | None:
    """The media type of a release's file (`.gz`: application/gzip), None if it has none."""
    if name.endswith(".gz") and name[:-3] in MEDIA_TYPES:
        return "application/gzip"
    return MEDIA_TYPES.get(name)


@dataclass(frozen=True)
class PublishedRelease:
    """One folder of the shelf: a version, its record and its files."""

    path: Path
    record: dict

    @property
    def version(self) -> str:
        return self.record["version"]

    @property
    def sequence(self) -> int:
        return int(self.record["sequence"])

    @property
    def issued(self) -> str:
        return self.record["issued"]

    @property
    def previous(self) -> str | None:
        return self.record.get("previous")

    @property
    def changes(self) -> str:
        return self.record.get("changes", "")

    @property
    def content(self) -> str:
        """SHA-256 of the canonical N-Quads: two releases with it hold the same statements."""
        return self.record["content"]

    def iri(self, base: str) -> str:
        return f"{base}releases/{self.version}/"

    def checksums(self) -> dict[str, str]:
        """File name → SHA-256, from SHA256SUMS (every file but SHA256SUMS itself)."""
        sums = {}
        for line in (self.path / CHECKSUMS).read_text("utf-8").splitlines():
            digest, _, name = line.partition("  ")
            if digest and name:
                sums[name] = digest
        return sums

    def snapshot(self) -> Snapshot:
        n_quads = (self.path / f"{STEM}.nq").read_bytes()
        return Snapshot(f"release {self.version}", n_quads, self.issued)

    def resources(self) -> dict[str, str]:
        """Every resource IRI of this release with its label ('' when it has none)."""
        found = {}
        with (self.path / RESOURCES).open(encoding="utf-8") as lines:
            for line in lines:
                iri, _, label = line.rstrip("\n").partition("\t")
                found[iri] = label
        return found

    @classmethod
    def load(cls, path: Path) -> PublishedRelease:
        try:
            record = json.loads((path / RECORD).read_text("utf-8"))
            record["version"], record["sequence"], record["issued"], record["content"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ReleaseError(f"the release in {path} has a bad {RECORD}: {error}") from None
        return cls(path, record)


class Shelf:
    """The releases folder: every published release, oldest first, re-read when it changes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._seen: tuple[float, list[PublishedRelease]] | None = None
        self._gone: tuple[int, dict[str, tuple[PublishedRelease, str]]] | None = None

    def all(self) -> list[PublishedRelease]:
        try:
            stamp = self.root.stat().st_mtime_ns
        except FileNotFoundError:
            return []
        if self._seen is None or self._seen[0] != stamp:
            found = []
            for folder in self.root.iterdir():
                if folder.name.startswith(".") or not (folder / RECORD).is_file():
                    continue
                try:
                    found.append(PublishedRelease.load(folder))
                except ReleaseError:
                    continue
            found.sort(key=lambda r: r.sequence)
            self._seen = (stamp, found)
        return list(self._seen[1])

    def get(self, version: str) -> PublishedRelease | None:
        return next((r for r in self.all() if r.version == version), None)

    def latest(self) -> PublishedRelease | None:
        releases = self.all()
        return releases[-1] if releases else None

    def last_with(self, iri: str) -> tuple[PublishedRelease, str] | None:
        """The newest release in which `iri` was a resource, and its label there."""
        releases = self.all()
        key = hash(tuple(r.version for r in releases))
        if self._gone is None or self._gone[0] != key:
            last: dict[str, tuple[PublishedRelease, str]] = {}
            for release in releases:
                for resource, label in release.resources().items():
                    last[resource] = (release, label)
            self._gone = (key, last)
        return self._gone[1].get(iri)


@dataclass(frozen=True)
class Outcome:
    """What `make_release` did: the release, and whether it was written now."""

    release: PublishedRelease
    created: bool
    diff: Diff | None = None

    def text(self) -> str:
        r = self.release
        if not self.created:
            return f"release {r.version} already holds this content ({r.path}); nothing written"
        since = (
            f"since release {r.previous}: {self.diff.summary()}" if self.diff else "first release"
        )
        return f"wrote release {r.version} ({r.issued}) to {r.path}; {since}"


def make_release(
    settings: Settings,
    version: str | None = None,
    when: str | None = None,
    *,
    validate: Validator | None = None,
    environ: Mapping[str, str] | None = None,
) -> Outcome:
    """Publish the validated edition as release `version` (default: the next whole number).

    Raises ValidationFailed if the edition does not conform, ReleaseError if `version` is taken
    by other content or the folder cannot be written.
    """
    from carnets.export import prepare_release

    environ = os.environ if environ is None else environ
    if version is not None:
        check_version(version)
    root = releases_root(settings)
    shelf = Shelf(root)
    built = prepare_release(settings, validate=validate)  # validated, or ValidationFailed
    n_quads = canonical_n_quads(built.dump_path(f"{STEM}.nq"))
    content = hashlib.sha256(n_quads).hexdigest()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReleaseError(
            integrity.describe_os_error(error, "create the releases folder")
        ) from None
    with _locked(root):
        previous = shelf.latest()
        if version is None:
            if previous is not None and previous.content == content:
                return Outcome(previous, created=False)
            version = next_version(shelf)
        existing = shelf.get(version)
        if existing is not None:
            if existing.content == content:
                return Outcome(existing, created=False)
            raise ReleaseError(
                f"release {version} exists with other content ({existing.path}); a published "
                "version never changes: choose another --version"
            )
        issued = issued_date(when, environ, n_quads, settings.base)
        written = {}

        def build(scratch: Path) -> str:
            written["diff"] = _write(
                settings, built, n_quads, content, version, issued, previous, scratch
            )
            return version

        target = integrity.build_folder(root, content[:16], build, f"write release {version}")
    return Outcome(PublishedRelease.load(target), created=True, diff=written["diff"])


def check_version(version: str) -> None:
    if not VERSION.match(version) or version in RESERVED:
        raise ReleaseError(
            f"{version!r} cannot name a release: use letters, digits, '.', '_' or '-' "
            f"(starting with a letter or digit), and not {' or '.join(sorted(RESERVED))}"
        )


def next_version(shelf: Shelf) -> str:
    """One more than the highest whole-number version (1 for the first release)."""
    numbers = [int(r.version) for r in shelf.all() if r.version.isdigit()]
    candidate = max(numbers, default=0) + 1
    while shelf.get(str(candidate)) is not None:
        candidate += 1
    return str(candidate)


def issued_date(when: str | None, environ: Mapping[str, str], n_quads: bytes, base: str) -> str:
    """The release date: --date, else SOURCE_DATE_EPOCH, else the dataset's dcterms:modified.

    `today` and `now` read the clock, which only the user may ask for: a build must not.
    """
    if when:
        if when == "today":
            return datetime.now(UTC).date().isoformat()
        if when == "now":
            return _utc(datetime.now(UTC))
        try:
            return date.fromisoformat(when).isoformat()
        except ValueError:
            pass
        try:
            moment = datetime.fromisoformat(when)
        except ValueError:
            raise ReleaseError(
                f"--date {when!r} is not a date (YYYY-MM-DD), a date and time, 'today' or 'now'"
            ) from None
        return _utc(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return _utc(datetime.fromtimestamp(int(epoch), UTC))
        except (ValueError, OverflowError, OSError):
            raise ReleaseError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds") from None
    for name in ("modified", "issued"):
        start = f"<{base}dataset> <{DCTERMS}{name}> ".encode()
        found = [line for line in n_quads.splitlines(keepends=True) if line.startswith(start)]
        values = sorted(q.object.value for q in _parse(found) if isinstance(q.object, ox.Literal))
        if values:
            return values[-1]
    raise ReleaseError(
        "no date for the release: pass --date YYYY-MM-DD (or --date today), set "
        "SOURCE_DATE_EPOCH, or give the dataset a dcterms:modified"
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def canonical_n_quads(path: Path) -> bytes:
    """An N-Quads file with its blank nodes labelled by RDFC-1.0, as sorted, distinct lines.

    Only the quads that hold a blank node are parsed and canonicalized: RDFC-1.0 labels a
    blank node from the quads that mention it, so the others cannot change a label; the rest
    stay lines of text (the snapshot's, written by the same serializer), which is what makes
    1.5 M quads take seconds.
    """
    lines = path.read_bytes().splitlines(keepends=True)
    candidates = [line for line in lines if b"_:" in line]  # or a literal that says "_:"
    blank_lines, blank_quads = set(), []
    for line, quad in zip(candidates, _parse(candidates), strict=True):
        if any(isinstance(t, ox.BlankNode) for t in (quad.subject, quad.object, quad.graph_name)):
            blank_lines.add(line)
            blank_quads.append(quad)
    if blank_quads:
        dataset = ox.Dataset(blank_quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        relabelled = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS)
        lines = [line for line in lines if line not in blank_lines]
        lines += relabelled.splitlines(keepends=True)
    return b"".join(sorted(set(lines)))


def _parse(lines) -> list[ox.Quad]:
    return list(ox.parse(b"".join(lines), ox.RdfFormat.N_QUADS))


def _graph_split(line: bytes, graphs: frozenset[bytes]) -> int:
    """Where the graph name starts in an N-Quads line of a release (every quad has one)."""
    start = line.rfind(b" <", 0, len(line) - 3)
    if line[start:] not in graphs:
        raise ReleaseError(f"a statement outside the edition's named graphs: {line[:200]!r}")
    return start


def gzip_bytes(data: bytes) -> bytes:
    """gzip with no file name and mtime 0 (and the header's OS byte 'unknown'): reproducible."""
    buffer = io.BytesIO()
    with gzip.GzipFile(
        filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=GZIP_LEVEL
    ) as packed:
        packed.write(data)
    return buffer.getvalue()


def serialize_dumps(n_quads: bytes, graphs: list[str]) -> dict[str, bytes]:
    """The four dumps of canonical N-Quads: the same statements give the same bytes.

    N-Triples are the quads' lines without their graph, distinct and sorted; Turtle is written
    from them in that order; JSON-LD from the quads grouped by graph, each graph in line order.
    """
    from carnets.store.base import PREFIXES

    suffixes = frozenset(f" <{g}> .\n".encode() for g in graphs)
    lines = n_quads.splitlines(keepends=True)
    cuts = [_graph_split(line, suffixes) for line in lines]
    n_triples = b"".join(
        sorted({line[:cut] + b" .\n" for line, cut in zip(lines, cuts, strict=True)})
    )
    triples = (q.triple for q in ox.parse(n_triples, ox.RdfFormat.N_TRIPLES))
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    order = sorted(range(len(lines)), key=lambda i: lines[i][cuts[i] :])  # stable: line order
    by_graph = ox.parse(b"".join(lines[i] for i in order), ox.RdfFormat.N_QUADS)
    json_ld = ox.serialize(by_graph, format=ox.RdfFormat.JSON_LD)
    return {
        f"{STEM}.ttl": turtle,
        f"{STEM}.nt": n_triples,
        f"{STEM}.jsonld": json_ld,
        f"{STEM}.nq": n_quads,
    }


def _write(
    settings: Settings,
    built,
    n_quads: bytes,
    content: str,
    version: str,
    issued: str,
    previous: PublishedRelease | None,
    folder: Path,
) -> Diff | None:
    base = settings.base
    files: dict[str, bytes] = {}
    for name, data in serialize_dumps(n_quads, sorted(built.triple_counts)).items():
        files[name] = data
        files[name + ".gz"] = gzip_bytes(data)
    lines = n_quads.splitlines(keepends=True)
    naming = _naming(lines)
    snapshot = Snapshot(f"release {version}", n_quads, issued)
    diff = compare(previous.snapshot(), snapshot, base) if previous is not None else None
    text = changelog(version, issued, len(lines), naming, previous, diff, base)
    files[CHANGELOG] = text.encode("utf-8")
    if diff is not None:
        files[PATCH] = diff.patch()
    files[RESOURCES] = resource_index(lines, naming, base)
    dumps = {name: data for name, data in files.items() if name.startswith(STEM + ".")}
    files[VOID] = release_void(
        settings,
        built,
        version,
        issued,
        (previous.version, previous.iri(base)) if previous is not None else None,
        dumps,
        diff.summary() if diff is not None else "",
        CHANGELOG,
    )
    record = {
        "version": version,
        "sequence": (previous.sequence + 1) if previous is not None else 1,
        "previous": previous.version if previous is not None else None,
        "issued": issued,
        "base": base,
        "content": content,
        "quads": len(lines),
        "changes": diff.summary() if diff is not None else "the first release",
        "carnets": __version__,
        "pyoxigraph": ox.__version__,
    }
    files[RECORD] = (json.dumps(record, indent=2, sort_keys=True) + "\n").encode("utf-8")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / CHECKSUMS).write_text(
        "".join(f"{hashlib.sha256(files[n]).hexdigest()}  {n}\n" for n in sorted(files)),
        "utf-8",
    )
    return diff


def changelog(
    version: str,
    issued: str,
    statements: int,
    naming: list[ox.Quad],
    previous: PublishedRelease | None,
    diff: Diff | None,
    base: str,
) -> str:
    """The release's changelog: for the first release what it holds, else what changed."""
    lines = [f"# Release {version}", "", f"Issued {issued}. {statements} statements."]
    if previous is None or diff is None:
        counts: dict[str, int] = {}
        from carnets.diff import _Names

        names = _Names(base, [], naming)
        for types in names.new_types.values():
            for kind in types:
                if "/ontology#" in kind:
                    counts[kind] = counts.get(kind, 0) + 1
        lines += ["", "The first release. It holds:", ""]
        lines += [
            f"- {n} × {names.label(kind) or names.short(kind)}"
            for kind, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]
        return "\n".join(lines) + "\n"
    lines[-1] += f" Derived from release {previous.version} (issued {previous.issued})."
    return "\n".join(lines) + "\n\n" + diff.words()


def _naming(lines: list[bytes]) -> list[ox.Quad]:
    """The statements that label or type something: all the changelog and index need."""
    from carnets.diff import NAMING

    return _parse(line for line in lines if line.split(b" ", 2)[1] in NAMING)


def resource_index(lines: list[bytes], naming: list[ox.Quad], base: str) -> bytes:
    """`IRI<TAB>label` for every subject under the base, sorted: what may answer 410 later."""
    from carnets.diff import _labels

    labels = _labels(naming)[0]
    prefix = b"<" + base.encode()
    subjects = {line[1 : line.index(b"> ")] for line in lines if line.startswith(prefix)}
    rows = []
    for iri in sorted(subject.decode() for subject in subjects):
        label = " ".join(labels.get(iri, "").split())
        rows.append(f"{iri}\t{label}\n")
    return "".join(rows).encode("utf-8")


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One `carnets release` at a time on a releases folder."""
    with (root / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load_snapshot(settings: Settings, name: str) -> Snapshot:
    """A version name on the shelf, or a release folder (one holding carnets.nq)."""
    release = Shelf(releases_root(settings)).get(name)
    if release is not None:
        return release.snapshot()
    folder = Path(name)
    if (folder / RECORD).is_file():
        return PublishedRelease.load(folder).snapshot()
    if (folder / f"{STEM}.nq").is_file():
        return Snapshot(str(folder), (folder / f"{STEM}.nq").read_bytes())
    raise ReleaseError(
        f"{name!r} is neither a release in {releases_root(settings)} nor a release folder"
    )


def diff_releases(settings: Settings, old: str, new: str) -> Diff:
    return compare(load_snapshot(settings, old), load_snapshot(settings, new), settings.base)
