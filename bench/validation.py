"""The validation gate against the candidates it was chosen from, on synthetic editions.

`python bench/validation.py --sizes 1000 10000` generates the editions (bench/generate.py)
into /tmp/edition-N unless they exist, then runs each candidate in a process of its own, one
at a time, with a time limit: wall time from the process's start (imports, parsing, validation,
report), the time of the validation proper, peak memory (the process's VmHWM) and the verdict.
`--change` measures the incremental check instead: one new entry (a copy of an existing one
under a new date) added to the edition, through a snapshot (build once, then cold calls of
`validate_change`) and through a gate kept loaded.

Candidates: the gate (carnets.gate, the default engine); pySHACL as `carnets validate
--reference` runs it (inference off, no SHACL-AF, warnings allowed); pySHACL with the top-level
shapes split between two processes (`use_shapes`); pySHACL over an oxrdflib (Oxigraph) graph;
pyshacl-turbo (Rust, pySHACL's API) over a pyoxigraph store; pyrudof (Rust). The last three
are not dependencies: install them with
`.venv/bin/pip install --target bench/out/candidates pyshacl-turbo==0.6.5 pyrudof==0.3.35
oxrdflib` (they are looked for there), or they are reported as not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES_DIR = ROOT / "bench" / "out" / "candidates"
NAMES = ("gate", "pyshacl", "pyshacl-2proc", "pyshacl-oxrdflib", "pyshacl-turbo", "pyrudof")


def _setup() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.append(str(CANDIDATES_DIR))


def _files(root: Path):
    from carnets.config import Settings
    from carnets.loading import EditionFiles

    settings = Settings.from_env({}, root=root)
    files = EditionFiles.find(settings)
    return settings, files, files.ontology + files.edition + files.links


# ---------------------------------------------------------------- one candidate, in its process


def run_candidate(name: str, root: Path) -> dict:
    _setup()
    started = time.perf_counter()
    settings, files, paths = _files(root)
    if name == "gate":
        from carnets.validation import validate

        report = validate(settings)
        return {"validate": time.perf_counter() - started, **_verdict(report)}
    from carnets.loading import read_graphs

    shapes = read_graphs(files.shapes)
    if name == "pyshacl":
        from carnets.validation import validate_graph

        data = read_graphs(paths)
        loaded = time.perf_counter()
        report = validate_graph(data, shapes, paths)
        return {
            "load": loaded - started,
            "validate": time.perf_counter() - loaded,
            **_verdict(report),
        }
    if name == "pyshacl-2proc":
        return _two_processes(root, shapes, started)
    if name == "pyshacl-oxrdflib":
        import oxrdflib  # noqa: F401  (registers the "Oxigraph" rdflib store)
        from rdflib import Graph

        from carnets.validation import validate_graph

        data = Graph(store="Oxigraph")
        for path in paths:
            data.parse(path, format="turtle")
        loaded = time.perf_counter()
        report = validate_graph(data, shapes, paths)
        return {
            "load": loaded - started,
            "validate": time.perf_counter() - loaded,
            **_verdict(report),
        }
    if name == "pyshacl-turbo":
        import pyoxigraph as ox
        import pyshacl_turbo

        store = ox.Store()
        for path in paths:
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        loaded = time.perf_counter()
        conforms, results, _ = pyshacl_turbo.validate(
            store, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
        )
        found = len(set(results.subjects(_sh("focusNode"), None)))
        return {
            "load": loaded - started,
            "validate": time.perf_counter() - loaded,
            "conforms": bool(conforms),
            "problems": found,
            "note": "SHACL only (no EDTF check)",
        }
    if name == "pyrudof":
        import pyrudof

        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        for i, path in enumerate(paths):
            rudof.read_data(str(path), reader_mode=pyrudof.ReaderMode.Strict, merge=i > 0)
        rudof.read_shacl("\n".join(p.read_text("utf-8") for p in files.shapes))
        loaded = time.perf_counter()
        report = rudof.validate_shacl()
        return {
            "load": loaded - started,
            "validate": time.perf_counter() - loaded,
            "conforms": bool(report.conforms),
            "problems": len(list(report.violations)),
            "note": "SHACL only (no EDTF check)",
        }
    raise SystemExit(f"unknown candidate {name}")


def _since(tick: float) -> float:
    return time.perf_counter() - tick


def _sh(name: str):
    from rdflib import URIRef

    return URIRef("http://www.w3.org/ns/shacl#" + name)


def _verdict(report) -> dict:
    return {"conforms": report.conforms, "problems": len(report.problems), "engine": report.engine}


def _two_processes(root: Path, shapes, started: float) -> dict:
    """pySHACL on two cores: the named top-level shapes split in two, one half per process."""
    from concurrent.futures import ProcessPoolExecutor

    from rdflib import URIRef

    targeted = set(shapes.subjects(_sh("targetClass"), None))
    targeted |= set(shapes.subjects(_sh("targetNode"), None))
    top = sorted(str(s) for s in targeted if isinstance(s, URIRef))
    halves = [top[0::2], top[1::2]]
    with ProcessPoolExecutor(2) as pool:
        outcomes = list(pool.map(_half, [str(root)] * 2, halves))
    return {
        "validate": time.perf_counter() - started,
        "conforms": all(c for c, _ in outcomes),
        "problems": sum(n for _, n in outcomes),
        "note": "SHACL only (no EDTF check)",
    }


def _half(root: str, use_shapes: list[str]) -> tuple[bool, int]:
    _setup()
    from pyshacl import validate as shacl_validate

    from carnets.loading import read_graphs

    _, files, paths = _files(Path(root))
    conforms, results, _ = shacl_validate(
        read_graphs(paths),
        shacl_graph=read_graphs(files.shapes),
        inference="none",
        advanced=False,
        allow_warnings=True,
        use_shapes=use_shapes,
    )
    return bool(conforms), len(set(results.subjects(_sh("focusNode"), None)))


# ---------------------------------------------------------------- incremental check


def run_change(root: Path, repeat: int = 5) -> dict:
    """One new entry added to the edition: through the snapshot, then through a loaded gate."""
    _setup()
    from carnets.gate import Gate
    from carnets.gate.snapshot import Snapshot
    from carnets.loading import read_graphs
    from carnets.validation import validate_change

    settings, files, paths = _files(root)
    started = time.perf_counter()
    snapshot = Snapshot.open(settings)
    built = time.perf_counter() - started
    added = new_entry(snapshot.gate.store)
    snapshot.close()
    cold = []
    for _ in range(repeat):
        tick = time.perf_counter()
        report = validate_change(settings, added)
        cold.append(time.perf_counter() - tick)
    tick = time.perf_counter()
    gate = Gate.load(paths, read_graphs(files.shapes))
    gate.unsure()
    loading = time.perf_counter() - tick
    warm = []
    for _ in range(repeat):
        tick = time.perf_counter()
        loaded_report = validate_change(settings, added, gate=gate)
        warm.append(time.perf_counter() - tick)
    return {
        "triples": len(added),
        "snapshot build (s)": built,
        "validate_change, snapshot (median s)": statistics.median(cold),
        "gate load (s)": loading,
        "validate_change, loaded gate (median s)": statistics.median(warm),
        "conforms": report.conforms and loaded_report.conforms,
    }


def new_entry(store) -> list[tuple]:
    """An entry as ingest would add it: a copy of the fifth entry, its mentions and selectors,
    under a date and position no entry has."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from carnets.gate.terms import to_rdflib

    oa, schema = "http://www.w3.org/ns/oa#", "https://schema.org/"
    old = next(iter(store.query(f"SELECT ?e WHERE {{ ?e <{schema}position> 5 }}")))["e"].value
    last = next(iter(store.query(f"SELECT (MAX(?p) AS ?p) WHERE {{ ?e <{schema}position> ?p }}")))
    new = old.rsplit("/", 1)[0] + "/2999-01-01"
    queries = [
        f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ <{old}> }} ?s ?p ?o }}",
        f"SELECT ?s ?p ?o WHERE {{ ?s <{oa}hasSource> <{old}> . ?s ?p ?o }}",
        f"SELECT ?s ?p ?o WHERE {{ ?t <{oa}hasSource> <{old}> . ?s <{oa}hasTarget> ?t . "
        "?s ?p ?o }",
        f"SELECT ?s ?p ?o WHERE {{ ?t <{oa}hasSource> <{old}> . ?t <{oa}hasSelector> ?s . "
        "?s ?p ?o }",
    ]

    def renamed(term):
        term = to_rdflib(term)
        if isinstance(term, URIRef) and str(term).startswith(old):
            return URIRef(new + str(term)[len(old) :])
        return term

    triples = []
    for query in queries:
        for row in store.query(query):
            s, p, o = renamed(row["s"]), to_rdflib(row["p"]), renamed(row["o"])
            if str(p) == schema + "position":
                o = Literal(int(last["p"].value) + 1)
            elif str(p) == schema + "dateCreated":
                o = Literal("2999-01-01", datatype=XSD.date)
            elif s == URIRef(new) and str(p).endswith("prefLabel"):
                o = Literal("1 January 2999", lang="en")
            triples.append((s, p, o))
    return triples


