"""Loading a release into a remote SPARQL engine (`carnets load --into URL`).

The release's N-Quads dump is read as a stream and sent graph by graph. The SPARQL 1.1 Graph
Store HTTP Protocol comes first: the first request for a graph is a PUT, which replaces the
graph whole, so loading twice leaves the same triples; later requests for the same graph are
POSTs, which add to it. SPARQL Update (DROP SILENT GRAPH, then INSERT DATA) is the fallback
for engines without a graph store. Every request carries at most `chunk` triples, so no graph
is ever one giant request; triples that share a blank node always travel together, since a
blank node's label means the same node only within one request.

Loading is not atomic: while it runs, a reader may see a graph partly loaded.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from carnets.errors import CarnetsError

GRAPH_STORE_CHUNK = 20_000
# Virtuoso 7.2's SPARQL parser runs out of stack at about 5,000 triples in one INSERT DATA.
UPDATE_CHUNK = 1_000
N_TRIPLES = "application/n-triples"
TURTLE = "text/turtle"


class LoadError(CarnetsError):
    """The remote engine could not be reached, refused a request or answered with an error."""


@dataclass
class GraphLoad:
    """What was sent for one named graph, and how."""

    graph: str
    triples: int = 0
    requests: int = 0
    method: str = "graph store"


@dataclass(frozen=True)
class Chunk:
    """N-Triples lines for one request; `first` replaces the graph, the others add to it."""

    graph: str
    lines: list[bytes]
    first: bool
    blank_nodes: bool

    @property
    def body(self) -> bytes:
        return b"".join(self.lines)


class RemoteEngine:
    """HTTP to one remote engine, authenticating before a body is sent.

    Virtuoso answers an unauthenticated request with 401 and closes the connection before
    reading the body, so a large PUT cannot simply be retried after the challenge, as urllib's
    handlers do. Instead a HEAD first asks whether and how to authenticate, and a second HEAD
    checks the answer, so that missing or wrong credentials fail before any data is sent;
    every later request carries the answer (Digest with the next nonce count, or Basic).
    """

    def __init__(
        self,
        *,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 300.0,
        user_agent: str = "Carnets",
    ) -> None:
        self.user = user
        self.password = password or ""
        self.timeout = timeout
        self.user_agent = user_agent
        self._challenge: dict[str, str] | None = None
        self._digest: urllib.request.HTTPDigestAuthHandler | None = None
        self._basic = False
        self._probed = False

    def send(self, method: str, url: str, body: bytes | None, content_type: str) -> int:
        """The status of `method url`; LoadError for anything but 2xx, 404, 405, 415, 501.

        Those four statuses say that this route does not take this kind of load, which the
        caller answers by falling back, so they are returned rather than raised.
        """
        if not self._probed:
            self._authenticate(url)
        for retry in (False, True):
            try:
                status = self._status(self._request(method, url, body, content_type))
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                if retry or self.user is None:
                    raise LoadError(f"{url} could not be reached: {_reason(error)}") from None
                # Refused before the body was read, as Virtuoso does once a nonce is stale.
                status = 401
            if status != 401:
                break
            if retry or self.user is None:
                raise self._refused(url)
            self._authenticate(url)
        return status

    def _status(self, request: urllib.request.Request) -> int:
        """The answer's status; LoadError for errors other than 401 and the fallback ones."""
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            message = error.read().decode("utf-8", "replace").strip()
            if error.code in (401, 404, 405, 415, 501):
                return error.code
            raise LoadError(
                f"{request.full_url} answered {error.code}: {_first_line(message)}"
            ) from None

    def _refused(self, url: str) -> LoadError:
        if self.user is None:
            return LoadError(f"{url} asks for a user and password")
        return LoadError(f"{url} refused the credentials of {self.user!r}")

    def _request(
        self, method: str, url: str, body: bytes | None, content_type: str
    ) -> urllib.request.Request:
        headers = {"User-Agent": self.user_agent}
        if body is not None:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        if self._digest is not None and self._challenge is not None:
            answer = self._digest.get_authorization(request, self._challenge)
            if answer:
                request.add_unredirected_header("Authorization", f"Digest {answer}")
        elif self._basic:
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            request.add_unredirected_header("Authorization", f"Basic {token}")
        return request

    def _authenticate(self, url: str) -> None:
        """Learn the scheme from the engine's challenge, then check the credentials."""
        self._probed = True
        try:
            with urllib.request.urlopen(self._request("HEAD", url, None, ""), timeout=self.timeout):
                return  # no authentication asked for
        except urllib.error.HTTPError as error:
            if error.code != 401:
                return
            if self.user is None:
                raise self._refused(url) from None
            self._remember(error.headers.get("WWW-Authenticate", ""), url)
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            raise LoadError(f"{url} could not be reached: {_reason(error)}") from None
        if self._status(self._request("HEAD", url, None, "")) == 401:
            raise self._refused(url)

    def _remember(self, header: str, url: str) -> None:
        scheme, _, params = header.strip().partition(" ")
        if scheme.lower() == "digest":
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            root = urllib.parse.urlsplit(url)._replace(path="/", query="").geturl()
            passwords.add_password(None, root, self.user, self.password)
            self._digest = urllib.request.HTTPDigestAuthHandler(passwords)
            self._challenge = urllib.request.parse_keqv_list(urllib.request.parse_http_list(params))
        else:
            self._basic = True


def _reason(error: Exception) -> object:
    return getattr(error, "reason", error)


def _first_line(message: str) -> str:
    return message.splitlines()[0] if message else "(no message)"


