"""Validation of the edition: pyshacl and the EDTF date check, as one report grouped by resource."""

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

    def by_resource(self) -> dict[str, list[Problem]]:
        grouped: dict[str, list[Problem]] = defaultdict(list)
        for problem in sorted(self.problems, key=lambda p: (p.focus, p.path, p.message)):
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


def validate(settings: Settings, extra: Iterable[Path] = ()) -> ValidationReport:
    """Validate the shipped edition, or, when paths are given, those files with the ontology."""
    files = EditionFiles.find(settings)
    extra = tuple(extra)
    data_files = extra or files.edition + files.links
    return validate_graph(
        read_graphs(files.ontology + data_files),
        read_graphs(files.shapes),
        files.ontology + data_files,
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
