"""Fair shares: who may send how much, and whose queries may use the light lane.

A public endpoint is shared by scholars running cheap queries and by clients looping runaway
ones. Four rules keep the first fast whatever the second do:
- a rate limit per client (a token bucket): beyond it, 429 with Retry-After;
- a cap on each client's queries in flight: beyond it, 429 too;
- the light lane (see carnets.store.workers): a query runs there first, with a short budget,
  unless its text or its client overran recently; one that overruns the budget is stopped and
  run again in the general lane, and both its text and its client are remembered as heavy;
- a short wait for a worker of the general lane, then 503 with Retry-After, instead of queueing
  for as long as a query may run.
Everything here is bounded: the tables forget the least recently seen clients and texts.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from carnets.errors import TooManyRequests

TABLE_SIZE = 10_000  # clients and query texts remembered; the oldest are forgotten first


def fingerprint(text: str) -> str:
    """The same query, whatever its spacing: runaway loops resend one text."""
    return hashlib.blake2b(" ".join(text.split()).encode("utf-8"), digest_size=12).hexdigest()


@dataclass
class _Bucket:
    tokens: float
    updated: float
    in_flight: int = 0
    heavy_until: float = 0.0


class _Table(OrderedDict):
    """A dict that forgets its least recently used entries beyond `TABLE_SIZE`."""

    def touch(self, key, default):
        if key in self:
            self.move_to_end(key)
            return self[key]
        self[key] = default
        if len(self) > TABLE_SIZE:
            self.popitem(last=False)
        return default


class Admission:
    """Per-client rate limit, concurrency cap and standing; thread-safe.

    `rate` requests a second with bursts of `burst` (0 turns the rate limit off); `concurrent`
    queries in flight per client (0: no cap); a client or a query text that overran the light
    lane's budget runs in the general lane for `heavy_for` seconds.
    """

    def __init__(
        self,
        *,
        rate: float = 0.0,
        burst: int = 0,
        concurrent: int = 0,
        heavy_for: float = 120.0,
        clock=time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = max(burst, 1)
        self.concurrent = concurrent
        self.heavy_for = heavy_for
        self._clock = clock
        self._lock = threading.Lock()
        self._clients: _Table = _Table()
        self._texts: _Table = _Table()

    def _client(self, client: str, now: float) -> _Bucket:
        return self._clients.touch(client, _Bucket(float(self.burst), now))

    def take(self, client: str) -> None:
        """Count one request of `client`; TooManyRequests when it is over its rate."""
        if self.rate <= 0:
            return
        with self._lock:
            now = self._clock()
            bucket = self._client(client, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens < 1:
                wait = math.ceil((1 - bucket.tokens) / self.rate)
                raise TooManyRequests(
                    f"more than {self.rate:g} requests a second from this client; "
                    f"try again in {wait} s",
                    retry_after=wait,
                )
            bucket.tokens -= 1

    @contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold one of the client's query slots while a query runs; 429 when none is free."""
        with self._lock:
            bucket = self._client(client, self._clock())
            if self.concurrent and bucket.in_flight >= self.concurrent:
                raise TooManyRequests(
                    f"this client already has {bucket.in_flight} queries running "
                    f"(at most {self.concurrent}); wait for one to finish",
                    retry_after=1,
                )
            bucket.in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                bucket.in_flight -= 1

    def light(self, client: str, text: str) -> bool:
        """Whether a query may try the light lane: neither it nor its client overran lately."""
        with self._lock:
            now = self._clock()
            if self._client(client, now).heavy_until > now:
                return False
            return self._texts.get(fingerprint(text), 0.0) <= now

    def overran(self, client: str, text: str) -> None:
        """Remember that `text`, sent by `client`, overran the light lane's budget."""
        with self._lock:
            until = self._clock() + self.heavy_for
            self._client(client, self._clock()).heavy_until = until
            self._texts.touch(fingerprint(text), until)
            self._texts[fingerprint(text)] = until
