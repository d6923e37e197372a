"""The embedded store: pyoxigraph on a persisted, validated, read-only store directory.

Queries, the site's own SELECTs and resource descriptions go to a pool of worker processes
(see workers.py), so that a runaway query can be stopped and the engine runs without network;
counts and dumps read this process's own read-only handle.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from carnets.conneg import JSON_LD, N_QUADS, TRIG
from carnets.errors import QueryBusy, QueryTimeout
from carnets.store import sandbox
from carnets.store.base import (
    PAGE_SIZE,
    PREFIXES,
    DescribeRequest,
    QueryRequest,
    QueryResult,
    Rows,
    SelectRequest,
)
from carnets.store.execute import describe, execute, select
from carnets.store.workers import GENERAL, LIGHT, WorkerPool

LIGHT_WAIT = 0.5  # seconds a request waits for the light lane before it goes elsewhere


class EmbeddedStore:
    """A Store over a pyoxigraph directory written by carnets.export.prepare_release.

    `workers=0` runs queries in a thread of this process instead: the time limit is then only
    an answer to the client, since the abandoned query runs on, and the engine has the network
    of this process (fine for tests and tools). With `service_allow`, one more worker that has
    the network runs the federated queries the query service allowed.
    """

    def __init__(
        self,
        path: Path,
        base: str,
        *,
        workers: int = 2,
        snapshot: Path | None = None,
        describe_timeout: float = 30.0,
        service_allow: Sequence[str] = (),
        queue_wait: float = 2.0,
    ) -> None:
        self.base = base
        self.path = Path(path)
        # Whether the workers that answer queries without SERVICE have no network.
        self.sandboxed = workers > 0 and sandbox.available()
        self._handle: ox.Store | None = None
        self._pool = None
        self.lanes = workers > 1
        self.remote = False
        self.queue_wait = queue_wait
        if workers > 0:
            federation = 1 if service_allow and self.sandboxed else 0
            self._pool = WorkerPool(
                self.path, workers, snapshot, federation=federation, sandboxed=self.sandboxed
            )
        self._describe_timeout = describe_timeout
        # When the store holds several editions, a view for one of them (see `scoped`) sets
        # these: the default graph is the union of its graphs only, and it owns no workers.
        self.graphs: tuple[str, ...] = ()
        self._owner = True

    def scoped(self, base: str, graphs: tuple[str, ...]) -> EmbeddedStore:
        """A view of this store for one edition: its base, the union of its `graphs` as the
        default graph; it shares the workers and closing it closes nothing."""
        view = copy.copy(self)
        view.base = base
        view.graphs = tuple(graphs)
        view._owner = False
        return view

    @property
    def _store(self) -> ox.Store:
        """This process's own read-only handle, opened when first needed (not by the server)."""
        if self._handle is None:
            self._handle = ox.Store.read_only(str(self.path))
        return self._handle

    def execute(self, request: QueryRequest, timeout: float) -> QueryResult:
        unscoped = not (request.default_graphs or request.named_graphs)
        if self.graphs and request.union_default and unscoped:
            # The edition's own endpoint: its graphs, and only them.
            request = replace(request, default_graphs=self.graphs, named_graphs=self.graphs)
        if self._pool is not None:
            wait = LIGHT_WAIT if request.lane == LIGHT else self.queue_wait
            return self._pool.run(request, timeout, lane=request.lane, wait=wait)
        return _run_in_thread(lambda: execute(self._store, request), timeout)

    def _site(self, request: DescribeRequest | SelectRequest, timeout: float):
        """The site's own requests: the light lane, where nothing holds a worker for longer than
        its budget, so waiting there beats queueing behind runaway queries; the general lane
        only when the light one stayed busy for the whole wait."""
        try:
            return self._pool.run(request, timeout, lane=LIGHT, wait=self.queue_wait)
        except QueryBusy:
            return self._pool.run(request, timeout, lane=GENERAL, wait=LIGHT_WAIT)

    def select(
        self, text: str, bindings: Mapping[str, Any] | None = None, timeout: float = 30.0
    ) -> Rows:
        request = SelectRequest(text, tuple((bindings or {}).items()), self.graphs)
        if self._pool is not None:
            return self._site(request, timeout)
        return select(self._store, request)

    def describe(
        self, iri: str, media_type: str, page: int = 1, size: int = PAGE_SIZE
    ) -> bytes | None:
        request = DescribeRequest(iri, media_type, page, size, self.graphs)
        if self._pool is not None:
            return self._site(request, self._describe_timeout)
        return describe(self._store, request)

    @property
    def warm(self) -> bool:
        """Whether queries are answered from memory yet (see workers.py)."""
        return self._pool.warm if self._pool is not None else False

    def graph_names(self) -> list[str]:
        names = (g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))
        return sorted(n for n in names if not self.graphs or n in self.graphs)

    def triple_counts(self) -> dict[str, int]:
        counts = {}
        for row in self._store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        ):
            if not self.graphs or row["g"].value in self.graphs:
                counts[row["g"].value] = int(row["n"].value)
        return dict(sorted(counts.items()))

    def dump(self, output: BinaryIO, media_type: str) -> None:
        format_ = ox.RdfFormat.from_media_type(media_type)
        if self.graphs:  # one edition's view: its graphs only
            quads = [
                quad
                for graph in self.graphs
                for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
            ]
        elif media_type in (N_QUADS, TRIG, JSON_LD):
            self._store.dump(output, format_)
            return
        else:
            quads = self._store.quads_for_pattern(None, None, None, None)
        if media_type in (N_QUADS, TRIG, JSON_LD):
            ox.serialize(quads, output, format_)
            return
        triples = (q.triple for q in quads)
        ox.serialize(triples, output, format_, prefixes=PREFIXES)

    def close(self) -> None:
        if self._pool is not None and self._owner:
            self._pool.close()
            self._pool = None


def _run_in_thread(run: Callable[[], QueryResult], timeout: float) -> QueryResult:
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["result"] = run()
        except Exception as error:
            # Without its traceback: the frames hold pyoxigraph objects that must be dropped
            # on this thread, not on the one that re-raises the error.
            outcome["error"] = error.with_traceback(None)

    thread = threading.Thread(target=target, daemon=True, name="carnets-query")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise QueryTimeout(f"the query ran longer than the {timeout:g} s limit")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
