"""Data files into a pyoxigraph store, and their prefixes into an rdflib namespace manager.

The store is what the gate queries; the prefixes are those rdflib's parser would have bound,
so that terms in the report read exactly as the reference engine writes them. A file that
pyoxigraph refuses is read again with rdflib, so that the error names the file and line in
the words `carnets validate` has always used.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from carnets.errors import DataFileError
from carnets.gate.terms import to_ox
from carnets.loading import read_graph
from carnets.namespaces import bind_prefixes

NATIVE = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}


def namespaces() -> Graph:
    """An empty graph whose namespace manager starts as `read_graphs` starts its graph."""
    graph = Graph()
    bind_prefixes(graph)
    return graph


def load(paths: Iterable[Path], store: ox.Store, prefixes: Graph) -> None:
    """Every triple of the files into the store's default graph; their prefixes into `prefixes`."""
    for path in paths:
        fmt = NATIVE.get(path.suffix)
        if fmt is None:  # JSON-LD, N-Quads, TriG: as rdflib reads them, then copied
            graph = Graph()
            graph.namespace_manager = prefixes.namespace_manager
            read_graph(path, graph)
            store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph)
            continue
        try:
            parser = ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
            store.bulk_extend(parser)
        except (SyntaxError, OSError, ValueError) as error:
            read_graph(path)  # raises DataFileError with rdflib's message and line
            raise DataFileError(str(path), str(error)) from error
        for prefix, namespace in parser.prefixes.items():
            prefixes.bind(prefix, namespace)
