"""Fixtures for the linking tests: a real SPARQL endpoint on 127.0.0.1 over a Wikidata-shaped graph.

The endpoint speaks the SPARQL 1.1 protocol (GET ?query=, POST form or body) and answers from
pyoxigraph, so the linker's real queries run end to end; it can be scripted to answer 429 or
503, to hang, to close the connection without answering, or to cut its answer short, for the
retry and timeout tests. Nothing reaches the internet.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest

from carnets.config import Settings
from carnets.linking.wikidata import WikidataClient

FIXTURES = Path(__file__).parent / "fixtures"
USER_AGENT = "CarnetsTests/0.1 (https://w3id.org/carnets/; tests)"


@dataclass
class Script:
    """What the fake endpoint does with the next requests: a queue of behaviours, then answers."""

    # "429", "503", "500", "hang", "drop" (close without a word), "truncate" (half a body)
    behaviours: list[str] = field(default_factory=list)
    retry_after: str | None = "2"
    hang_seconds: float = 10.0
    requests: list[dict] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_behaviour(self) -> str:
        with self.lock:
            return self.behaviours.pop(0) if self.behaviours else "answer"


class FakeWikidata(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, store: ox.Store, script: Script) -> None:
        super().__init__(("127.0.0.1", 0), SparqlHandler)
        self.store = store
        self.script = script

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sparql"


class SparqlHandler(BaseHTTPRequestHandler):
    server: FakeWikidata

    def log_message(self, format: str, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._answer(parse_qs(urlsplit(self.path).query).get("query", [""])[0], "GET")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
        if self.headers.get("Content-Type", "").startswith("application/sparql-query"):
            query = body
        else:
            query = parse_qs(body).get("query", [""])[0]
        self._answer(query, "POST")

    def _answer(self, query: str, method: str) -> None:
        script = self.server.script
        script.requests.append(
            {"method": method, "user_agent": self.headers.get("User-Agent"), "query": query}
        )
        behaviour = script.next_behaviour()
        if behaviour == "hang":
            script.release.wait(script.hang_seconds)
            return
        if behaviour == "drop":  # the client reads no status line: RemoteDisconnected
            self.close_connection = True
            return
        if behaviour in ("429", "503", "500"):
            self.send_response(int(behaviour))
            if script.retry_after is not None:
                self.send_header("Retry-After", script.retry_after)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            body = self.server.store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
        except SyntaxError as error:
            self._plain(400, str(error))
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if behaviour == "truncate":  # fewer bytes than announced: IncompleteRead
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)

    def _plain(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="session")
def wikidata_store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(FIXTURES / "wikidata.ttl"), format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture
def fake_wikidata(wikidata_store: ox.Store) -> Iterator[FakeWikidata]:
    """A fresh endpoint per test, so that scripted failures never leak between tests."""
    server = FakeWikidata(wikidata_store, Script())
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.script.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def client(fake_wikidata: FakeWikidata, waits: list[float]) -> WikidataClient:
    """A client pointed at the fake endpoint that records its back-off instead of sleeping."""
    return WikidataClient(
        endpoint=fake_wikidata.url,
        user_agent=USER_AGENT,
        timeout=5.0,
        attempts=3,
        backoff=0.5,
        sleep=waits.append,
    )


@pytest.fixture
def edition_root(tmp_path: Path) -> Path:
    """A copy of the fixture edition (data/edition.ttl, data/links.ttl) the test may change."""
    root = tmp_path / "edition"
    shutil.copytree(FIXTURES / "edition", root)
    return root


@pytest.fixture
def settings(edition_root: Path) -> Settings:
    return Settings.from_env({}, root=edition_root)
