"""Issue 8, target 6: the same query mix on the three ways of holding an edition, per size.

`python bench/scale.py --sizes 1000 10000 100000` prints a Markdown report (and writes it to
bench/out/scale.md). Per size, on a synthetic edition of bench/generate.py, one after the other
so that only one copy of the data is in memory at a time:

- the release build (load, dumps, VoID; no SHACL) and the size of its dumps;
- the embedded store: `carnets serve`, each query over HTTP (median), the server's memory (PSS
  of all its processes) after the workload;
- a remote engine: Oxigraph server, bulk-loaded with its own loader from the release's N-Quads,
  behind `carnets serve` with CARNETS_STORE=remote: the time until the server has written the
  dumps from the engine, each query over HTTP, the memory of the server and of the engine;
- pyoxigraph in-process, from memory, in a child process: load time, each query, peak memory.

No rdflib here: at 100,000 entries it would take hours (bench/engine.py compares with
rdflib-endpoint at 1k and 10k).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from engine import pss_mb
from run import (
    BASE,
    Client,
    cheap_query,
    most_mentioned,
    run_sizes,
    scholar_queries,
    start_server,
    synthetic_release,
    timed,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from engines import launch_oxigraph  # noqa: E402

RUNS, BUDGET = 200, 10.0


def query_mix(person: str) -> dict[str, str]:
    return {
        "cheap look-up": cheap_query(person),
        "cheap ASK": f"ASK {{ <{person}> ?p ?o }}",
        **scholar_queries(person, date(1920, 1, 1)),
    }


def accept(query: str) -> str:
    graph = any(form in query for form in ("DESCRIBE", "CONSTRUCT"))
    return "text/turtle" if graph else "application/sparql-results+json"


def over_http(port: int, mix: dict[str, str], person: str) -> dict[str, float]:
    client = Client(port)
    seconds = {
        name: timed(lambda q=q: client.sparql(q, accept(q)), RUNS, BUDGET)[0]
        for name, q in mix.items()
    }
    path = "/" + person.removeprefix(BASE) + ".ttl"
    seconds["the person's description (Turtle)"] = timed(
        lambda: client.get(path, "text/turtle"), RUNS, BUDGET
    )[0]
    return seconds


def _in_process(snapshot: str, mix: dict[str, str], answer) -> None:
    import pyoxigraph as ox

    started = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=snapshot, format=ox.RdfFormat.N_QUADS)
    load = time.perf_counter() - started

    def run(query: str) -> bytes:
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, bool):
            return b"true" if result else b"false"
        if isinstance(result, ox.QueryTriples):
            return result.serialize(format=ox.RdfFormat.TURTLE)
        return result.serialize(format=ox.QueryResultsFormat.JSON)

    seconds = {name: timed(lambda q=query: run(q), RUNS, BUDGET)[0] for name, query in mix.items()}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    answer.send({"load": load, "seconds": seconds, "peak": peak})


def in_process(snapshot: Path, mix: dict[str, str]) -> dict:
    """Load and query in a child, so that its memory is measured alone and given back."""
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.Process(target=_in_process, args=(str(snapshot), mix, send))
    child.start()
    found = receive.recv()
    child.join()
    return found


def remote_engine(root: Path, snapshot: Path, mix: dict[str, str], person: str) -> dict:
    directory = root / "oxigraph"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or "oxigraph"
    started = time.perf_counter()
    subprocess.run(
        [oxigraph, "load", "--location", str(directory / "db"), "--file", str(snapshot)],
        check=True,
        capture_output=True,
    )
    load = time.perf_counter() - started
    engine = launch_oxigraph(directory)
    server = None
    try:
        engine.wait_until_ready(120)
        os.environ.update(CARNETS_STORE="remote", CARNETS_REMOTE_QUERY_URL=engine.query_url)
        server = start_server(root)
        client = Client(server.port)
        started = time.perf_counter()
        while True:
            client.connection.request("GET", "/download/SHA256SUMS")
            response = client.connection.getresponse()
            response.read()
            if response.status == 200:
                break
            if response.status != 503 or "Retry-After" not in response.headers:
                raise RuntimeError(f"/download/SHA256SUMS answered {response.status}")
            time.sleep(0.5)
        dumps = time.perf_counter() - started
        seconds = over_http(server.port, mix, person)
        memory = pss_mb(server.process.pid), pss_mb(engine.process.pid)
    finally:
        for name in ("CARNETS_STORE", "CARNETS_REMOTE_QUERY_URL"):
            os.environ.pop(name, None)
        if server is not None:
            server.stop()
        engine.stop()
        shutil.rmtree(directory, ignore_errors=True)
    return {"load": load, "dumps": dumps, "seconds": seconds, "memory": memory}


def measure(entries: int, out: Path) -> str:
    root, _, release, seconds = synthetic_release(entries, out, reuse=True)
    build = release.manifest.get("build_seconds", seconds)
    snapshot = release.dump_path("carnets.nq")
    triples = sum(release.triple_counts.values())

    # No rate limit (the loops come from one address) and no answers kept: every query repeated
    # here must reach the engine, or the embedded column would time a cache.
    os.environ.update(CARNETS_RATE_LIMIT="0", CARNETS_CLIENT_QUERIES="0", CARNETS_RESULT_CACHE="0")
    server = start_server(root)
    try:
        person, _ = most_mentioned(Client(server.port))
        mix = query_mix(person)
        embedded = over_http(server.port, mix, person)
        embedded_memory = pss_mb(server.process.pid)
    finally:
        server.stop()
    remote = remote_engine(root, snapshot, mix, person)
    local = in_process(snapshot, mix)

    ms = lambda seconds: f"{seconds * 1000:.2f}"  # noqa: E731
    mb = lambda size: f"{size / 1e6:,.0f} MB"  # noqa: E731
    dumps = ", ".join(
        f"{d.name} {mb(d.size)} ({mb(d.gzip_size)} gz)" for d in release.dumps.values()
    )
    lines = [
        f"### {entries:,} entries ({triples:,} triples)",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| release build (load, dumps, VoID; no SHACL) | {build:.1f} s |",
        f"| dumps | {dumps} |",
        f"| embedded: server memory after the workload (PSS, all processes) | "
        f"{embedded_memory:,.0f} MB |",
        f"| remote: Oxigraph's bulk load of the N-Quads | {remote['load']:.1f} s |",
        f"| remote: dumps and VoID written from the engine, after start-up | "
        f"{remote['dumps']:.1f} s |",
        f"| remote: memory of the server / of the engine (PSS) | "
        f"{remote['memory'][0]:,.0f} MB / {remote['memory'][1]:,.0f} MB |",
        f"| in-process: pyoxigraph load from N-Quads / peak memory | "
        f"{local['load']:.1f} s / {local['peak']:,.0f} MB |",
        "",
        "| query (median ms) | embedded, HTTP | remote engine, HTTP | in-process |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, seconds in embedded.items():
        inside = local["seconds"].get(name)
        lines.append(
            f"| {name} | {ms(seconds)} | {ms(remote['seconds'][name])} | "
            f"{ms(inside) if inside is not None else '–'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    multiprocessing.set_start_method("fork")
    run_sizes(measure, [1000, 10000, 100000], "scale.md", description=__doc__.splitlines()[0])


if __name__ == "__main__":
    main()
