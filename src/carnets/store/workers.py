"""Worker processes that run queries: one copy of the data, lanes, and a way to stop a query.

pyoxigraph cannot interrupt a query once it runs, and a thread that is merely abandoned keeps
a core busy for as long as the query lasts. So queries run in worker processes, and a query
that overruns its time limit has its worker killed and replaced while the others go on serving.

One copy of the data. pyoxigraph answers several times faster from memory than from its
on-disk store, but an in-memory copy per worker multiplies the server's memory. So one process,
the zygote, loads the release's N-Quads snapshot into memory once and then forks the workers:
they share its pages copy-on-write, and as the store is never written, the data stays one copy
however many workers there are. A replacement is a fork, ready in milliseconds. Until the zygote
has loaded (seconds for a large edition), workers that read the on-disk store answer, so the
server serves at once; each is replaced by a forked one when it is next idle.

Lanes. Workers serve one lane each: `light` (the site's own pages and the queries of clients in
good standing, run with a short budget; see carnets.services.queries), `general` (everything
else; its workers run at a lower CPU priority), and `federation` (queries whose SERVICE calls the
server allows, on workers that keep the network; all others are cut off it, see sandbox.py).
A request waits for a worker of its lane for a bounded time, then is refused as busy.

Every worker and the zygote die with the server (PR_SET_PDEATHSIG): none outlives it.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import queue
import signal
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from carnets.errors import EngineFailure, QueryBusy, QueryError, QueryRefused, QueryTimeout
from carnets.store.base import DescribeRequest, QueryRequest, SelectRequest

log = logging.getLogger(__name__)

LIGHT, GENERAL, FEDERATION = "light", "general", "federation"
NICE = {LIGHT: 0, GENERAL: 10, FEDERATION: 10}
_PRELOAD = ["pyoxigraph", "carnets.store.execute"]
_PR_SET_PDEATHSIG = 1
ENGINE_STACK = 1 << 30  # bytes of stack for the thread that runs queries (see _answer)


def _die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies, and check it is still there."""
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)


def _become_worker(connection: Connection, network: bool, nice: int) -> bool:
    """Priority and sandbox of a new worker; False (and says why) if it must not serve."""
    with contextlib.suppress(PermissionError):  # only a lower priority is always allowed
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    if not network:
        from carnets.store.sandbox import SandboxError, forbid_network

        try:
            forbid_network()
        except SandboxError as error:  # fail closed: a worker that should be cut off never runs
            connection.send(("failed", str(error)))
            return False
    return True


def _answer(store, connection: Connection) -> None:
    """A worker's life, on a thread with a deep stack: pyoxigraph's parser and evaluator recurse
    once per level of nesting, and a query nested thousands deep (well within the size limit)
    would overflow the main thread's 8 MiB and kill the worker. The stack is reserved, not
    used: memory is committed only as deep as a query goes."""
    threading.stack_size(ENGINE_STACK)
    thread = threading.Thread(target=_answer_all, args=(store, connection), name="carnets-engine")
    thread.start()
    thread.join()


def _answer_all(store, connection: Connection) -> None:
    from carnets.errors import CarnetsError
    from carnets.store.execute import answer

    connection.send(("ready", None))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        try:
            connection.send(("ok", answer(store, request)))
        except CarnetsError as error:
            connection.send((type(error).__name__, str(error)))
        except Exception as error:  # the worker must answer whatever happens
            connection.send(("QueryError", f"{type(error).__name__}: {error}"))


def _disk_worker(path: str, connection: Connection, network: bool, nice: int) -> None:
    """A worker on the on-disk store, for the seconds before the zygote has loaded."""
    _die_with_parent()
    if not _become_worker(connection, network, nice):
        return
    import pyoxigraph

    _answer(pyoxigraph.Store.read_only(path), connection)


