"""The embedded store: pyoxigraph on a persisted, validated, read-only store directory.

Scholars' queries go to a pool of worker processes (see workers.py) so that a runaway query can
be stopped and so that the engine runs without network; the fixed, trusted queries of the site
itself (resource descriptions, counts) run in this process on its own read-only handle, which
costs no hand-off.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from carnets.conneg import JSON_LD, N_QUADS, TRIG
from carnets.errors import QueryTimeout
from carnets.store import sandbox
from carnets.store.base import QueryResult
from carnets.store.execute import PREFIXES, DescribeRequest, QueryRequest, describe, execute
from carnets.store.query_text import read_query, refuse_unsafe_services
from carnets.store.workers import WorkerPool


class EmbeddedStore:
    """A Store over a pyoxigraph directory written by carnets.export.prepare_release.

    `workers=0` runs queries in a thread of this process instead: the time limit is then only
    an answer to the client, since the abandoned query runs on, and the engine has the network
    of this process (fine for tests and tools). SERVICE calls are refused unless
    `service_allow` names their endpoint.
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
    ) -> None:
        self.base = base
        self.path = Path(path)
        self.service_allow = frozenset(service_allow)
        # Whether the workers that answer queries without SERVICE have no network.
        self.sandboxed = workers > 0 and sandbox.available()
        self._handle: ox.Store | None = None
        self._pool = None
        if workers > 0:
            federation = 1 if self.service_allow and self.sandboxed else 0
            self._pool = WorkerPool(
                self.path, workers, snapshot, federation=federation, sandboxed=self.sandboxed
            )
        self._describe_timeout = describe_timeout

    @property
    def _store(self) -> ox.Store:
        """This process's own read-only handle, opened when first needed (not by the server)."""
        if self._handle is None:
            self._handle = ox.Store.read_only(str(self.path))
        return self._handle

    def query(
        self,
        text: str,
        media_type: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        info = read_query(text)
        federated = bool(info.services)
        refuse_unsafe_services(info, self.service_allow, networked=federated or not self.sandboxed)
        request = QueryRequest(
            text,
            media_type,
            tuple(default_graphs),
            tuple(named_graphs),
            max_rows,
            federated=federated and self.sandboxed,
        )
        if self._pool is not None:
            return self._pool.run(request, timeout if timeout is not None else 3600.0)
        if timeout is None:
            return execute(self._store, request)
        return _run_in_thread(self._store, request, timeout)

    def describe(self, iri: str, media_type: str) -> bytes | None:
        request = DescribeRequest(iri, media_type)
        if self._pool is not None:
            return self._pool.run(request, self._describe_timeout)
        return describe(self._store, request)

    @property
    def warm(self) -> bool:
        """Whether queries are answered from memory yet (see workers.py)."""
        return self._pool.warm if self._pool is not None else False

    def select(self, text: str, **bindings: str) -> list[dict[str, ox.NamedNode | ox.Literal]]:
        """Rows of a trusted SELECT as pyoxigraph terms, for the site's own pages."""
        substitutions = {ox.Variable(k): ox.NamedNode(v) for k, v in bindings.items()}
        results = self._store.query(
            text, use_default_graph_as_union=True, substitutions=substitutions
        )
        names = [v.value for v in results.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in results]

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def triple_counts(self) -> dict[str, int]:
        counts = {}
        for row in self._store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        ):
            counts[row["g"].value] = int(row["n"].value)
        return dict(sorted(counts.items()))

    def dump(self, output: BinaryIO, media_type: str) -> None:
        format_ = ox.RdfFormat.from_media_type(media_type)
        if media_type in (N_QUADS, TRIG, JSON_LD):
            self._store.dump(output, format_)
            return
        triples = (q.triple for q in self._store.quads_for_pattern(None, None, None, None))
        ox.serialize(triples, output, format_, prefixes=PREFIXES)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def _run_in_thread(store: ox.Store, request: QueryRequest, timeout: float) -> QueryResult:
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["result"] = execute(store, request)
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True, name="carnets-query")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise QueryTimeout(f"the query ran longer than the {timeout:g} s limit")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
