"""Adding one entry to a big edition with `carnets ingest`, step by step.

`python bench/ingest.py --sizes 1000 10000` copies the shipped edition into bench/out/, adds a
source document of N synthetic entries (the five 1944 entries' texts again and again, under ISO
headings from 1900 on, so that every entry mentions people, works and places), builds it, then
times the ingest of one more entry: reading, generating the texts and mentions, validating
what changed, and looking for unknown names. The table goes to bench/out/ingest.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from carnets.build import build_edition  # noqa: E402
from carnets.config import Settings  # noqa: E402
from carnets.ingest.run import ingest  # noqa: E402
from carnets.ingest.sources import source_documents  # noqa: E402
from carnets.ingest.texts import split_source  # noqa: E402

FIRST = date(1900, 1, 1)
TEXT = "News of Max Jacob and of Osip Mandelstam; read Night Flight again."


def edition(entries: int, out: Path) -> Settings:
    """The shipped edition plus `entries` synthetic entries, built (its generated files written)."""
    root = out / f"ingest-{entries}"
    shutil.rmtree(root, ignore_errors=True)
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "edition.toml", root / "edition.toml")
    settings = Settings.from_env({}, root=root)
    excerpt = source_documents(settings.data_dir / "source")
    texts = [
        section.text
        for name, source in excerpt.items()
        for section in split_source(source, settings.edition.editorial)
        if section.day is not None
    ]
    days = (FIRST + timedelta(days=n) for n in range(entries))
    body = "\n\n".join(
        f"{day.isoformat()}\n\n{texts[n % len(texts)]}" for n, day in enumerate(days)
    )
    (settings.data_dir / "source" / "synthetic.txt").write_text(body + "\n", encoding="utf-8")
    return settings


def measure(entries: int, out: Path) -> list[str]:
    settings = edition(entries, out)
    started = time.perf_counter()
    build_edition(settings)
    build = time.perf_counter() - started
    rows = []
    # After the last entry, as a notebook grows: the first time after a build (the gate then
    # makes its snapshot of the edition), then again; then before the first, which moves every
    # entry's position (schema:position) and so changes a triple of each.
    last = FIRST + timedelta(days=entries)
    cases = (
        ("after the last, first since the build", last),
        ("after the last, again", last + timedelta(days=1)),
        ("before the first", FIRST - timedelta(days=1)),
    )
    for where, day in cases:
        new = out / f"one-entry-{day}.txt"
        new.write_text(f"{day}\n\n{TEXT}\n", encoding="utf-8")
        started = time.perf_counter()
        outcome = ingest(settings, [new])
        total = time.perf_counter() - started
        steps = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in outcome.seconds.items())
        rows.append(
            f"| {entries:,} | {build:.1f} s | {where} | {total:.2f} s | {steps} "
            f"| {len(outcome.files)} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    lines = [
        f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "",
        "| entries | carnets build | one entry, dated | ingest | its steps | files written |",
        "| ---: | ---: | --- | ---: | --- | ---: |",
    ]
    for size in args.sizes:
        lines += measure(size, args.out)
        print("\n".join(lines[-3:]), flush=True)
        (args.out / "ingest.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
