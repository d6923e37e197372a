"""Answers already given: a bounded cache of query results for a store that never changes.

An embedded store is a release, read-only for the life of the server, so the same query on the
same dataset in the same format has the same answer every time: scholars rerun a query from the
workbench, a script polls, the pages' recipes are the same texts. A cached answer skips the hand-
off to a worker and the engine. What could differ between two runs is never kept: queries with
SERVICE calls (another server's data), with functions that give a new value each time (NOW,
RAND, UUID, STRUUID, BNODE), and anything from a remote engine, whose data may change under us.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from carnets.store.base import QueryRequest, QueryResult

# A word followed by "(": a call of one of the functions whose value changes from run to run.
# Found in a comment or a string too, which only means that the answer is not kept.
_VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)

Key = tuple[str, str, tuple[str, ...], tuple[str, ...], bool]


class Answers:
    """Least-recently-used answers, at most `max_bytes` of bodies in all, each at most
    `max_entry` bytes (a big answer would push out many small ones and is cheap to stream)."""

    def __init__(self, max_bytes: int, max_entry: int = 1 << 20) -> None:
        self.max_bytes = max_bytes
        self.max_entry = min(max_entry, max_bytes)
        self._answers: OrderedDict[Key, QueryResult] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def key(request: QueryRequest) -> Key | None:
        """What identifies an answer, or None for a request whose answer may change."""
        if request.federated or _VOLATILE.search(request.text):
            return None
        return (
            request.text,
            request.media_type,
            request.default_graphs,
            request.named_graphs,
            request.union_default,
        )

    def get(self, key: Key) -> QueryResult | None:
        with self._lock:
            found = self._answers.get(key)
            if found is None:
                self.misses += 1
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: Key, result: QueryResult) -> None:
        size = len(result.body)
        if size > self.max_entry:
            return
        with self._lock:
            previous = self._answers.pop(key, None)
            if previous is not None:
                self._size -= len(previous.body)
            self._answers[key] = result
            self._size += size
            while self._size > self.max_bytes:
                _, evicted = self._answers.popitem(last=False)
                self._size -= len(evicted.body)

    def __len__(self) -> int:
        return len(self._answers)

    @property
    def size(self) -> int:
        return self._size
