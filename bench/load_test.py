"""Bounded load test: the real server on 127.0.0.1 under hostile and normal traffic at once.

`python bench/load_test.py` starts `carnets serve` (a subprocess, a free port on 127.0.0.1) and,
for a fixed number of seconds or requests, whichever ends first, sends normal traffic (queries,
pages, dumps, reconciliation) from a few clients next to hostile input from many others: huge
bodies, queries, headers and Accept headers, deep JSON and long queries to /reconcile, text
that is not UTF-8, malformed queries, updates, SERVICE calls, runaway and deeply nested
queries, too many parameters, and sockets that trickle their headers a byte at a time. It
records the answers to each kind of request; the unintended 5xx (any 5xx to normal traffic or
/health; to hostile requests, any but a 503 with Retry-After, which a time limit or a full
queue gives by design); every request without an answer within TIMEOUT (a hang); /health's
latency; and the server's memory (the sum of PSS over the server and its children, from
/proc/PID/smaps_rollup) after a warm-up, every 5 s, and at the end. It prints a Markdown table
and exits 1 on an unintended 5xx or a hang.

Each kind of client binds its own loopback address (127.0.0.2 and up for normal traffic,
127.0.1.x for hostile requests, 127.0.2.x for trickling sockets), as separate machines would,
so that the per-client rate limit shapes hostile traffic without hiding it.

    python bench/load_test.py [--seconds 30] [--requests 5000] [--root EDITION]
                              [--without KIND]... [--only KIND]... [--trickles 200]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/carnets/serge/"
CARNETS = [sys.executable, "-c", "from carnets.cli import cli; cli()"]
TIMEOUT = 20.0  # seconds for any one answer; more is a hang
PEOPLE = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX cn: <https://w3id.org/carnets/ontology#>
SELECT ?person ?name WHERE { ?person a cn:Person ; skos:prefLabel ?name } LIMIT 20"""
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@dataclass
class Answer:
    status: int | None  # None: the server closed the connection without an answer
    retry_after: bool = False


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    unintended: int = 0
    hangs: int = 0
    slowest: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, answer: Answer | None, seconds: float, intended_5xx: bool) -> None:
        with self.lock:
            self.slowest = max(self.slowest, seconds)
            if answer is None:
                self.hangs += 1
                self.statuses["hang"] += 1
                return
            status = answer.status or 0
            if answer.status is None:
                self.statuses["closed"] += 1
            elif status >= 500 and answer.retry_after:
                self.statuses[f"{status} (Retry-After)"] += 1
            else:
                self.statuses[status] += 1
            if status >= 500 and not (intended_5xx and status == 503 and answer.retry_after):
                self.unintended += 1


# Requests ------------------------------------------------------------------------------------


