"""The benchmark: the real server against an rdflib in-memory graph on synthetic editions.

`python bench/run.py` generates the 1k and 10k editions (bench/generate.py), prepares their
releases, starts `carnets serve` on 127.0.0.1 and measures, for each size: start-up, the median
latency of the scholar query mix through HTTP and on rdflib, a cheap look-up, throughput with 1
and 4 clients, dump time and peak memory. The tables are printed and written to bench/out/.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from generate import BASE, generate  # noqa: E402

PREFIXES = """PREFIX cn: <https://w3id.org/carnets/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def scholar_queries(person: str, month: date) -> dict[str, str]:
    """The query mix of issue 3; one text for both engines, so their answers can be compared."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return {
        "entries in a month": f"""{PREFIXES}
SELECT ?entry ?date WHERE {{ ?entry a cn:Entry ; schema:dateCreated ?date .
  FILTER(?date >= "{month}"^^xsd:date && ?date < "{following}"^^xsd:date) }} ORDER BY ?date""",
        "passages mentioning a person": f"""{PREFIXES}
SELECT ?entry ?date ?start ?end ?exact WHERE {{
  ?m oa:hasBody <{person}> ; oa:hasTarget ?t .
  ?t oa:hasSource ?entry ; oa:hasSelector ?ps, ?qs .
  ?ps oa:start ?start ; oa:end ?end . ?qs oa:exact ?exact .
  ?entry schema:dateCreated ?date }} ORDER BY ?date ?start""",
        # rdflib cannot compare durations, so days are counted as YEAR*372 + MONTH*31 + DAY.
        "deaths reported within 90 days of a mention": f"""{PREFIXES}
SELECT DISTINCT ?person ?death ?entry WHERE {{
  ?death crm:P100_was_death_of ?person ; cn:latestDate ?died .
  ?m oa:hasBody ?person ; oa:hasTarget ?t . ?t oa:hasSource ?entry .
  ?entry schema:dateCreated ?written .
  BIND((YEAR(?written) * 372 + MONTH(?written) * 31 + DAY(?written))
     - (YEAR(?died) * 372 + MONTH(?died) * 31 + DAY(?died)) AS ?gap)
  FILTER(?gap >= 0 && ?gap <= 90) }}""",
        "most-mentioned people": f"""{PREFIXES}
SELECT ?person ?name (COUNT(?m) AS ?mentions) WHERE {{
  ?m oa:hasBody ?person . ?person a cn:Person ; skos:prefLabel ?name }}
GROUP BY ?person ?name ORDER BY DESC(?mentions) ?person LIMIT 20""",
        "text search": f"""{PREFIXES}
SELECT ?entry WHERE {{ ?entry a cn:Entry ; schema:text ?text .
  FILTER(CONTAINS(LCASE(?text), "mandelstam")) }}""",
        "DESCRIBE a person": f"DESCRIBE <{person}>",
    }


def cheap_query(person: str) -> str:
    return f"{PREFIXES}SELECT ?name WHERE {{ <{person}> skos:prefLabel ?name }}"


class Client:
    """One persistent HTTP connection, as a scholar's script would hold."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def get(self, path: str, accept: str = "application/sparql-results+json", **headers) -> bytes:
        self.connection.request("GET", path, headers={"Accept": accept, **headers})
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{response.status} on {path[:120]}: {body[:300]!r}")
        return body

    def sparql(self, query: str, accept: str = "application/sparql-results+json") -> bytes:
        return self.get("/sparql?" + urllib.parse.urlencode({"query": query}), accept)