# ---------------------------------------------------------------- the driver


def measure(args: list[str], limit: float) -> dict:
    """Run `args` in a process of its own; its wall time, peak memory and printed result."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _hwm(process.pid))
        if time.perf_counter() - started > limit:
            process.kill()
            process.wait()
            return {"wall": time.perf_counter() - started, "peak MB": peak, "timeout": True}
        time.sleep(0.2)
    wall = time.perf_counter() - started
    lines = (process.stdout.read() if process.stdout else "").strip().splitlines()
    result = json.loads(lines[-1]) if process.returncode == 0 and lines else {"failed": True}
    return {"wall": wall, "peak MB": peak, **result}


def _hwm(pid: int) -> int:
    """Peak resident memory of a process and its children, in MB."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) // 1024
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for c in found] + [g for c in found for g in _children(int(c))]


def edition(size: int) -> Path:
    root = Path(f"/tmp/edition-{size}")
    if not (root / "data" / "mentions.ttl").exists():
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), str(size), str(root)], check=True
        )
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--candidates", nargs="+", default=list(NAMES), choices=NAMES)
    parser.add_argument("--limit", type=float, default=1800, help="seconds a candidate may run")
    parser.add_argument("--change", action="store_true", help="measure the incremental check")
    parser.add_argument("--run", nargs=2, metavar=("CANDIDATE", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        name, root = args.run
        result = run_change(Path(root)) if name == "change" else run_candidate(name, Path(root))
        print(json.dumps(result))
        return
    for size in args.sizes:
        root = edition(size)
        names = ["change"] if args.change else args.candidates
        for name in names:
            load = os.getloadavg()[0]
            result = measure([sys.executable, __file__, "--run", name, str(root)], args.limit)
            print(json.dumps({"entries": size, "candidate": name, "load average": load, **result}))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
