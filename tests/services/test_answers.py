"""Answers kept for repeated queries: the same bytes without the engine, never what may change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from carnets.errors import QueryError
from carnets.services.answers import Answers
from carnets.services.publisher import Publisher
from carnets.services.queries import QueryService
from carnets.store.base import QueryRequest, QueryResult
from carnets.store.remote import RemoteStore

JSON = "application/sparql-results+json"
TSV = "text/tab-separated-values"


class Counting:
    """The real store, with a count of the queries that reached it."""

    def __init__(self, store) -> None:
        self.store = store
        self.executed: list[str] = []

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    def execute(self, request: QueryRequest, timeout: float) -> QueryResult:
        self.executed.append(request.text)
        return self.store.execute(request, timeout)


@pytest.fixture
def counting(in_process) -> Counting:
    return Counting(in_process)


@pytest.fixture
def service(counting) -> QueryService:
    return QueryService(counting, max_rows=7, timeout=10, answers=Answers(1 << 20))


def test_a_repeated_query_is_answered_without_the_engine(service, counting):
    text = "SELECT ?s WHERE { ?s a ?type } ORDER BY ?s LIMIT 3"
    first = service.query(text, JSON)
    second = service.query(text, JSON)
    assert second.body == first.body and b'"bindings"' in first.body
    assert len(counting.executed) == 1
    assert (service.answers.hits, service.answers.misses) == (1, 1)


def test_the_format_and_the_dataset_are_part_of_the_question(service, counting):
    text = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 2"
    service.query(text, JSON)
    service.query(text, TSV)
    graph = sorted(service.store.graph_names())[0]
    service.query(text, JSON, default_graphs=[graph])
    assert len(counting.executed) == 3


def test_a_cut_answer_is_kept_with_its_cut(service, counting):
    text = "SELECT * WHERE { ?s ?p ?o }"
    first = service.query(text, TSV)
    again = service.query(text, TSV)
    assert first.truncated == again.truncated == 7
    assert again.body == first.body
    assert len(counting.executed) == 2  # the first answer had one row too many: cut, then kept


@pytest.mark.parametrize(
    "text",
    [
        "SELECT (RAND() AS ?r) WHERE {}",
        "SELECT (now () AS ?t) WHERE {}",
        "SELECT (STRUUID() AS ?u) WHERE {}",
        "CONSTRUCT { ?s <urn:p> ?b } WHERE { ?s a ?t BIND(BNODE() AS ?b) } LIMIT 1",
    ],
)
def test_an_answer_that_changes_from_run_to_run_is_never_kept(service, counting, text):
    media_type = "application/n-triples" if text.startswith("CONSTRUCT") else JSON
    service.query(text, media_type)
    service.query(text, media_type)
    assert len(counting.executed) == 2
    assert len(service.answers) == 0


def test_the_least_recently_used_answers_go_first():
    answers = Answers(max_bytes=100, max_entry=60)
    request = QueryRequest("SELECT * WHERE {}", JSON)
    keys = [Answers.key(replace(request, text=f"SELECT * WHERE {{}} LIMIT {n}")) for n in range(4)]
    for key in keys[:2]:
        answers.put(key, QueryResult(b"x" * 40, JSON, "SELECT"))
    assert answers.get(keys[0]) is not None  # now the most recently used
    answers.put(keys[2], QueryResult(b"y" * 40, JSON, "SELECT"))
    assert answers.get(keys[1]) is None and answers.get(keys[0]) is not None
    assert answers.size == 80
    answers.put(keys[3], QueryResult(b"z" * 61, JSON, "SELECT"))  # too big to keep
    assert answers.get(keys[3]) is None and answers.size == 80


def test_no_answers_are_kept_for_a_remote_engine_or_when_turned_off(settings, in_process):
    remote = RemoteStore("http://127.0.0.1:9/sparql", settings.base, timeout=1)
    assert Publisher(settings, remote, None).answers is None
    off = replace(settings, result_cache=0)
    assert Publisher(off, in_process, None).answers is None
    assert Publisher(settings, in_process, None).answers is not None


def test_a_query_sent_again_is_not_read_again_and_a_refusal_stays_one(service):
    text = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
    assert service.prepare(text) is service.prepare(text)
    other = service.prepare(text, default_graphs=["urn:g"])
    assert other is not service.prepare(text) and other.request.default_graphs == ("urn:g",)
    for _ in range(2):
        with pytest.raises(QueryError, match="SPARQL Update"):
            service.prepare("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
