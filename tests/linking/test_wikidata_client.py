"""The Wikidata client against a real local endpoint: User-Agent, batching, 429, 5xx, timeouts."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from carnets.errors import LinkingError
from carnets.linking.wikidata import WikidataClient, _retry_after, year_of

from .conftest import USER_AGENT


def test_sends_its_user_agent(client, fake_wikidata):
    client.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert fake_wikidata.script.requests[0]["user_agent"] == USER_AGENT


def test_names_are_batched_with_values(client, fake_wikidata):
    names = ["Max Jacob", "Osip Mandelstam", "Boris Pasternak", "Black Sea", "Istanbul"]
    client.batch_size = 2  # 2 names x 3 languages per request
    found = client.find_by_names(names)
    queries = [r["query"] for r in fake_wikidata.script.requests]
    assert len(queries) == 3
    assert all("VALUES ?name" in q for q in queries)
    assert '"Osip Mandelstam"@ru' in "".join(queries)
    assert found["max jacob"] == {"Q99000001", "Q99001001"}
    assert "Q166" in found["black sea"]


def test_facts_of_items_in_batches(client, fake_wikidata):
    client.batch_size = 2
    items = client.item_facts(["Q2908", "Q189950", "Q656"])
    assert len(fake_wikidata.script.requests) == 2
    assert items["Q2908"].years("P569") == [1900]
    assert items["Q189950"].labels["ru"] == ["Осип Мандельштам"]
    # The country through all its statements: today's and 1944's.
    assert {"Q159", "Q15180"} <= set(items["Q656"].values("P17"))
    assert "Soviet Union" in items["Q656"].value_labels("P17")


def test_long_queries_go_by_post(client, fake_wikidata):
    client.find_by_names([f"Name {i}" for i in range(60)])
    assert fake_wikidata.script.requests[0]["method"] == "POST"


def test_429_waits_as_retry_after_says_then_succeeds(client, fake_wikidata, waits):
    fake_wikidata.script.behaviours = ["429", "429"]
    fake_wikidata.script.retry_after = "7"
    rows = client.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert len(rows) == 1
    assert waits == [7.0, 7.0]
    assert len(fake_wikidata.script.requests) == 3


def test_5xx_backs_off_exponentially(client, fake_wikidata, waits):
    fake_wikidata.script.behaviours = ["503", "500"]
    fake_wikidata.script.retry_after = None
    client.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert waits == [0.5, 1.0]


def test_retry_after_is_capped(client, fake_wikidata, waits):
    fake_wikidata.script.behaviours = ["429"]
    fake_wikidata.script.retry_after = "3600"
    client.max_wait = 30
    client.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert waits == [30]


def test_gives_up_after_its_attempts(client, fake_wikidata, waits):
    fake_wikidata.script.behaviours = ["429"] * 5
    with pytest.raises(LinkingError, match=r"HTTP 429; gave up after 3 attempts"):
        client.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert len(fake_wikidata.script.requests) == 3
    assert len(waits) == 2


def test_a_hanging_endpoint_times_out(fake_wikidata, waits):
    fake_wikidata.script.behaviours = ["hang", "hang"]
    client = WikidataClient(
        fake_wikidata.url, USER_AGENT, timeout=0.3, attempts=2, sleep=waits.append
    )
    started = time.monotonic()
    with pytest.raises(LinkingError, match=r"no answer within 0.3 s; gave up after 2 attempts"):
        client.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert time.monotonic() - started < 3
    assert waits == [1.0]


def test_a_timeout_then_an_answer_succeeds(fake_wikidata, waits):
    fake_wikidata.script.behaviours = ["hang"]
    client = WikidataClient(fake_wikidata.url, USER_AGENT, timeout=0.3, sleep=waits.append)
    assert len(client.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")) == 1


def test_a_bad_query_is_not_retried(client, fake_wikidata):
    with pytest.raises(LinkingError):
        client.select("SELECT nonsense")
    assert len(fake_wikidata.script.requests) == 1


def test_an_unreachable_endpoint_is_a_linking_error(waits):
    client = WikidataClient("http://127.0.0.1:9/sparql", USER_AGENT, attempts=2, sleep=waits.append)
    with pytest.raises(LinkingError, match="cannot connect"):
        client.select("SELECT * WHERE { ?s ?p ?o }")


def test_retry_after_as_an_http_date():
    later = datetime.now(UTC) + timedelta(seconds=120)
    wait = _retry_after({"Retry-After": format_datetime(later, usegmt=True)})
    assert 100 < wait <= 120
    assert _retry_after({"Retry-After": "soon"}) is None
    assert _retry_after({"Retry-After": "\u00b2"}) is None  # passes str.isdigit()
    assert _retry_after({}) is None


@pytest.mark.parametrize(
    ("lexical", "year"),
    [
        ("1944-03-05T00:00:00Z", 1944),
        ("+1891-01-15T00:00:00Z", 1891),
        ("-0043-03-15", -43),
        ("x", None),
        ("\u00b2-01-01", None),  # passes str.isdigit(), not int()
    ],
)
def test_years_of_wikidata_dates(lexical, year):
    assert year_of(lexical) == year


@pytest.mark.parametrize("failure", ["drop", "truncate"])
def test_a_dropped_or_cut_answer_is_retried_with_back_off(client, fake_wikidata, waits, failure):
    """A connection closed before the status line (RemoteDisconnected) or in the middle of the
    body (IncompleteRead) is the network's fault, like a 503: wait and ask again."""
    fake_wikidata.script.behaviours = [failure, failure]
    rows = client.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert len(rows) == 1
    assert waits == [0.5, 1.0]
    assert len(fake_wikidata.script.requests) == 3


@pytest.mark.parametrize(
    ("failure", "reason"),
    [("drop", "connection closed without an answer"), ("truncate", "answer cut short")],
)
def test_a_connection_that_keeps_failing_gives_up_with_a_message(
    client, fake_wikidata, waits, failure, reason
):
    fake_wikidata.script.behaviours = [failure] * 5
    with pytest.raises(LinkingError, match=rf"{reason}.*; gave up after 3 attempts"):
        client.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert len(fake_wikidata.script.requests) == 3
