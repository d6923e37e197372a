"""Files to graphs: which files make the edition, and parsing with errors a person can act on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from carnets.config import Settings
from carnets.errors import DataFileError
from carnets.namespaces import GRAPH_EDITION, GRAPH_LINKS, GRAPH_ONTOLOGY, bind_prefixes

LINKS_FILE = "links.ttl"
FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".nq": "nquads", ".trig": "trig"}


def read_graph(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one RDF file into graph; a syntax error names the file and line."""
    graph = Graph() if graph is None else graph
    fmt = FORMATS.get(path.suffix)
    if fmt is None:
        raise DataFileError(str(path), f"unknown RDF file type {path.suffix!r}")
    try:
        graph.parse(path, format=fmt)
    except BadSyntax as error:
        raise DataFileError(str(path), str(error._why), error.lines + 1) from error
    except FileNotFoundError as error:
        raise DataFileError(str(path), "no such file") from error
    except Exception as error:  # rdflib's other parsers raise assorted exceptions
        raise DataFileError(str(path), f"{type(error).__name__}: {error}") from error
    return graph


def read_graphs(paths: Iterable[Path]) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    for path in paths:
        read_graph(path, graph)
    return graph


@dataclass(frozen=True)
class EditionFiles:
    """The files of an edition, by the named graph they are published in."""

    ontology: tuple[Path, ...]
    edition: tuple[Path, ...]
    links: tuple[Path, ...]
    shapes: tuple[Path, ...]

    @classmethod
    def find(cls, settings: Settings) -> EditionFiles:
        data = sorted(settings.data_dir.glob("*.ttl"))
        return cls(
            ontology=tuple(sorted(settings.ontology_dir.glob("*.ttl"))),
            edition=tuple(p for p in data if p.name != LINKS_FILE),
            links=tuple(p for p in data if p.name == LINKS_FILE),
            shapes=tuple(sorted(settings.shapes_dir.glob("*.ttl"))),
        )

    def by_graph(self, base: str) -> dict[URIRef, tuple[Path, ...]]:
        return {
            URIRef(base + GRAPH_ONTOLOGY): self.ontology,
            URIRef(base + GRAPH_EDITION): self.edition,
            URIRef(base + GRAPH_LINKS): self.links,
        }


def load_dataset(settings: Settings, files: EditionFiles | None = None) -> Dataset:
    """The edition as named graphs (ontology, edition, links), ready to validate or serve."""
    files = files or EditionFiles.find(settings)
    dataset = Dataset()
    bind_prefixes(dataset)
    for name, paths in files.by_graph(settings.base).items():
        graph = dataset.graph(name)
        for path in paths:
            read_graph(path, graph)
    return dataset


def union_graph(dataset: Dataset) -> Graph:
    """All named graphs as one plain graph (what validation and statistics look at)."""
    graph = Graph()
    bind_prefixes(graph)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph
