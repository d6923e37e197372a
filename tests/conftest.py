"""Fixtures shared by the whole suite: the shipped edition, as files and in a real engine; the
small web test edition and its release (for tests/web and tests/remote); and endpoints on
127.0.0.1 that SERVICE attacks aim at."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest

from carnets.config import Settings
from carnets.export import Release, prepare_release
from carnets.loading import EditionFiles

FIXTURES = Path(__file__).parent / "fixtures"
WEB_EDITION = Path(__file__).parent / "web" / "fixtures" / "edition"


@pytest.fixture(scope="session")
def shipped() -> Settings:
    """Settings for the edition in this repository, whatever the environment says."""
    return Settings.from_env(environ={})


@pytest.fixture(scope="session")
def shipped_store(shipped: Settings) -> ox.Store:
    """The shipped edition in pyoxigraph, one named graph per part, as the server holds it."""
    store = ox.Store()
    for graph, paths in EditionFiles.find(shipped).by_graph(shipped.base).items():
        for path in paths:
            store.load(
                path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(graph))
            )
    return store


@dataclass
class Report:
    """A validation report as carnets.validation gives one; the fixture edition has no shapes."""

    conforms: bool
    message: str = "Conforms: True"

    def text(self) -> str:
        return self.message


def conforming(settings: Settings) -> Report:
    return Report(True)


@pytest.fixture(scope="session")
def edition_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("edition")
    shutil.copytree(WEB_EDITION, root, dirs_exist_ok=True)
    return root


@pytest.fixture(scope="session")
def settings(edition_root: Path) -> Settings:
    # A short time limit keeps the runaway-query tests quick; a low row cap lets them bite.
    # No rate limit or per-client cap: every test request comes from 127.0.0.1 (the
    # admission tests set their own).
    return Settings.from_env(
        {},
        root=edition_root,
        query_timeout=1.5,
        max_rows=50,
        rate_limit=0,
        client_queries=0,
    )


@pytest.fixture(scope="session")
def release(settings: Settings) -> Release:
    return prepare_release(settings, validate=conforming)


_CANARY_ROW = {
    "head": {"vars": ["canary"]},
    "results": {"bindings": [{"canary": {"type": "literal", "value": "CANARY"}}]},
}


class Canary(ThreadingHTTPServer):
    """A SPARQL endpoint on 127.0.0.1 that must hear nothing unless a test says otherwise.

    It records every connection as it is accepted, before a byte is read, and answers any
    request with one result row whose value is CANARY, so that a call that got through shows
    in the response too.
    """

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _CanaryHandler)
        self.connections: list[tuple[str, int]] = []
        self.requests: list[str] = []

    def get_request(self):
        connection, address = super().get_request()
        self.connections.append(address)
        return connection, address

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    @property
    def url(self) -> str:
        return self.root + "sparql"


class _CanaryHandler(BaseHTTPRequestHandler):
    server: Canary

    def log_message(self, format: str, *args) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.requests.append(self.path + " " + self.rfile.read(length).decode("latin-1"))
        body = json.dumps(_CANARY_ROW).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer


def _serve(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def canary() -> Iterator[Canary]:
    """The endpoint that attacks aim at; tests compare len(canary.connections) before and after."""
    yield from _serve(Canary())


@pytest.fixture(scope="session")
def allowed_endpoint() -> Iterator[Canary]:
    """A second listener, the one endpoint a test's allow-list names."""
    yield from _serve(Canary())


# A release of the small test edition and embedded stores over it, for tests/store and
# tests/services: one with query workers, one that runs queries in this process.
STORE_FIXTURE = Path(__file__).parent / "web" / "fixtures" / "edition"


@pytest.fixture(scope="session")
def store_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("store-edition")
    shutil.copytree(STORE_FIXTURE, root, dirs_exist_ok=True)
    return Settings.from_env({}, root=root)


@pytest.fixture(scope="session")
def store_release(store_settings: Settings) -> Release:
    from carnets.validation import validate

    return prepare_release(store_settings, validate=validate)


@pytest.fixture(scope="session")
def pooled(store_settings: Settings, store_release: Release) -> Iterator:
    from carnets.store.embedded import EmbeddedStore

    store = EmbeddedStore(store_release.store_path, store_settings.base, workers=2)
    yield store
    store.close()


@pytest.fixture(scope="session")
def in_process(store_settings: Settings, store_release: Release) -> Iterator:
    from carnets.store.embedded import EmbeddedStore

    store = EmbeddedStore(store_release.store_path, store_settings.base, workers=0)
    yield store
    store.close()