def read_chunks(path: Path, chunk: int) -> Iterator[Chunk]:
    """The dump's triples as requests of at most `chunk` triples, graph by graph.

    Triples without blank nodes are sent as they are read; those with blank nodes are kept
    until the end of the file and grouped so that no blank node is split between requests.
    """
    batches: dict[str, list[bytes]] = defaultdict(list)
    with_blanks: dict[str, list[tuple[bytes, list[str]]]] = defaultdict(list)
    started: set[str] = set()

    def emit(graph: str, lines: list[bytes], blank_nodes: bool = False) -> Chunk:
        first = graph not in started
        started.add(graph)
        return Chunk(graph, lines, first, blank_nodes)

    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise LoadError(
                f"{path}: a triple in the default graph ({quad.triple}); "
                "a release keeps every triple in a named graph"
            )
        graph = quad.graph_name.value
        line = f"{quad.triple} .\n".encode()
        blanks = [t.value for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode)]
        if blanks:
            with_blanks[graph].append((line, blanks))
            continue
        batch = batches[graph]
        batch.append(line)
        if len(batch) >= chunk:
            yield emit(graph, batch)
            batches[graph] = []
    for graph in sorted(batches.keys() | with_blanks.keys()):
        if batches.get(graph):
            yield emit(graph, batches[graph])
        pending: list[bytes] = []
        for group in _blank_node_groups(with_blanks.get(graph, [])):
            pending.extend(group)
            if len(pending) >= chunk:
                yield emit(graph, pending, blank_nodes=True)
                pending = []
        if pending:
            yield emit(graph, pending, blank_nodes=True)


def _blank_node_groups(lines: Iterable[tuple[bytes, list[str]]]) -> list[list[bytes]]:
    """Lines grouped so that lines sharing a blank node, directly or through others, are
    in one group (union-find over the blank nodes' labels)."""
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        parent.setdefault(label, label)
        while parent[label] != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    pairs = list(lines)
    for _, labels in pairs:
        for other in labels[1:]:
            parent[root(other)] = root(labels[0])
    groups: dict[str, list[bytes]] = defaultdict(list)
    for line, labels in pairs:
        groups[root(labels[0])].append(line)
    return list(groups.values())


def _graph_url(graph_store: str, graph: str) -> str:
    separator = "&" if "?" in graph_store else "?"
    return f"{graph_store}{separator}graph={urllib.parse.quote(graph, safe='')}"


def _update_text(chunk: Chunk) -> str:
    triples = chunk.body.decode("utf-8")
    # INSERT DATA may hold blank nodes, but Virtuoso 7.2 refuses them there ("not allowed in a
    # constant clause"); a template with an empty WHERE makes the same fresh nodes everywhere.
    if chunk.blank_nodes:
        insert = f"INSERT {{ GRAPH <{chunk.graph}> {{\n{triples}}} }} WHERE {{}}"
    else:
        insert = f"INSERT DATA {{ GRAPH <{chunk.graph}> {{\n{triples}}} }}"
    return f"DROP SILENT GRAPH <{chunk.graph}> ;\n{insert}" if chunk.first else insert


def _send_update(engine: RemoteEngine, update_url: str, chunk: Chunk) -> None:
    form = urllib.parse.urlencode({"update": _update_text(chunk)}).encode("utf-8")
    status = engine.send("POST", update_url, form, "application/x-www-form-urlencoded")
    if status >= 300:
        raise LoadError(f"{update_url} does not take SPARQL Update (it answered {status})")


def _rechunk(chunks: Iterable[Chunk], size: int) -> Iterator[Chunk]:
    """The same chunks cut to at most `size` triples (blank-node chunks stay whole)."""
    for chunk in chunks:
        if chunk.blank_nodes or len(chunk.lines) <= size:
            yield chunk
            continue
        for start in range(0, len(chunk.lines), size):
            yield Chunk(
                chunk.graph, chunk.lines[start : start + size], chunk.first and start == 0, False
            )


def load_dump(
    path: Path,
    update_url: str | None,
    *,
    graph_store: str | None = None,
    engine: RemoteEngine | None = None,
    chunk: int = GRAPH_STORE_CHUNK,
) -> list[GraphLoad]:
    """Load the N-Quads at `path` into the engine, replacing each of its named graphs.

    With `graph_store` the Graph Store Protocol is used until the engine says it does not
    take it (404, 405, 501; 415 for N-Triples is retried as Turtle); then, or without it,
    SPARQL Update goes to `update_url`.
    """
    if graph_store is None and update_url is None:
        raise LoadError("give the engine's SPARQL Update endpoint or its graph store")
    engine = engine or RemoteEngine()
    loads: dict[str, GraphLoad] = {}
    media_type = N_TRIPLES
    use_graph_store = graph_store is not None
    for piece in read_chunks(path, chunk):
        load = loads.setdefault(piece.graph, GraphLoad(piece.graph))
        if use_graph_store:
            assert graph_store is not None
            url = _graph_url(graph_store, piece.graph)
            method = "PUT" if piece.first else "POST"
            status = engine.send(method, url, piece.body, media_type)
            if status == 415 and media_type == N_TRIPLES:
                media_type = TURTLE  # N-Triples is Turtle
                status = engine.send(method, url, piece.body, media_type)
            if status < 300:
                load.triples += len(piece.lines)
                load.requests += 1
                continue
            if update_url is None or not piece.first:
                raise LoadError(f"{graph_store} does not take this graph (it answered {status})")
            use_graph_store = False
        load.method = "SPARQL Update"
        for part in _rechunk([piece], min(chunk, UPDATE_CHUNK)):
            assert update_url is not None
            _send_update(engine, update_url, part)
            load.triples += len(part.lines)
            load.requests += 1
    return list(loads.values())
