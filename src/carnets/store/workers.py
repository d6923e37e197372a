"""Worker processes that run queries, so that a runaway query can be stopped.

pyoxigraph cannot interrupt a query once it runs, and a thread that is merely abandoned keeps
a core busy for as long as the query lasts. Each worker is a process with the store opened
read-only; a query that overruns its time limit has its worker killed and replaced, while the
other workers go on serving. Workers come from a forkserver that has already imported
pyoxigraph, so a replacement is ready in tens of milliseconds.

pyoxigraph answers three to five times faster from memory than from its on-disk store, but
loading a large edition into memory takes seconds. So a worker answers from the on-disk store
at once, loads the release's N-Quads snapshot into memory in a background thread (pyoxigraph
releases the GIL while it parses), and switches to the in-memory copy when it is complete:
start-up stays fast and steady-state queries run from memory.

Workers have no network (see sandbox.py) unless they serve the federation lane: queries whose
SERVICE calls the server allows go to a worker of their own that can reach other hosts, and
answers from disk, since such queries wait on the network anyway.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from carnets.errors import CarnetsError, QueryError, QueryRefused, QueryTimeout
from carnets.store.base import DescribeRequest, QueryRequest, SelectRequest

log = logging.getLogger(__name__)

_PRELOAD = ["pyoxigraph", "carnets.store.execute"]


def _serve(path: str, snapshot: str | None, connection: Connection, warm, network: bool) -> None:
    """A worker's life: lose the network, open the store, answer requests until the pipe closes."""
    if not network:
        from carnets.store.sandbox import SandboxError, forbid_network

        try:
            forbid_network()
        except SandboxError as error:  # fail closed: a worker that should be cut off never runs
            connection.send(("failed", str(error), False))
            return
    import pyoxigraph

    from carnets.store.execute import answer

    engine = {"store": pyoxigraph.Store.read_only(path), "warm": snapshot is None}

    def warm_up() -> None:
        # Linux gives each thread its own nice value, inherited by the threads pyoxigraph
        # starts: loading never takes a core from answering queries.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 15)
        memory = pyoxigraph.Store()
        memory.bulk_load(path=snapshot, format=pyoxigraph.RdfFormat.N_QUADS)
        engine["store"] = memory
        engine["warm"] = True
        warm.value = 1

    if snapshot is None:
        warm.value = 1
    else:
        threading.Thread(target=warm_up, daemon=True, name="carnets-warm-up").start()
    connection.send(("ready", None, engine["warm"]))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        try:
            connection.send(("ok", answer(engine["store"], request), engine["warm"]))
        except CarnetsError as error:
            connection.send((type(error).__name__, str(error), engine["warm"]))
        except Exception as error:  # the worker must answer whatever happens
            connection.send(("QueryError", f"{type(error).__name__}: {error}", engine["warm"]))


class _Worker:
    def __init__(
        self, context, path: Path, snapshot: Path | None, *, network: bool, federated: bool
    ) -> None:
        self.federated = federated  # which lane it serves
        self._warm = context.Value("b", 0, lock=False)
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_serve,
            args=(
                str(path),
                None if snapshot is None else str(snapshot),
                child,
                self._warm,
                network,
            ),
            daemon=True,
            name="carnets-query",
        )
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        if not self.connection.poll(timeout):
            raise QueryError("a query worker did not start in time")
        status, message, _ = self.connection.recv()
        if status != "ready":
            raise QueryError(message)

    @property
    def warm(self) -> bool:
        return bool(self._warm.value)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


_ERRORS = {cls.__name__: cls for cls in (QueryError, QueryRefused, QueryTimeout)}


class WorkerPool:
    """Query processes in two lanes; `run` hands a request to an idle worker of its lane.

    `size` workers without network answer every query; `federation` workers with network answer
    the queries that call allowed SERVICE endpoints. With `sandboxed=False` (a system without
    seccomp) every worker has the network, and the reading of queries is all that guards it.
    """

    def __init__(
        self,
        path: Path,
        size: int,
        snapshot: Path | None = None,
        *,
        federation: int = 0,
        sandboxed: bool = True,
    ) -> None:
        self._path = path
        self._snapshot = snapshot
        self._sandboxed = sandboxed
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOAD)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._federation: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        # Workers start in the background: the server can listen while they come up, and the
        # first request simply waits for the first worker to be ready.
        lanes = [False] * size + [True] * federation
        threading.Thread(target=self._start, args=(lanes,), daemon=True).start()

    def _start(self, lanes: list[bool]) -> None:
        started = [self._spawn(federated) for federated in lanes]
        for worker in started:
            try:
                worker.wait_ready(60)
            except QueryError:
                log.exception("a query worker did not start")
                continue
            self._lane(worker).put(worker)

    def _spawn(self, federated: bool) -> _Worker:
        network = federated or not self._sandboxed
        snapshot = None if federated else self._snapshot
        worker = _Worker(self._context, self._path, snapshot, network=network, federated=federated)
        with self._lock:
            self._all.add(worker)
        return worker

    def _lane(self, worker: _Worker) -> queue.Queue[_Worker]:
        return self._federation if worker.federated else self._idle

    def _replace(self, dead: _Worker) -> None:
        with self._lock:
            self._all.discard(dead)
        dead.stop()
        if self._closed:
            return
        try:
            worker = self._spawn(dead.federated)
            worker.wait_ready(30)
        except Exception:  # logged; the pool serves on with one worker fewer
            log.exception("could not replace a query worker")
            return
        self._lane(worker).put(worker)

    @property
    def warm(self) -> bool:
        """True once every worker has answered from its in-memory copy."""
        with self._lock:
            return all(worker.warm for worker in self._all)

    def run(self, request: QueryRequest | DescribeRequest | SelectRequest, timeout: float):
        """The answer, or QueryTimeout if no worker was free or the query overran `timeout`."""
        deadline = time.monotonic() + timeout
        lane = self._federation if getattr(request, "federated", False) else self._idle
        try:
            worker = lane.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(
                f"every query worker was busy for {timeout:g} s; try again shortly"
            ) from None
        try:
            worker.connection.send(request)
            if not worker.connection.poll(max(0.0, deadline - time.monotonic())):
                threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
                raise QueryTimeout(
                    f"the query ran longer than the {timeout:g} s limit and was stopped"
                )
            status, payload, _ = worker.connection.recv()
        except (EOFError, OSError, BrokenPipeError):
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            raise QueryError("the query engine stopped unexpectedly") from None
        lane.put(worker)
        if status == "ok":
            return payload
        raise _ERRORS.get(status, QueryError)(payload)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()
