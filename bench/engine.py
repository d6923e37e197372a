"""Issue 8's targets, measured side by side in one run: overhead, memory, paging, fairness.

`python bench/engine.py --sizes 1000 10000` prints a Markdown report (and writes it to
bench/out/engine.md). Per size, on a synthetic edition of bench/generate.py:

- overhead: the cheap look-up over HTTP (the real server, `carnets serve`) against the same
  query in pyoxigraph in this process, from memory; throughput at 1, 2, 4 and 16 clients;
- memory: the proportional set size (PSS, which counts a page shared by n processes as 1/n to
  each) summed over the server and all its processes, after the workload, against the peak
  resident memory of one process that only loads the same snapshot into pyoxigraph;
- paging: the most-mentioned person's page as HTML and Turtle (first page, and page 5);
- fairness: 20 clients, each on its own loopback address, loop a runaway query while one
  client alternates a cheap look-up and a person's page; success rate and p99 of the latter.
"""

from __future__ import annotations

import http.client
import itertools
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import date
from pathlib import Path

from run import (
    BASE,
    Client,
    cheap_query,
    most_mentioned,
    run_sizes,
    scholar_queries,
    start_server,
    synthetic_release,
    throughput,
    timed,
)

ROOT = Path(__file__).resolve().parents[1]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def pss_mb(pid: int) -> float:
    """Proportional set size of a process and all its descendants, in MB."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1))
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total / 1024


def single_process_mb(snapshot: Path) -> float:
    """Peak memory of one process that loads the snapshot into pyoxigraph and answers a query."""
    script = (
        "import resource, sys, pyoxigraph as ox\n"
        "s = ox.Store(); s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)\n"
        "bool(s.query('ASK { ?s ?p ?o }'))\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(snapshot)], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def get(port: int, path: str, source: str, accept: str) -> int:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=60, source_address=(source, 0)
    )
    try:
        connection.request("GET", path, headers={"Accept": accept})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def fairness(port: int, person: str, seconds: float = 20.0, runaways: int = 20) -> dict:
    """Cheap requests from one client while `runaways` clients loop a runaway query."""
    stop = time.monotonic() + seconds
    runaway_path = "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY})
    runaway_statuses: list[int] = []

    def loop(source: str) -> None:
        while time.monotonic() < stop:
            try:
                runaway_statuses.append(
                    get(port, runaway_path, source, "application/sparql-results+json")
                )
            except OSError:
                runaway_statuses.append(0)

    loopers = [
        threading.Thread(target=loop, args=(f"127.0.{1 + n // 200}.{1 + n % 200}",))
        for n in range(runaways)
    ]
    for looper in loopers:
        looper.start()
    time.sleep(2.0)  # every looper has sent its first runaway
    cheap = "/sparql?" + urllib.parse.urlencode({"query": cheap_query(person)})
    page = "/" + person.removeprefix(BASE)
    results: list[tuple[str, int, float]] = []
    n = 0
    while time.monotonic() < stop - 1:
        kind, path, accept = (
            ("query", cheap, "application/sparql-results+json")
            if n % 2 == 0
            else ("page", page, "text/html")
        )
        started = time.monotonic()
        try:
            status = get(port, path, "127.0.9.1", accept)
        except OSError:
            status = 0
        results.append((kind, status, time.monotonic() - started))
        n += 1
        time.sleep(0.05)
    for looper in loopers:
        looper.join(timeout=60)
    times = sorted(t for _, _, t in results)
    ok = sum(1 for _, status, _ in results if status == 200)
    return {
        "requests": len(results),
        "ok": ok / len(results),
        "p50": statistics.median(times),
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
        "runaway statuses": {s: runaway_statuses.count(s) for s in sorted(set(runaway_statuses))},
    }


def start_rdflib_endpoint(root: Path) -> tuple[subprocess.Popen, int] | None:
    """rdflib-endpoint (FastAPI on uvicorn over an rdflib graph) serving the same files."""
    command = Path(sys.executable).parent / "rdflib-endpoint"
    if not command.exists():
        return None
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    files = sorted((root / "ontology").glob("*.ttl")) + sorted((root / "data").glob("*.ttl"))
    process = subprocess.Popen(
        [str(command), "serve", "--host", "127.0.0.1", "--port", str(port), *map(str, files)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        try:
            Client(port).get("/?" + urllib.parse.urlencode({"query": "ASK {}"}))  # served at /
            return process, port
        except (ConnectionError, OSError, RuntimeError):
            time.sleep(0.5)
    process.kill()
    return None


def against_rdflib_endpoint(root: Path, ours: int, queries: dict[str, str]) -> list[tuple]:
    """Each query of the mix, over HTTP, on this server and on rdflib-endpoint."""
    started = start_rdflib_endpoint(root)
    if started is None:
        return []
    process, port = started
    rows = []
    try:
        for name, query in queries.items():
            accept = "application/n-triples" if "DESCRIBE" in query[-300:] else None
            accept = accept or "application/sparql-results+json"
            mine, theirs = Client(ours), Client(port)
            theirs.connection.timeout = 120
            path = "/?" + urllib.parse.urlencode({"query": query})
            try:
                # A new text each time (a comment that changes), so that ours reaches the engine
                # as rdflib-endpoint's does; repeated, ours is answered from the answers kept.
                fresh = itertools.count()
                a, _ = timed(
                    lambda q=query, h=accept, c=mine, n=fresh: c.sparql(f"{q}\n# {next(n)}", h),
                    200,
                    5.0,
                )
                kept, _ = timed(lambda q=query, h=accept, c=mine: c.sparql(q, h), 200, 5.0)
                b, _ = timed(lambda p=path, h=accept, c=theirs: c.get(p, h), 20, 10.0)
            except (OSError, RuntimeError, http.client.HTTPException) as error:
                print(f"{name}: {error}", file=sys.stderr)
                continue
            rows.append((name, a, kept, b))
    finally:
        process.kill()
        process.wait()
    return rows


def measure(entries: int, out: Path) -> str:
    import pyoxigraph as ox

    root, _, release, _ = synthetic_release(entries, out)
    snapshot = release.dump_path("carnets.nq")
    ms = lambda seconds: f"{seconds * 1000:.1f}"  # noqa: E731
    rows: list[tuple[str, str]] = []

    # Overhead, paging, throughput: no rate limit (the loops come from one address).
    os.environ.update(CARNETS_RATE_LIMIT="0", CARNETS_CLIENT_QUERIES="0")
    server = start_server(root)
    try:
        client = Client(server.port)
        person, mentions = most_mentioned(client)
        cheap = cheap_query(person)
        # Repeated, the query is answered from the answers kept (carnets.services.answers); a
        # comment that changes with each request makes every text new, so each reaches the engine.
        cached_time, _ = timed(lambda: client.sparql(cheap), 1000, 10.0)
        fresh = itertools.count()
        http_time, _ = timed(lambda: client.sparql(f"{cheap}\n# {next(fresh)}"), 1000, 10.0)
        local = ox.Store()
        local.bulk_load(path=str(snapshot), format=ox.RdfFormat.N_QUADS)
        in_process, _ = timed(
            lambda: local.query(cheap, use_default_graph_as_union=True).serialize(
                format=ox.QueryResultsFormat.JSON
            ),
            2000,
            5.0,
        )
        us = lambda seconds: f"{seconds * 1000:.3f}"  # noqa: E731
        rows.append(
            ("cheap look-up over HTTP, a new text each time, median", f"{us(http_time)} ms")
        )
        rows.append(
            ("the same, repeated (answered from the answers kept)", f"{us(cached_time)} ms")
        )
        rows.append(
            ("the same in pyoxigraph in-process (from memory), median", f"{us(in_process)} ms")
        )
        rows.append(("per-request overhead", f"{us(http_time - in_process)} ms"))
        rows.append(("per-request overhead, repeated", f"{us(cached_time - in_process)} ms"))
        path = "/" + person.removeprefix(BASE)
        for label, target, accept in (
            ("HTML", path, "text/html"),
            ("Turtle", path + ".ttl", "text/turtle"),
            ("HTML, page 5", path + "?page=5", "text/html"),
        ):
            seconds, body = timed(lambda t=target, a=accept: client.get(t, a), 30, 10.0)
            rows.append(
                (
                    f"most-mentioned person ({mentions} mentions), {label}",
                    f"{ms(seconds)} ms ({len(body) // 1024} KB)",
                )
            )
        for clients in (1, 2, 4, 16):
            rate = throughput(server.port, cheap, clients)
            rows.append(
                (f"throughput, cheap look-up repeated, {clients} client(s)", f"{rate:.0f} req/s")
            )
        server_memory = pss_mb(server.process.pid)
        mix = {
            "cheap look-up": cheap,
            "cheap ASK": f"ASK {{ <{person}> ?p ?o }}",
            **scholar_queries(person, date(1920, 1, 1) + (date(1920, 2, 1) - date(1920, 1, 1))),
        }
        versus = against_rdflib_endpoint(root, server.port, mix)
    finally:
        server.stop()
    single = single_process_mb(snapshot)
    rows.append(
        ("server memory after the workload (PSS, all processes)", f"{server_memory:.0f} MB")
    )
    rows.append(("one process holding the same store (peak RSS)", f"{single:.0f} MB"))
    rows.append(("ratio", f"{server_memory / single:.2f}"))

    # Fairness: the default admission settings.
    for name in ("CARNETS_RATE_LIMIT", "CARNETS_CLIENT_QUERIES"):
        os.environ.pop(name, None)
    server = start_server(root, timeout="5")
    try:
        client = Client(server.port)
        while not json.loads(client.get("/health", "application/json"))["warm"]:
            time.sleep(0.1)
        fair = fairness(server.port, person)
    finally:
        server.stop()
    rows.append(
        (
            f"20 clients looping runaway queries: cheap queries and pages answered 200 "
            f"({fair['requests']} requests)",
            f"{fair['ok'] * 100:.1f} %",
        )
    )
    rows.append(("… their p50 / p99", f"{ms(fair['p50'])} / {ms(fair['p99'])} ms"))
    rows.append(("… the runaway requests' statuses", str(fair["runaway statuses"])))

    lines = [f"### {entries} entries", "", "| measure | value |", "| --- | ---: |"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    if versus:
        lines += [
            "",
            "| query (HTTP, median) | Carnets ms | rdflib-endpoint ms | ratio "
            "| Carnets ms, repeated (answers kept) | ratio |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {n} | {a * 1e3:.2f} | {b * 1e3:.2f} | {b / a:.1f}x | {k * 1e3:.2f} | {b / k:.1f}x |"
            for n, a, k, b in versus
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    multiprocessing.set_start_method("fork")
    run_sizes(measure, [1000, 10000], "engine.md", description=__doc__.splitlines()[0])


if __name__ == "__main__":
    main()