def http_request(
    port: int,
    source: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=TIMEOUT, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return Answer(response.status, "Retry-After" in response.headers)
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
        return Answer(None)
    finally:
        connection.close()


def raw_request(port: int, source: str, head: bytes, body: bytes = b"") -> Answer:
    """Send `head` (and as much of `body` as the server takes); read the status line."""
    with socket.create_connection(
        ("127.0.0.1", port), timeout=TIMEOUT, source_address=(source, 0)
    ) as connection:
        try:
            connection.sendall(head)
            for start in range(0, len(body), 65536):
                connection.sendall(body[start : start + 65536])
        except (ConnectionResetError, BrokenPipeError):
            pass  # refused before the whole request was sent
        answer = b""
        try:
            while b"\r\n" not in answer and (chunk := connection.recv(4096)):
                answer += chunk
        except ConnectionResetError:
            pass
    if not answer:
        return Answer(None)
    return Answer(int(answer.split(b" ", 2)[1]))


def sparql_get(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def form(**fields: str) -> bytes:
    return urllib.parse.urlencode(fields).encode()


@dataclass(frozen=True)
class Request:
    """One request to send; `raw` ones go through a socket, to send what http.client won't."""

    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    raw: bool = False

    def send(self, port: int, source: str) -> Answer:
        if not self.raw:
            return http_request(port, source, self.method, self.path, self.body, dict(self.headers))
        head = f"{self.method} {self.path} HTTP/1.1\r\nHost: x\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in self.headers
        )
        return raw_request(port, source, head.encode() + b"\r\n", self.body or b"")


FORM = (("Content-Type", "application/x-www-form-urlencoded"),)
DIRECT = (("Content-Type", "application/sparql-query"),)
JSON_RESULTS = (("Accept", "application/sparql-results+json"),)


def normal_requests() -> dict[str, Request]:
    reconcile = json.dumps({"q0": {"query": "Max Jacob", "type": "Person", "limit": 3}})
    describe = sparql_get(f"DESCRIBE <{BASE}person/max-jacob>")
    return {
        "SELECT (GET)": Request("GET", sparql_get(PEOPLE), headers=JSON_RESULTS),
        "SELECT (POST form)": Request("POST", "/sparql", form(query=PEOPLE), FORM + JSON_RESULTS),
        "DESCRIBE as Turtle": Request("GET", describe, headers=(("Accept", "text/turtle"),)),
        "resource page": Request("GET", "/person/max-jacob", headers=(("Accept", "text/html"),)),
        "resource as JSON-LD": Request(
            "GET", "/entry/1944-08-10", headers=(("Accept", "application/ld+json"),)
        ),
        "VoID": Request("GET", "/dataset", headers=(("Accept", "text/turtle"),)),
        "dump checksums": Request("GET", "/download/SHA256SUMS"),
        "reconciliation": Request("POST", "/reconcile", form(queries=reconcile), FORM),
    }


def hostile_requests() -> dict[str, Request]:
    nested = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    service = "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    return {
        "20 MB query body": Request(
            "POST",
            "/sparql",
            b"#" * 1_000_000,  # the server answers before the rest is sent
            (*DIRECT, ("Content-Length", "20000000")),
            raw=True,
        ),
        "300 KB query": Request("POST", "/sparql", b"ASK {}\n#" + b"x" * 300_000, DIRECT),
        "169 KB Accept": Request(
            "GET", sparql_get("ASK {}"), headers=(("Accept", "text/csv;q=0.5," * 11_000),), raw=True
        ),
        "8 KB Accept": Request(
            "GET", sparql_get("ASK {}"), headers=(("Accept", "text/csv;q=0.5," * 550),)
        ),
        "150 parameters": Request("GET", sparql_get("ASK {}") + "&default-graph-uri=urn:g" * 150),
        "deep JSON to /reconcile": Request("POST", "/reconcile", form(queries="[" * 100_000), FORM),
        "100 KB reconciliation query": Request(
            "POST",
            "/reconcile",
            form(queries=json.dumps({"q0": {"query": "Mandelstam " * 10_000}})),
            FORM,
        ),
        "not UTF-8 (GET)": Request("GET", "/sparql?query=ASK%20%7B%20FILTER(%22caf%E9%22)%20%7D"),
        "not UTF-8 (POST)": Request("POST", "/sparql", b'ASK { FILTER("caf\xe9") }', DIRECT),
        "malformed query": Request("GET", sparql_get("SELECT * WHERE { ?s ?p")),
        "update as query": Request("GET", sparql_get("CLEAR ALL")),
        "update": Request(
            "POST", "/sparql", b"DROP ALL", (("Content-Type", "application/sparql-update"),)
        ),
        "SERVICE call": Request("GET", sparql_get(service)),
        "runaway query": Request("GET", sparql_get(RUNAWAY)),
        "5,000 nested parentheses": Request("POST", "/sparql", nested.encode(), DIRECT),
    }


# The server ----------------------------------------------------------------------------------


