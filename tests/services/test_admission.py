"""Fair shares: rate limits, query slots and the light lane's standing, on a clock we turn."""

from __future__ import annotations

import pytest

from carnets.errors import TooManyRequests
from carnets.services import admission as module
from carnets.services.admission import Admission, fingerprint


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_over_its_rate_is_told_when_to_come_back():
    clock = Clock()
    gate = Admission(rate=2, burst=3, clock=clock)
    for _ in range(3):
        gate.take("a")
    with pytest.raises(TooManyRequests) as refused:
        gate.take("a")
    assert refused.value.retry_after == 1
    gate.take("b")  # another client has its own bucket
    clock.now += 0.5  # one token back
    gate.take("a")
    with pytest.raises(TooManyRequests):
        gate.take("a")


def test_no_rate_limit_when_it_is_off():
    gate = Admission(rate=0)
    for _ in range(10_000):
        gate.take("a")


def test_a_client_has_a_bounded_number_of_queries_in_flight():
    gate = Admission(concurrent=2)
    with gate.slot("a"), gate.slot("a"):
        with pytest.raises(TooManyRequests, match="already has 2 queries running"), gate.slot("a"):
            pass
        with gate.slot("b"):
            pass
    with gate.slot("a"):  # slots are given back, also when the query failed
        pass
    with pytest.raises(ValueError), gate.slot("a"):
        raise ValueError
    with gate.slot("a"), gate.slot("a"):
        pass


def test_a_runaway_keeps_its_text_and_its_client_out_of_the_light_lane_for_a_while():
    clock = Clock()
    gate = Admission(heavy_for=60, clock=clock)
    runaway = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
    assert gate.light("a", runaway)
    gate.overran("a", runaway)
    assert not gate.light("a", "ASK {}")  # the client's other queries too
    assert not gate.light("b", "SELECT  *  WHERE {\n ?a ?b ?c . ?d ?e ?f }")  # same text
    assert gate.light("b", "ASK {}")
    clock.now += 61
    assert gate.light("a", runaway)


def test_the_tables_forget_the_oldest_clients(monkeypatch):
    monkeypatch.setattr(module, "TABLE_SIZE", 10)
    gate = Admission(rate=1, burst=1)
    for n in range(100):
        gate.take(f"client-{n}")
    assert len(gate._clients) == 10


def test_fingerprints_ignore_spacing_only():
    assert fingerprint("ASK { ?s ?p ?o }") == fingerprint("ASK {\n  ?s ?p ?o\n}")
    assert fingerprint("ASK { ?s ?p ?o }") != fingerprint("ASK { ?s ?p ?x }")
