"""The remote store: any SPARQL 1.1 endpoint, spoken to over the SPARQL Protocol.

The remote engine serializes its own answers, as pyoxigraph does for the embedded store; this
class only forwards the request (dataset parameters, Accept, time limit) and maps the answer's
status to Carnets' errors. Plain urllib keeps the raw bytes and the exact media type, which
SPARQLWrapper's result wrappers would otherwise parse.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import BinaryIO

from carnets.conneg import GRAPHS, N_QUADS, N_TRIPLES, RESULTS, SPARQL_JSON, TRIG
from carnets.errors import QueryError, QueryRefused, QueryTimeout
from carnets.store.base import DESCRIBE_RESOURCE, QueryResult, is_safe_iri
from carnets.store.query_text import read_query, refuse_unsafe_services


class RemoteStore:
    """A Store backed by a SPARQL 1.1 query endpoint (read-only: updates are never sent).

    The remote engine makes its own SERVICE calls, out of this server's reach, so every query
    is read strictly before it is sent: only calls to `service_allow` pass.
    """

    def __init__(
        self,
        endpoint: str,
        base: str,
        *,
        user_agent: str = "Carnets",
        timeout: float = 30.0,
        service_allow: Sequence[str] = (),
    ) -> None:
        self.endpoint = endpoint
        self.base = base
        self.user_agent = user_agent
        self.timeout = timeout
        self.service_allow = frozenset(service_allow)

    def _post(self, text: str, accept: str, params: Sequence[tuple[str, str]], timeout: float):
        body = urllib.parse.urlencode([("query", text), *params]).encode("utf-8")
        request = urllib.request.Request(
            self.endpoint,
            data=body,
            method="POST",
            headers={
                "Accept": accept,
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": self.user_agent,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read(), response.headers
        except urllib.error.HTTPError as error:
            message = error.read().decode("utf-8", "replace").strip() or error.reason
            if error.code in (408, 503, 504):
                raise QueryTimeout(f"the remote endpoint gave up: {message}") from None
            if error.code == 403:
                raise QueryRefused(message) from None
            raise QueryError(message) from None
        except TimeoutError:
            raise QueryTimeout(f"the remote endpoint did not answer within {timeout:g} s") from None
        except urllib.error.URLError as error:
            raise QueryError(f"the remote endpoint could not be reached: {error.reason}") from None

    def query(
        self,
        text: str,
        media_type: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        info = read_query(text)
        if info.is_update:
            raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted")
        refuse_unsafe_services(info, self.service_allow, networked=True)
        params = [("default-graph-uri", g) for g in default_graphs]
        params += [("named-graph-uri", g) for g in named_graphs]
        capped = (
            info.form == "SELECT"
            and max_rows is not None
            and (info.limit is None or info.limit > max_rows)
        )
        sent = info.with_limit(max_rows + 1) if capped else text
        body, _ = self._post(sent, media_type, params, timeout or self.timeout)
        form = info.form or "SELECT"
        if capped and form == "SELECT" and _rows_json(body, media_type) > max_rows:
            body, _ = self._post(
                info.with_limit(max_rows), media_type, params, timeout or self.timeout
            )
            return QueryResult(body, media_type, form, truncated=max_rows)
        return QueryResult(body, media_type, "CONSTRUCT" if form == "DESCRIBE" else form)

    def describe(self, iri: str, media_type: str) -> bytes | None:
        if not is_safe_iri(iri):
            return None
        text = DESCRIBE_RESOURCE.replace("?r ", f"<{iri}> ")
        body, _ = self._post(text, media_type, [], self.timeout)
        check, _ = self._post(f"ASK {{ <{iri}> ?p ?o }}", SPARQL_JSON, [], self.timeout)
        known = b"true" in check
        if not known:
            check, _ = self._post(f"ASK {{ ?s ?p <{iri}> }}", SPARQL_JSON, [], self.timeout)
            known = b"true" in check
        return body if known else None

    def graph_names(self) -> list[str]:
        return sorted(self.triple_counts())

    def triple_counts(self) -> dict[str, int]:
        import json

        body, _ = self._post(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
            SPARQL_JSON,
            [],
            self.timeout,
        )
        rows = json.loads(body)["results"]["bindings"]
        return dict(sorted((r["g"]["value"], int(r["n"]["value"])) for r in rows))

    def dump(self, output: BinaryIO, media_type: str) -> None:
        if media_type in (N_QUADS, TRIG):
            # N-Triples of each graph, with the graph's IRI added to every line.
            for graph in self.graph_names():
                body, _ = self._post(
                    f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                    N_TRIPLES,
                    [],
                    self.timeout,
                )
                for line in body.splitlines():
                    if line.strip():
                        output.write(line.rstrip()[:-1].rstrip() + f" <{graph}> .\n".encode())
            return
        accept = media_type if media_type in GRAPHS.canonical() else N_TRIPLES
        body, _ = self._post("CONSTRUCT WHERE { ?s ?p ?o }", accept, [], self.timeout)
        output.write(body)

    def close(self) -> None:
        pass


def _rows_json(body: bytes, media_type: str) -> int:
    """Rows in a results body, counted by the same parser the embedded store uses."""
    import pyoxigraph as ox

    if media_type not in RESULTS.canonical() or media_type == "text/csv":
        return body.count(b"\n") - 1
    return sum(
        1 for _ in ox.parse_query_results(body, ox.QueryResultsFormat.from_media_type(media_type))
    )