class Server:
    def __init__(self, root: Path, environment: dict[str, str]) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "CARNETS_PORT": "0", **environment}
        self.process = subprocess.Popen(
            [*CARNETS, "--root", str(root), "serve", "--host", "127.0.0.1"],
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        self.log: list[str] = []
        self.port = 0
        for line in self.process.stderr:
            self.log.append(line)
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if found:
                self.port = int(found.group(1))
                break
        if not self.port:
            raise RuntimeError("the server did not start:\n" + "".join(self.log[-30:]))
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for line in self.process.stderr:
            self.log.append(line)

    def wait_warm(self, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/health")
                health = json.loads(connection.getresponse().read())
                connection.close()
                if health.get("status") == "ok" and health.get("warm", True):
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.2)
        raise RuntimeError("the server did not become ready")

    def memory_mb(self) -> float:
        """The sum of PSS over the server and its descendants, in MB."""
        total = 0
        for pid in descendants(self.process.pid):
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            found = re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE)
            total += int(found.group(1)) if found else 0
        return total / 1024

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def descendants(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                pending += [int(child) for child in (task / "children").read_text().split()]
    return found


# The run -------------------------------------------------------------------------------------


class Budget:
    """A fixed number of seconds and of requests, shared by every client."""

    def __init__(self, seconds: float, requests: int) -> None:
        self.deadline = time.monotonic() + seconds
        self.left = requests
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                return False
            self.left -= 1
            return True

    @property
    def over(self) -> bool:
        return self.left <= 0 or time.monotonic() >= self.deadline


def timed_call(request: Request, port: int, source: str) -> tuple[Answer | None, float]:
    """The answer (None if there was none in time) and the seconds it took."""
    started = time.monotonic()
    try:
        answer = request.send(port, source)
    except TimeoutError:
        answer = None
    except OSError:
        answer = Answer(None)
    return answer, time.monotonic() - started


def normal_client(port: int, source: str, budget: Budget, tallies: dict[str, Tally]) -> None:
    for name, request in itertools.cycle(normal_requests().items()):
        if not budget.take():
            return
        answer, seconds = timed_call(request, port, source)
        tallies[f"normal: {name}"].record(answer, seconds, intended_5xx=False)
        time.sleep(0.05)  # a scholar's script, under the per-client rate limit


def hostile_client(
    port: int, sources: list[str], kinds: dict, budget: Budget, tallies: dict[str, Tally]
) -> None:
    addresses = itertools.cycle(sources)
    for name, request in itertools.cycle(kinds.items()):
        if not budget.take():
            return
        source = next(addresses)
        answer, seconds = timed_call(request, port, source)
        tallies[f"hostile: {name}"].record(answer, seconds, intended_5xx=True)


def trickler(port: int, sources: list[str], count: int, budget: Budget, stats: Counter) -> None:
    """Hold `count` connections that send their headers a byte a second, reconnecting when cut."""
    line = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100_000
    held: dict[int, tuple[socket.socket, int]] = {}
    addresses = itertools.cycle(sources)
    while not budget.over:
        for slot in range(count):
            connection, sent = held.get(slot, (None, 0))
            try:
                if connection is None:
                    connection = socket.create_connection(
                        ("127.0.0.1", port), timeout=2, source_address=(next(addresses), 0)
                    )
                    stats["opened"] += 1
                    sent = 0
                connection.send(line[sent : sent + 1])
                held[slot] = (connection, sent + 1)
            except OSError:
                stats["cut by the server"] += 1
                if connection is not None:
                    connection.close()
                held.pop(slot, None)
        time.sleep(1)
    for connection, _ in held.values():
        connection.close()


def health_probe(port: int, budget: Budget, latencies: list[float], tally: Tally) -> None:
    while not budget.over:
        answer, seconds = timed_call(Request("GET", "/health"), port, "127.0.0.1")
        tally.record(answer, seconds, intended_5xx=False)
        if answer is not None and answer.status == 200:
            latencies.append(seconds)
        time.sleep(0.5)


def memory_sampler(server: Server, budget: Budget, samples: list[float]) -> None:
    while not budget.over:
        time.sleep(5)
        samples.append(server.memory_mb())


def run(args: argparse.Namespace) -> int:
    environment = {"CARNETS_QUERY_TIMEOUT": str(args.query_timeout)}
    server = Server(args.root, environment)
    try:
        server.wait_warm()
        for request in normal_requests().values():  # first uses build caches and indexes
            timed_call(request, server.port, "127.0.0.2")
        before = server.memory_mb()
        tallies: dict[str, Tally] = defaultdict(Tally)
        kinds = {
            kind: request
            for kind, request in hostile_requests().items()
            if kind not in args.without and (not args.only or kind in args.only)
        }
        budget = Budget(args.seconds, args.requests)
        trickles: Counter = Counter()
        latencies: list[float] = []
        started = time.monotonic()
        threads = [
            threading.Thread(
                target=normal_client, args=(server.port, f"127.0.0.{2 + i}", budget, tallies)
            )
            for i in range(args.normal_clients)
        ]
        hostile_sources = [f"127.0.1.{i}" for i in range(1, 101)]
        threads += [
            threading.Thread(
                target=hostile_client,
                args=(server.port, hostile_sources[i::3], kinds, budget, tallies),
            )
            for i in range(args.hostile_clients)
        ]
        if "trickling sockets" not in args.without and (
            not args.only or "trickling sockets" in args.only
        ):
            threads.append(
                threading.Thread(
                    target=trickler,
                    args=(server.port, [f"127.0.2.{i}" for i in range(1, 51)], args.trickles,
                          budget, trickles),
                )
            )  # fmt: skip
        threads.append(
            threading.Thread(
                target=health_probe, args=(server.port, budget, latencies, tallies["/health"])
            )
        )
        memory: list[float] = []
        threads.append(threading.Thread(target=memory_sampler, args=(server, budget, memory)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 2 * TIMEOUT + 30)
        elapsed = time.monotonic() - started
        time.sleep(1)
        after = server.memory_mb()
        memory.append(after)
        alive = server.process.poll() is None
    finally:
        server.stop()
    tracebacks = sum("Traceback" in line for line in server.log)
    print(report(tallies, elapsed, before, memory, latencies, trickles, tracebacks, alive, args))
    failed = any(t.unintended or t.hangs for t in tallies.values()) or not alive
    return 1 if failed else 0


def report(
    tallies: dict[str, Tally],
    elapsed: float,
    before: float,
    memory: list[float],
    latencies: list[float],
    trickles: Counter,
    tracebacks: int,
    alive: bool,
    args: argparse.Namespace,
) -> str:
    total = sum(sum(t.statuses.values()) for t in tallies.values())
    lines = [
        f"Load test: {total} requests in {elapsed:.0f} s (budget {args.seconds:g} s, "
        f"{args.requests} requests); {args.normal_clients} normal clients, "
        f"{args.hostile_clients} hostile clients, {args.trickles} trickling sockets",
        "",
        "| requests | sent | answers | unintended 5xx | hangs | slowest |",
        "| --- | ---: | --- | ---: | ---: | ---: |",
    ]
    for name in sorted(tallies, key=lambda n: (not n.startswith("normal"), n)):
        tally = tallies[name]
        answers = ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items(), key=str))
        lines.append(
            f"| {name} | {sum(tally.statuses.values())} | {answers} | {tally.unintended} | "
            f"{tally.hangs} | {tally.slowest:.2f} s |"
        )
    unintended = sum(t.unintended for t in tallies.values())
    hangs = sum(t.hangs for t in tallies.values())
    health = (
        f"median {statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        if latencies
        else "never answered"
    )
    lines += [
        "",
        f"- unintended 5xx: **{unintended}**; hangs (no answer in {TIMEOUT:g} s): **{hangs}**",
        f"- /health during the run: {health} ({len(latencies)} answers)",
        f"- trickling sockets: {trickles['opened']} opened, {trickles['cut by the server']} "
        "cut by the server",
        f"- server memory (PSS, server and children): {before:.0f} MB after a warm-up, "
        f"{memory[-1]:.0f} MB at the end ({memory[-1] - before:+.0f} MB); every 5 s: "
        + ", ".join(f"{sample:.0f}" for sample in memory),
        f"- server alive at the end: {'yes' if alive else 'NO'}; tracebacks in its log: "
        f"{tracebacks}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="edition to serve")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--normal-clients", type=int, default=4)
    parser.add_argument("--hostile-clients", type=int, default=3)
    parser.add_argument("--trickles", type=int, default=200)
    parser.add_argument("--query-timeout", type=float, default=2.0)
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="KIND",
        help="leave out a kind of hostile request (e.g. 'trickling sockets')",
    )
    parser.add_argument(
        "--only", action="append", default=[], metavar="KIND", help="only these hostile kinds"
    )
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
