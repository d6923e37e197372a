"""Time the reading of a query before it runs (carnets.store.query_text.read_query).

Every query is read before the engine sees it (form, dataset, SERVICE calls, row cap), so the
reading is a fixed cost of every request: this measures it on the cookbook queries, a cheap
look-up, and a 100 KB query.

    .venv/bin/python bench/query_reading.py
"""

from __future__ import annotations

import statistics
import timeit
from pathlib import Path

from carnets.store.query_text import read_query

QUERIES = Path(__file__).resolve().parents[1] / "queries"
CHEAP = "SELECT ?name WHERE { <https://w3id.org/carnets/serge/person/max-jacob> ?p ?name }"
BIG = "SELECT * WHERE { " + " ".join(f'?s ?p "value {i}" .' for i in range(5000)) + " }"


def per_call(text: str, number: int) -> float:
    """Median seconds per read over five rounds of `number` reads."""
    rounds = timeit.repeat(lambda: read_query(text), number=number, repeat=5)
    return statistics.median(rounds) / number


def main() -> None:
    cookbook = [path.read_text() for path in sorted(QUERIES.glob("*.rq"))]
    mean = statistics.mean(per_call(text, 200) for text in cookbook)
    print(f"cookbook queries ({len(cookbook)}), mean: {mean * 1e6:.0f} µs")
    print(f"cheap look-up: {per_call(CHEAP, 5000) * 1e6:.1f} µs")
    print(f"100 KB query ({len(BIG) // 1024} KiB): {per_call(BIG, 5) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
