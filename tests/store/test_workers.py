"""The worker pool's processes: forked from one in-memory copy, replaced when they die, and
never outliving the server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from carnets.errors import EngineFailure, QueryTimeout
from carnets.store.base import QueryRequest
from carnets.store.workers import WorkerPool

JSON = "application/sparql-results+json"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"
COUNT = QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", JSON)


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def wait_until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def pool(store_release):
    pool = WorkerPool(store_release.store_path, 2, store_release.dump_path("carnets.nq"))
    wait_until(lambda: pool.warm)
    yield pool
    pool.close()


def test_warm_workers_are_forked_from_the_one_in_memory_copy(pool):
    zygote = pool._zygote.pid
    workers = [worker.pid for worker in pool._all]
    assert len(workers) == 2
    assert all(parent_of(pid) == zygote for pid in workers)
    assert pool.lanes() == {"light": 1, "general": 1, "federation": 0}
    assert b'"n"' in pool.run(COUNT, 10).body


def test_a_worker_that_dies_mid_query_is_a_logged_engine_failure_and_is_replaced(pool, caplog):
    outcome: dict = {}

    def runaway() -> None:
        try:
            pool.run(QueryRequest(RUNAWAY, JSON), 30, lane="general")
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    busy = next(w for w in pool._all if w.lane == "general")
    os.kill(busy.pid, signal.SIGKILL)
    thread.join(timeout=10)
    assert isinstance(outcome["error"], EngineFailure)
    assert "stopped unexpectedly" in str(outcome["error"])
    assert any("died while answering" in record.message for record in caplog.records)
    wait_until(lambda: pool.lanes()["general"] == 1 and pool.warm)
    assert b'"n"' in pool.run(COUNT, 10, lane="general").body


def test_a_runaway_is_stopped_and_its_worker_replaced_by_a_fork(pool):
    zygote = pool._zygote.pid
    (stopped,) = (w.pid for w in pool._all if w.lane == "light")
    with pytest.raises(QueryTimeout):
        pool.run(QueryRequest(RUNAWAY, JSON), 0.5, lane="light")

    def light_workers() -> list:
        return [w for w in list(pool._all) if w.lane == "light" and w.pid != stopped]

    wait_until(lambda: len(light_workers()) == 1 and pool.warm)
    (light,) = light_workers()
    assert light.warm and parent_of(light.pid) == zygote


def test_no_worker_outlives_the_server(store_release, tmp_path):
    """The server is killed with SIGKILL, so nothing of it can clean up: the kernel must."""
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from carnets.store.workers import WorkerPool
        if __name__ == "__main__":
            pool = WorkerPool(Path({str(store_release.store_path)!r}), 2,
                              Path({str(store_release.dump_path("carnets.nq"))!r}))
            while not pool.warm:
                time.sleep(0.05)
            print(pool._zygote.pid, *(w.pid for w in pool._all), flush=True)
            time.sleep(60)
        """
    )
    server = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    with server.stdout:
        pids = [int(pid) for pid in server.stdout.readline().split()]
    assert len(pids) == 3
    server.kill()
    server.wait()

    def gone(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        return state == "Z"  # dead, waiting for a parent that is itself gone

    wait_until(lambda: all(gone(pid) for pid in pids), seconds=10)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT (" + "(" * 5000 + "1" + ")" * 5000 + " AS ?x) WHERE {}",
        "SELECT ?x WHERE { BIND(" + "STR(" * 1000 + "1" + ")" * 1000 + " AS ?x) }",
    ],
    ids=["5000 nested parentheses", "1000 nested STR"],
)
def test_a_deeply_nested_query_is_answered_not_a_dead_worker(pool, text):
    # 10 KB of nesting overflowed the 8 MiB stack of a worker's main thread and killed it.
    answer = pool.run(QueryRequest(text, JSON), 20, lane="general")
    assert b'"x"' in answer.body