def _zygote(snapshot: str, control: Connection) -> None:
    """Load the snapshot into memory once, then fork a worker for each request of the pool."""
    _die_with_parent()
    import pyoxigraph

    store = pyoxigraph.Store()
    # bulk_extend keeps the dump's blank node labels (bulk_load would draw new ones in every
    # process): replicas and restarts describe a resource in the same bytes, under one ETag.
    store.bulk_extend(pyoxigraph.parse(path=snapshot, format=pyoxigraph.RdfFormat.N_QUADS))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers the pool kills
    children: list[int] = []
    control.send(("warm", None))
    while True:
        try:
            network, nice = control.recv()
        except (EOFError, OSError):  # the server is gone: so are its workers
            for pid in children:
                _kill(pid)
            return
        parent_end, child_end = multiprocessing.Pipe()
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                parent_end.close()
                _die_with_parent()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                if _become_worker(child_end, network, nice):
                    _answer(store, child_end)
            finally:
                os._exit(0)
        child_end.close()
        children = [p for p in children if _alive(p)] + [pid]
        control.send((pid, parent_end))
        parent_end.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


class _Worker:
    """The pool's side of one worker: its pipe, its lane, and how to stop it."""

    def __init__(self, connection: Connection, lane: str, *, warm: bool, pid: int, process=None):
        self.connection = connection
        self.lane = lane
        self.warm = warm  # forked from the zygote: answers from the shared in-memory copy
        self.pid = pid
        self.process = process  # a disk worker's multiprocessing.Process, which we join

    def wait_ready(self, timeout: float) -> None:
        if not self.connection.poll(timeout):
            raise EngineFailure("a query worker did not start in time")
        status, message = self.connection.recv()
        if status != "ready":
            raise EngineFailure(message)

    def stop(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(timeout=5)
        else:
            _kill(self.pid)
        self.connection.close()


_ERRORS = {cls.__name__: cls for cls in (QueryError, QueryRefused, QueryTimeout)}


class WorkerPool:
    """Query processes in three lanes; `run` hands a request to an idle worker of its lane.

    `size` workers without network answer queries and the site's own requests: one of them
    in the light lane (when there are two or more), the rest in the general lane. `federation`
    workers with network answer queries that call allowed SERVICE endpoints. With
    `sandboxed=False` (a system without seccomp) every worker has the network, and the reading
    of queries is all that guards it.
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
        self._sandboxed = sandboxed
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOAD)
        light = 1 if size >= 2 else 0
        self._plan = {LIGHT: light, GENERAL: size - light, FEDERATION: federation}
        self._idle: dict[str, queue.Queue[_Worker]] = {lane: queue.Queue() for lane in self._plan}
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._zygote = None
        self._control: Connection | None = None
        self._spawn_lock = threading.Lock()
        self._warm = threading.Event()
        if snapshot is None:
            self._warm.set()
        # Workers start in the background: the server can listen while they come up, and the
        # first request simply waits for the first worker to be ready.
        threading.Thread(target=self._start, args=(snapshot,), daemon=True).start()

    def _start(self, snapshot: Path | None) -> None:
        try:
            self._start_all(snapshot)
        except Exception:
            if not self._closed:  # closing while workers start cuts their pipes: expected
                raise

    def _start_all(self, snapshot: Path | None) -> None:
        if snapshot is not None:
            self._control, theirs = self._context.Pipe()
            self._zygote = self._context.Process(
                target=_zygote, args=(str(snapshot), theirs), daemon=True, name="carnets-zygote"
            )
            self._zygote.start()
            theirs.close()
        started = [
            self._spawn_disk(lane) for lane, count in self._plan.items() for _ in range(count)
        ]
        for worker in started:
            self._admit(worker)
        if self._control is not None:
            self._wait_for_zygote()

    def _wait_for_zygote(self) -> None:
        try:
            status, _ = self._control.recv()
        except (EOFError, OSError, TypeError):
            log.error("the zygote stopped before loading the snapshot; workers read the disk")
            return
        if status == "warm":
            self._warm.set()
            self._retire_idle_cold_workers()

    def _spawn_disk(self, lane: str) -> _Worker:
        network = lane == FEDERATION or not self._sandboxed
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_disk_worker,
            args=(str(self._path), theirs, network, NICE[lane]),
            daemon=True,
            name=f"carnets-query-{lane}",
        )
        process.start()
        theirs.close()
        worker = _Worker(ours, lane, warm=False, pid=process.pid, process=process)
        with self._lock:
            self._all.add(worker)
        return worker

    def _spawn_warm(self, lane: str) -> _Worker:
        network = lane == FEDERATION or not self._sandboxed
        with self._spawn_lock:
            self._control.send((network, NICE[lane]))
            pid, connection = self._control.recv()
        worker = _Worker(connection, lane, warm=True, pid=pid)
        with self._lock:
            self._all.add(worker)
        return worker

    def _spawn(self, lane: str) -> _Worker:
        if self._warm.is_set() and self._control is not None:
            try:
                return self._spawn_warm(lane)
            except (EOFError, OSError):
                log.exception("the zygote could not fork a worker; starting one on the disk")
        return self._spawn_disk(lane)

    def _admit(self, worker: _Worker, timeout: float = 60) -> None:
        try:
            worker.wait_ready(timeout)
        except (EngineFailure, EOFError, OSError):
            if not self._closed:
                log.exception("a query worker did not start")
            self._forget(worker)
            return
        self._idle[worker.lane].put(worker)

    def _forget(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop()

    def _replace(self, dead: _Worker) -> None:
        self._forget(dead)
        if self._closed:
            return
        try:
            self._admit(self._spawn(dead.lane), timeout=30)
        except Exception:  # logged; the pool serves on with one worker fewer
            if not self._closed:  # closing cuts the pipes a replacement is being made through
                log.exception("could not replace a query worker")

    def _release(self, worker: _Worker) -> None:
        """Back to its lane; a disk worker is swapped for a forked one once the zygote is warm."""
        if not worker.warm and self._warm.is_set() and self._control is not None:
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
        else:
            self._idle[worker.lane].put(worker)

    def _retire_idle_cold_workers(self) -> None:
        for lane in self._idle.values():
            for _ in range(lane.qsize()):
                try:
                    worker = lane.get_nowait()
                except queue.Empty:
                    break
                self._release(worker)

    @property
    def warm(self) -> bool:
        """True once every worker answers from the shared in-memory copy."""
        with self._lock:
            complete = len(self._all) == sum(self._plan.values())
            return self._warm.is_set() and complete and all(w.warm for w in self._all)

    def lanes(self) -> dict[str, int]:
        """How many workers each lane has now (for /health and the tests)."""
        with self._lock:
            counts = {lane: 0 for lane in self._plan}
            for worker in self._all:
                counts[worker.lane] += 1
            return counts

    def run(
        self,
        request: QueryRequest | DescribeRequest | SelectRequest,
        timeout: float,
        *,
        lane: str = GENERAL,
        wait: float | None = None,
    ):
        """The answer, or QueryBusy if no worker of the lane was free within `wait` seconds
        (default: `timeout`), or QueryTimeout if the request overran `timeout`."""
        if getattr(request, "federated", False):
            lane = FEDERATION
        elif self._plan[lane] == 0:
            lane = GENERAL
        wait = timeout if wait is None else wait
        try:
            worker = self._idle[lane].get(timeout=wait)
        except queue.Empty:
            raise QueryBusy(
                f"every query worker was busy for {wait:g} s; try again shortly"
            ) from None
        try:
            worker.connection.send(request)
            if not worker.connection.poll(timeout):
                threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
                raise QueryTimeout(
                    f"the query ran longer than the {timeout:g} s limit and was stopped"
                )
            status, payload = worker.connection.recv()
        except (EOFError, OSError):
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            log.error("a query worker (pid %s) died while answering %r", worker.pid, request)
            raise EngineFailure(
                "the query engine stopped unexpectedly; the request was lost"
            ) from None
        self._release(worker)
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
        if self._control is not None:
            self._control.close()
        if self._zygote is not None:
            self._zygote.join(timeout=5)
            if self._zygote.is_alive():
                self._zygote.kill()
