"""Scaling out: two `carnets serve` replicas on one release behind nginx, as the README has it.

The replicas are stateless (every one opens the same release read-only), so any of them may
answer any request with the same answer; the proxy routes around one that dies; and each
replica's admission limits see the client that the proxy forwarded, not the proxy.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.client import HTTPConnection

from proxy import Cluster, eventually, launch_nginx
from rdflib import Graph
from rdflib.compare import isomorphic

PEOPLE = """PREFIX cn: <https://w3id.org/carnets/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?name WHERE { ?person a cn:Person ; skos:prefLabel ?name } ORDER BY ?name"""
SPARQL = "/sparql?" + urllib.parse.urlencode({"query": PEOPLE})
RESOURCE = "/person/max-jacob"
TURTLE = {"Accept": "text/turtle"}
JSON = {"Accept": "application/sparql-results+json"}
HTML = {"Accept": "text/html"}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def replica(self) -> str:
        """The replica that gave this answer: the last one nginx tried."""
        return self.headers["x-upstream"].split(",")[-1].strip()


def get(
    cluster: Cluster, path: str, headers: dict | None = None, source: str = "", port: int = 0
) -> Answer:
    """A GET through the proxy (or another on `port`), from `source` (another loopback
    address: another client, as far as nginx knows)."""
    connection = HTTPConnection(
        "127.0.0.1",
        port or cluster.proxy.port,
        timeout=30,
        source_address=(source, 0) if source else None,
    )
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        received = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, received, response.read())
    finally:
        connection.close()


def by_replica(answers: list[Answer]) -> dict[str, list[Answer]]:
    grouped: dict[str, list[Answer]] = {}
    for answer in answers:
        grouped.setdefault(answer.replica, []).append(answer)
    return grouped


def test_both_replicas_answer_queries_and_pages(replicas):
    marks = [replica.mark() for replica in replicas.replicas]
    answers = [get(replicas, SPARQL, JSON) for _ in range(4)]
    answers += [get(replicas, RESOURCE, TURTLE) for _ in range(4)]
    assert [answer.status for answer in answers] == [200] * 8

    def logged():
        return [r.requests(since) for r, since in zip(replicas.replicas, marks, strict=True)]

    assert eventually(lambda: sum(map(len, logged())) == 8), logged()
    for requests in logged():
        paths = [request.path.split("?")[0] for request in requests]
        assert paths.count("/sparql") >= 1 and paths.count(RESOURCE) >= 1, paths


def test_answers_are_the_same_whichever_replica_answers(replicas):
    both = {replica.address for replica in replicas.replicas}
    for path, headers in ((SPARQL, JSON), (RESOURCE, TURTLE), (RESOURCE, HTML)):
        answers = by_replica([get(replicas, path, headers) for _ in range(4)])
        assert set(answers) == both, path
        first, second = (group[0] for group in answers.values())
        assert first.status == second.status == 200
        assert first.headers.get("etag") == second.headers.get("etag"), path
        if headers is TURTLE:  # the same graph (the bytes: see the expected failure below)
            assert isomorphic(
                Graph().parse(data=first.body, format="turtle"),
                Graph().parse(data=second.body, format="turtle"),
            )
        else:
            assert first.body == second.body, path
        if headers is JSON:
            names = [row["name"]["value"] for row in json.loads(first.body)["results"]["bindings"]]
            assert names == ["Max Jacob", "Osip Mandelstam", "Victor Serge"]

    # A cache that validated its copy at one replica is told 304 by every other one.
    etag = get(replicas, RESOURCE, TURTLE).headers["etag"]
    answers = [get(replicas, RESOURCE, {**TURTLE, "If-None-Match": etag}) for _ in range(2)]
    assert [answer.status for answer in answers] == [304, 304]
    assert {answer.replica for answer in answers} == both


def test_a_description_is_the_same_bytes_at_every_replica(replicas):
    answers = by_replica([get(replicas, RESOURCE, TURTLE) for _ in range(2)])
    assert len(answers) == 2
    first, second = (group[0] for group in answers.values())
    assert first.body == second.body


