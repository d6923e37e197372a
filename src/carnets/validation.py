"""Validation of the edition: the shapes and the EDTF date check, as one report grouped by resource.

Two engines give the same verdicts: the gate (`carnets.gate`: the shapes compiled to SPARQL and
run on pyoxigraph, fast enough for editions of 100,000 entries), which is the default, and
pySHACL, the reference (`reference=True`, `carnets validate --reference`), which also judges
whenever the shapes use something the gate does not compile.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Namespace, URIRef
from rdflib.term import Node

from carnets.config import Settings
from carnets.dates import Disagreement, disagreements
from carnets.errors import CarnetsError
from carnets.gate import Finding, Gate, GateRun, Unsupported
from carnets.gate.snapshot import Snapshot
from carnets.loading import EditionFiles, read_graphs

SH = Namespace("http://www.w3.org/ns/shacl#")


WRAPPER = ("Value does not conform to Shape", "Value must conform to every Shape in")


class ShapesError(CarnetsError):
    """The shapes themselves are broken: no data can be judged by them."""


@dataclass(frozen=True)
class Problem:
    """One SHACL result, with its terms already written for a person to read."""

    focus: str
    path: str
    value: str
    message: str
    severity: str
    shape: str


@dataclass
class ValidationReport:
    """Whether the edition conforms, and every problem grouped by the resource it is about."""

    conforms: bool
    problems: list[Problem] = field(default_factory=list)
    files: tuple[Path, ...] = ()
    triples: int = 0
    engine: str = "pyshacl"  # "gate", or "pyshacl" (asked for, or because the gate could not)
    note: str = ""  # why pySHACL judged when the gate was asked

    def by_resource(self) -> dict[str, list[Problem]]:
        grouped: dict[str, list[Problem]] = defaultdict(list)
        for problem in sorted(self.problems, key=lambda p: (p.focus, p.path, p.message, p.value)):
            grouped[problem.focus].append(problem)
        return dict(grouped)

    def text(self) -> str:
        if self.conforms:
            return (
                f"valid: {self.triples} triples from {len(self.files)} files conform to the shapes"
            )
        lines = [f"invalid: {len(self.problems)} problems in {len(self.by_resource())} resources"]
        for focus, problems in self.by_resource().items():
            lines.append(f"\n{focus}")
            for p in problems:
                where = f" {p.path}" if p.path else ""
                value = f" (value: {p.value})" if p.value else ""
                lines.append(f"  [{p.severity}]{where}: {p.message}{value}")
        return "\n".join(lines)


def validate(
    settings: Settings, extra: Iterable[Path] = (), reference: bool = False
) -> ValidationReport:
    """Validate the shipped edition, or, when paths are given, those files with the ontology.

    The gate judges unless `reference` asks for pySHACL or the shapes use a construct the gate
    does not compile (the report's `note` then says which).
    """
    files = EditionFiles.find(settings)
    extra = tuple(extra)
    paths = files.ontology + (extra or files.edition + files.links)
    shapes = read_graphs(files.shapes)
    if not reference:
        try:
            gate = Gate.load(paths, shapes)
            return gate_report(gate, gate.run(), paths)
        except Unsupported as reason:
            note = f"the gate cannot compile these shapes ({reason}): pySHACL judged"
            report = validate_graph(read_graphs(paths), shapes, paths)
            report.note = note
            return report
    return validate_graph(read_graphs(paths), shapes, paths)


def validate_change(
    settings: Settings,
    added: Iterable[tuple],
    removed: Iterable[tuple] = (),
    gate: Gate | None = None,
) -> ValidationReport:
    """Judge the edition as it would be with `added` triples and without `removed` ones.

    Only the focus nodes the change touches, and those whose verdict depends on them, are
    validated (see carnets.gate.changes): on an edition that conforms, the verdict is the
    full validation's, in a fraction of a second where a full run takes a minute. The edition
    is read from `gate` if given (a `Gate` the caller keeps loaded), else from a snapshot of
    its files kept under build/gate/ (see `record_change`). Nothing is written to data/.
    """
    added, removed = list(added), list(removed)
    files = EditionFiles.find(settings)
    paths = files.ontology + files.edition + files.links
    try:
        if gate is not None:
            return gate_report(gate, gate.check_change(added, removed))
        try:
            snapshot = Snapshot.open(settings)
        except OSError:  # another process holds the snapshot: read the files instead
            loaded = Gate.load(paths, read_graphs(files.shapes))
            return gate_report(loaded, loaded.check_change(added, removed), paths)
        try:
            return gate_report(snapshot.gate, snapshot.check_change(added, removed), paths)
        finally:
            snapshot.close()
    except Unsupported as reason:
        data = read_graphs(paths)
        for triple in removed:
            data.remove(triple)
        for triple in added:
            data.add(triple)
        report = validate_graph(data, read_graphs(files.shapes), paths)
        report.note = f"the gate cannot compile these shapes ({reason}): pySHACL judged"
        return report


def record_change(
    settings: Settings, added: Iterable[tuple], removed: Iterable[tuple] = ()
) -> None:
    """The files now hold this change (written after `validate_change` conformed): bring the
    snapshot along, so that the next `validate_change` need not load the edition again."""
    try:
        snapshot = Snapshot.open(settings, build=False)
    except (FileNotFoundError, Unsupported):
        return
    snapshot.record(settings, list(added), list(removed))


def gate_report(gate: Gate, run: GateRun, files: tuple[Path, ...] = ()) -> ValidationReport:
    """The gate's results as the report pySHACL's would give: the same problems, word for word."""
    names = gate.prefixes
    problems = [_finding_problem(f, names) for f in run.findings]
    dates = [_date_problem(found, names) for found in disagreements(run.dates)]
    return ValidationReport(
        run.conforms and not dates,
        _without_wrappers(problems) + dates,
        files,
        run.triples,
        engine="gate",
    )


def validate_graph(data: Graph, shapes: Graph, files: tuple[Path, ...] = ()) -> ValidationReport:
    """Run pyshacl on one graph (ontology included, so that concept schemes resolve), then
    check every EDTF value against its stored bounds, which SHACL cannot compute."""
    conforms, results, text = shacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=False,
        allow_warnings=True,
    )
    if not isinstance(results, Graph):  # pyshacl could not run the shapes at all
        raise ShapesError(text.strip())
    problems = [_problem(results, result, data) for result in results.subjects(SH.focusNode, None)]
    dates = [_date_problem(found, data) for found in disagreements(data)]
    return ValidationReport(
        bool(conforms) and not dates, _without_wrappers(problems) + dates, files, len(data)
    )


def _without_wrappers(problems: list[Problem]) -> list[Problem]:
    """Drop pyshacl's "does not conform to Shape X" when a precise problem says why."""
    precise = {p.focus for p in problems if not p.message.startswith(WRAPPER)}
    return [p for p in problems if not (p.message.startswith(WRAPPER) and p.focus in precise)]


def _show(term: Node | None, data: Graph) -> str:
    if term is None:
        return ""
    return data.namespace_manager.normalizeUri(term) if isinstance(term, URIRef) else term.n3()


def _date_problem(found: Disagreement, data: Graph) -> Problem:
    return Problem(
        focus=_show(found.subject, data),
        path=_show(found.path, data),
        value=_show(found.value, data),
        message=found.message,
        severity="Violation",
        shape="carnets.dates",
    )


def _finding_problem(finding: Finding, data: Graph) -> Problem:
    return Problem(
        focus=_show(finding.focus, data),
        path=_show(finding.path, data),
        value=_show(finding.value, data),
        message="; ".join(sorted(set(finding.messages))) or "does not conform",
        severity=str(finding.severity).rsplit("#", 1)[-1],
        shape=_show(finding.shape, data),
    )


def _problem(results: Graph, result: Node, data: Graph) -> Problem:
    def one(predicate) -> Node | None:
        return results.value(result, predicate)

    messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
    severity = one(SH.resultSeverity)
    return Problem(
        focus=_show(one(SH.focusNode), data),
        path=_show(one(SH.resultPath), data),
        value=_show(one(SH.value), data),
        message="; ".join(messages) or "does not conform",
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        shape=_show(one(SH.sourceShape), data),
    )
