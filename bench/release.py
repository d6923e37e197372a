"""Time `carnets release` on an edition: cold (validation and snapshot build included) and warm.

    .venv/bin/python bench/release.py                           # the shipped edition
    .venv/bin/python bench/generate.py 10000 /tmp/edition-10000
    .venv/bin/python bench/release.py /tmp/edition-10000

Each run is the real command in a subprocess (`carnets --root DIR release --date 2026-11-25`),
timed wall-clock; the first one's peak memory comes from getrusage. The edition is copied to a
fresh folder first, so the cold run validates and builds the snapshot as a first release would;
the warm run writes a second release folder (CARNETS_RELEASES elsewhere) from the cached
snapshot, which is the cost of `carnets release` itself. The two releases must be byte for byte
the same: the script checks it. Last, one statement is added (a comment on the dataset) and
release 2 is made: validation, snapshot, release and the changelog and patch against release 1.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARNETS = Path(sys.executable).with_name("carnets")


def run(root: Path, releases: Path, when: str = "2026-11-25") -> tuple[float, float]:
    """Seconds and peak MB of one `carnets release` in a child process."""
    env = {**os.environ, "CARNETS_RELEASES": str(releases), "PYTHONPATH": str(ROOT / "src")}
    started = time.perf_counter()
    subprocess.run(
        [str(CARNETS), "--root", str(root), "release", "--date", when],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("edition", nargs="?", type=Path, default=ROOT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="carnets-release-") as scratch:
        root = Path(scratch) / "edition"
        for part in ("ontology", "data", "shapes"):
            shutil.copytree(args.edition / part, root / part)
        cold, cold_peak = run(root, Path(scratch) / "one")
        warm, _ = run(root, Path(scratch) / "two")
        one, two = Path(scratch) / "one" / "1", Path(scratch) / "two" / "1"
        names = sorted(p.name for p in one.iterdir())
        same = filecmp.cmpfiles(one, two, names, shallow=False)[0] == names
        size = sum(p.stat().st_size for p in one.iterdir())
        quads = sum(1 for _ in (one / "carnets.nq").open("rb"))
        print(f"edition: {args.edition} ({quads:,} quads; release folder {size / 1e6:.1f} MB)")
        print(f"cold (validate, build snapshot, release): {cold:.1f} s (peak {cold_peak:.0f} MB)")
        print(f"warm (release from the cached snapshot):  {warm:.1f} s")
        print(f"byte for byte the same: {same}")
        (root / "data" / "zz-bench.ttl").write_text(
            "<https://w3id.org/carnets/serge/dataset> "
            '<http://www.w3.org/2000/01/rdf-schema#comment> "A change for the benchmark."@en .\n'
        )
        second, _ = run(root, Path(scratch) / "one", "2026-12-01")
        changes = (Path(scratch) / "one" / "2" / "CHANGELOG.md").read_text().splitlines()[4:7]
        print(f"release 2 after one change (validate, snapshot, release, diff): {second:.1f} s")
        print("  " + " ".join(changes))


if __name__ == "__main__":
    main()