def runaways(cluster: Cluster, port: int, clients: int = 2) -> list[Answer]:
    """Runaway queries sent at once through the proxy on `port`, from `clients` clients."""
    answers: list[Answer] = []

    def send(source: str) -> None:
        path = "/sparql?" + urllib.parse.urlencode({"query": f"{RUNAWAY} # {source}"})
        answers.append(get(cluster, path, JSON, source=source, port=port))

    threads = [threading.Thread(target=send, args=(f"127.0.0.{10 + n}",)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_a_query_out_of_time_leaves_its_replica_in_rotation(replicas):
    """A replica answers 503 to a query that ran past its time limit: the proxy passes that on,
    neither retrying the query at another replica nor counting the replica as failed."""
    for answer in runaways(replicas, replicas.proxy.port):
        assert answer.status == 503 and answer.headers["retry-after"]
        assert "," not in answer.headers["x-upstream"], "the query was tried twice"
    after = [get(replicas, SPARQL, JSON) for _ in range(4)]
    assert [answer.status for answer in after] == [200] * 4
    assert {answer.replica for answer in after} == {r.address for r in replicas.replicas}


def test_retrying_503_would_let_two_runaway_queries_cut_everyone_off(replicas, tmp_path):
    """Why the README's proxy_next_upstream leaves out http_503: with it, a runaway query's
    503 marks its replica failed and is retried at the next, so two of them at once leave
    nginx with no replica for `fail_timeout`, and every client gets 502."""
    addresses = [replica.address for replica in replicas.replicas]
    proxy = launch_nginx(tmp_path, addresses, next_upstream="error timeout http_503")
    try:
        proxy.wait_until_ready()
        runaways(replicas, proxy.port)
        after = [get(replicas, SPARQL, JSON, port=proxy.port) for _ in range(4)]
        assert [answer.status for answer in after] == [502] * 4
        assert "no live upstreams" in proxy.log.read_text()
    finally:
        proxy.stop()


def test_the_proxy_routes_around_a_killed_replica(doomed_replicas, timings):
    doomed, survivor = doomed_replicas.replicas
    mark = survivor.mark()
    assert {get(doomed_replicas, SPARQL, JSON).replica for _ in range(2)} == {
        doomed.address,
        survivor.address,
    }
    workers = doomed.descendants()
    assert workers, "the replica runs its queries in worker processes"

    doomed.kill()
    started = time.monotonic()
    answers = [
        get(doomed_replicas, *request) for request in ((SPARQL, JSON), (RESOURCE, TURTLE)) * 5
    ]
    seconds = timings["failover"] = time.monotonic() - started

    assert [answer.status for answer in answers] == [200] * 10
    assert {answer.replica for answer in answers} == {survivor.address}
    assert seconds < 5, f"10 requests took {seconds:.1f} s"
    assert eventually(lambda: len(survivor.requests(mark)) == 1 + 10), survivor.requests(mark)
    errors = doomed_replicas.proxy.log.read_text()
    assert "Connection refused" in errors and "temporarily disabled" in errors
    # nothing of the killed replica lives on, holding memory
    assert eventually(lambda: not any(map(_alive, workers))), set(filter(_alive, workers))


def test_each_client_has_its_own_budget_at_each_replica(limited_replicas):
    cluster = limited_replicas
    marks = [replica.mark() for replica in cluster.replicas]
    ask = "/sparql?query=ASK%7B%7D"
    greedy = [get(cluster, ask, JSON, source="127.0.0.2") for _ in range(8)]
    statuses = [answer.status for answer in greedy]
    # a burst of 2 at each of the two replicas: admission is counted per replica
    assert statuses[:4] == [200] * 4, statuses
    assert 429 in statuses[4:], statuses
    refused = next(answer for answer in greedy if answer.status == 429)
    assert int(refused.headers["retry-after"]) >= 1

    # another client has a budget of its own ...
    assert [get(cluster, ask, JSON, source="127.0.0.3").status for _ in range(2)] == [200, 200]
    # ... and a client cannot take one by naming another address: nginx appends the address
    # it saw, and the replicas trust only that last one
    forged = get(cluster, ask, {**JSON, "X-Forwarded-For": "203.0.113.9"}, source="127.0.0.2")
    assert forged.status == 429

    def clients():
        seen = [r.requests(since) for r, since in zip(cluster.replicas, marks, strict=True)]
        return {request.client for requests in seen for request in requests}

    assert eventually(lambda: clients() == {"127.0.0.2", "127.0.0.3"}), clients()


def _alive(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie is dead: only its parent's wait is missing)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