def timed(action, runs: int, budget: float) -> tuple[float, object]:
    """Median seconds of `action` over up to `runs` runs within `budget` s, after a warm-up."""
    t = time.perf_counter()
    result = action()
    first = time.perf_counter() - t
    if first > budget / 3:  # a slow baseline query: its one run is the measure
        return first, result
    times = []
    started = time.perf_counter()
    while len(times) < runs and (not times or time.perf_counter() - started < budget):
        t = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    startup: float

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def start_server(root: Path, timeout: str = "300") -> Server:
    env = {
        **os.environ,
        "CARNETS_QUERY_TIMEOUT": timeout,
        "CARNETS_RATE_LIMIT": os.environ.get("CARNETS_RATE_LIMIT", "0"),
        "CARNETS_CLIENT_QUERIES": os.environ.get("CARNETS_CLIENT_QUERIES", "0"),
        "CARNETS_PORT": "0",
        "PYTHONPATH": str(ROOT / "src"),
    }
    command = [
        sys.executable,
        "-c",
        "from carnets.cli import cli; cli()",
        "--root",
        str(root),
        "serve",
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    port = None
    for line in process.stderr:
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if found:
            port = int(found.group(1))
            break
    if port is None:
        raise RuntimeError("the server did not start")
    threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
    while True:
        try:
            Client(port).sparql("ASK {}")
            break
        except (ConnectionError, OSError):
            time.sleep(0.005)
    return Server(process, port, time.perf_counter() - started)


def peak_memory_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and all its descendants, in MB."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


def _hammer(port: int, query: str, seconds: float, counter) -> None:
    client = Client(port)
    path = "/sparql?" + urllib.parse.urlencode({"query": query})
    done = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        client.get(path)
        done += 1
    with counter.get_lock():
        counter.value += done


def throughput(port: int, query: str, clients: int, seconds: float = 5.0) -> float:
    counter = multiprocessing.Value("i", 0)
    workers = [
        multiprocessing.Process(target=_hammer, args=(port, query, seconds, counter))
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return counter.value / (time.perf_counter() - started)


def rows(body: bytes) -> int:
    return len(json.loads(body)["results"]["bindings"])


class SyntheticConforms:
    """The generated edition conforms by construction; its SHACL run would take hours."""

    conforms = True

    def text(self) -> str:
        return "synthetic edition"


def most_mentioned(client: Client) -> tuple[str, str]:
    """Once the server's workers are warm: the most-mentioned person, and how many mentions."""
    while not json.loads(client.get("/health", "application/json"))["warm"]:
        time.sleep(0.1)
    top = json.loads(client.sparql(scholar_queries("", date(1920, 1, 1))["most-mentioned people"]))
    row = top["results"]["bindings"][0]
    return row["person"]["value"], row["mentions"]["value"]


def synthetic_release(entries: int, out: Path, reuse: bool = False):
    """The folder of the synthetic edition of `entries` in `out` (generated again unless `reuse`
    and it is there), what was generated (None if reused), its release, and the seconds the
    release took to prepare."""
    from carnets.config import Settings
    from carnets.export import prepare_release

    root = out / f"edition-{entries}"
    counts = None if reuse and (root / "data").is_dir() else generate(entries, root)
    settings = Settings.from_env({}, root=root)
    started = time.perf_counter()
    release = prepare_release(settings, validate=lambda s: SyntheticConforms())
    return root, counts, release, time.perf_counter() - started


def run_sizes(measure, sizes: list[int], report: str, **options) -> None:
    """The command line of a benchmark: `measure(size, out)` per size, printed and written to
    bench/out/`report` as each size is done."""
    parser = argparse.ArgumentParser(description=options.pop("description", ""))
    parser.add_argument("--sizes", type=int, nargs="+", default=sizes)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    for name, default in options.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    args = parser.parse_args()
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    extra = {name: getattr(args, name) for name in options}
    lines = [f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}", ""]
    for size in args.sizes:
        lines.append(measure(size, args.out, **extra))
        print(lines[-1], flush=True)
        (args.out / report).write_text("\n".join(lines), "utf-8")


def bench(entries: int, out: Path, rdflib_runs: int) -> str:
    from rdflib import Graph

    root, counts, release, build = synthetic_release(entries, out)
    triples = sum(release.triple_counts.values())

    startups = []
    for _ in range(3):
        server = start_server(root)
        startups.append(server.startup)
        server.stop()
    server = start_server(root)
    try:
        client = Client(server.port)
        started = time.perf_counter()
        while not json.loads(client.get("/health", "application/json"))["warm"]:
            time.sleep(0.1)
        warm_up = time.perf_counter() - started
        person = json.loads(
            client.sparql(scholar_queries("", date(1920, 1, 1))["most-mentioned people"])
        )
        person = person["results"]["bindings"][0]["person"]["value"]
        month = date(1920, 1, 1) + timedelta(days=entries // 2)
        queries = scholar_queries(person, month.replace(day=1))

        t = time.perf_counter()
        graph = Graph()
        for path in sorted((root / "ontology").glob("*.ttl")) + sorted(
            (root / "data").glob("*.ttl")
        ):
            graph.parse(path, format="turtle")
        rdflib_load = time.perf_counter() - t

        table = []
        for name, query in queries.items():
            describe = name.startswith("DESCRIBE")
            accept = "application/n-triples" if describe else "application/sparql-results+json"
            server_time, body = timed(lambda q=query, a=accept: client.sparql(q, a), 30, 3.0)
            baseline_time, answer = timed(lambda q=query: list(graph.query(q)), rdflib_runs, 60.0)
            served = len(body.splitlines()) if describe else rows(body)
            table.append((name, server_time, baseline_time, served, len(answer)))

        cheap = cheap_query(person)
        lookup, _ = timed(lambda: client.sparql(cheap), 500, 10.0)
        path = "/" + person.removeprefix(BASE) + ".ttl"
        deref, _ = timed(lambda: client.get(path, "text/turtle"), 300, 10.0)
        rate1 = throughput(server.port, cheap, 1)
        rate4 = throughput(server.port, cheap, 4)
        dump, body = timed(
            lambda: client.get("/download/carnets.nq", "application/n-quads"), 5, 20.0
        )
        dump_gz, _ = timed(
            lambda: client.get(
                "/download/carnets.nq", "application/n-quads", **{"Accept-Encoding": "gzip"}
            ),
            5,
            20.0,
        )
        memory = peak_memory_mb(server.process.pid)
    finally:
        server.stop()
    baseline_memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ms = lambda seconds: f"{seconds * 1000:.1f}"  # noqa: E731
    lines = [
        f"### {entries} entries ({triples:,} triples; {counts['people']} people, "
        f"{counts['deaths']} deaths, {counts['reports']} reports, {counts['works']} works, "
        f"{counts['mentions']} mentions)",
        "",
        "| query | server (HTTP) ms | rdflib ms | speed-up | rows (server / rdflib) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, server_time, baseline_time, served, answered in table:
        lines.append(
            f"| {name} | {ms(server_time)} | {ms(baseline_time)} | "
            f"{baseline_time / server_time:.0f}x | {served} / {answered} |"
        )
    lines += [
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| cheap look-up (SPARQL, 1 client), median | {ms(lookup)} ms |",
        f"| resource dereference (.ttl), median | {ms(deref)} ms |",
        f"| throughput, cheap look-up, 1 client | {rate1:.0f} req/s |",
        f"| throughput, cheap look-up, 4 clients | {rate4:.0f} req/s |",
        f"| start-up with a built release (median of 3) | {ms(statistics.median(startups))} ms |",
        f"| release build (load, dumps, VoID; no SHACL) | {build:.1f} s |",
        f"| warm-up of the query workers (in-memory copy, in the background) | {warm_up:.1f} s |",
        f"| N-Quads dump download ({len(body) / 1e6:.1f} MB) | {ms(dump)} ms |",
        f"| N-Quads dump download, gzip | {ms(dump_gz)} ms |",
        f"| server peak memory (all processes) | {memory:.0f} MB |",
        f"| rdflib baseline: load / peak memory of bench process | {rdflib_load:.1f} s / "
        f"{baseline_memory:.0f} MB |",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    run_sizes(
        bench, [1000, 10000], "results.md", description=__doc__.splitlines()[0], rdflib_runs=3
    )


if __name__ == "__main__":
    main()
