"""The query service: reads each scholar's query once and decides what the engine may run.

Every store gets the same refusals (updates, unreadable text, SERVICE calls the policy does not
allow, graphs from elsewhere), the same row cap and the same time limit; a store only runs the
text it is handed. The text is read here once, by carnets.store.query_text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from carnets.errors import QueryBusy, QueryError, QueryTimeout
from carnets.services.admission import Admission
from carnets.services.answers import Answers
from carnets.store.base import QueryRequest, QueryResult, Store
from carnets.store.query_text import (
    UPDATE_WORDS,
    QueryText,
    read_query,
    refuse_unsafe_services,
    tokenize,
)

READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"

# The fewest bytes one result row can take in each format: below (cap + 1) * this, a body
# cannot hold more than `cap` rows, so it need not be counted.
_MIN_ROW_BYTES = {
    "application/sparql-results+json": 3,
    "application/sparql-results+xml": 17,
    "text/csv": 2,
    "text/tab-separated-values": 1,
}


# Readings kept for queries sent again: the most recent, of texts up to this many characters.
_KEPT_READINGS = 1024
_KEPT_TEXT = 8192

_XML_RESULT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?result[\s>/]")


@dataclass(frozen=True)
class PreparedQuery:
    """A query read and allowed: what the engine will run, and the cap to check its rows by."""

    info: QueryText
    request: QueryRequest  # its media type is filled in by `run`
    cap: int | None  # SELECT rows beyond which the answer is cut (it was sent with cap + 1)

    @property
    def form(self) -> str:
        return self.info.form or "SELECT"


class QueryService:
    """Reads, checks and runs scholars' SPARQL queries on one store.

    A graph the request or the query names that the dataset does not have is an empty graph:
    pyoxigraph never fetches one, and the engine-specific syntax a remote engine would fetch
    with (Virtuoso's `define get:soft`) is refused, as no query may start with it. SERVICE calls
    pass only to `service_allow`; where the engine has the network, only when the reading of
    the query is sure of every call.
    """

    def __init__(
        self,
        store: Store,
        *,
        service_allow: Collection[str] = (),
        max_rows: int | None = None,
        timeout: float = 30.0,
        admission: Admission | None = None,
        light_budget: float = 0.0,
        answers: Answers | None = None,
    ) -> None:
        self.store = store
        self.service_allow = frozenset(service_allow)
        self.max_rows = max_rows
        self.timeout = timeout
        self.admission = admission or Admission()
        # The light lane's budget, where the store has lanes (0: every query goes to the
        # general lane).
        self.light_budget = light_budget if getattr(store, "lanes", False) else 0.0
        # Answers already given, for a store that never changes (None: every query runs).
        self.answers = answers
        self._prepared: OrderedDict[tuple, PreparedQuery] = OrderedDict()
        self._lock = threading.Lock()

    def prepare(
        self,
        text: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> PreparedQuery:
        """Read `text` once; raise QueryError or QueryRefused, or return what may run.

        A query sent again (a script polling, the workbench rerun) is not read again: the
        reading of short texts is kept, as the answers are (see carnets.services.answers).
        """
        key = (text, tuple(default_graphs), tuple(named_graphs))
        if len(text) > _KEPT_TEXT:
            return self._prepare(text, key[1], key[2])
        with self._lock:
            found = self._prepared.get(key)
            if found is not None:
                self._prepared.move_to_end(key)
                return found
        prepared = self._prepare(text, key[1], key[2])
        with self._lock:
            self._prepared[key] = prepared
            if len(self._prepared) > _KEPT_READINGS:
                self._prepared.popitem(last=False)
        return prepared

    def _prepare(
        self, text: str, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]
    ) -> PreparedQuery:
        info = read_query(text)
        if info.is_update:
            raise QueryError(_update_is_not_a_query(text))
        if info.form is None:
            raise QueryError(
                "a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE "
                "(after any BASE and PREFIX declarations)"
            )
        federated = bool(info.services)
        refuse_unsafe_services(
            info, self.service_allow, networked=federated or not self.store.sandboxed
        )
        cap = self.max_rows
        capped = (
            info.form == "SELECT" and cap is not None and (info.limit is None or info.limit > cap)
        )
        request = QueryRequest(
            info.with_limit(cap + 1) if capped else text,
            "",
            default_graphs,
            named_graphs,
            union_default=not info.has_dataset_clause,
            federated=federated and self.store.sandboxed,
            form="CONSTRUCT" if info.form == "DESCRIBE" else info.form,
        )
        return PreparedQuery(info, request, cap if capped else None)

    def run(self, prepared: PreparedQuery, media_type: str, client: str = "") -> QueryResult:
        """The engine's answer as `media_type`, cut to the row cap (and saying so) if needed.

        `client` names who sent it, for its standing (see carnets.services.admission).
        """
        request = replace(prepared.request, media_type=media_type)
        key = None
        if self.answers is not None and not prepared.info.services:
            key = self.answers.key(request)
            if key is not None and (answer := self.answers.get(key)) is not None:
                return answer
        result = self._execute(request, client)
        cap = prepared.cap
        if cap is not None and _more_rows_than(result, cap):
            request = replace(request, text=prepared.info.with_limit(cap))
            result = replace(self._execute(request, client), truncated=cap)
        if key is not None:
            self.answers.put(key, result)
        return result

    def _execute(self, request: QueryRequest, client: str) -> QueryResult:
        """The light lane first for a query in good standing, then the general lane."""
        timeout = self.timeout
        budget = min(self.light_budget, timeout)
        if budget > 0 and not request.federated and self.admission.light(client, request.text):
            started = time.monotonic()
            try:
                return self.store.execute(replace(request, lane="light"), budget)
            except QueryBusy:
                pass  # the light lane is full of cheap queries: queue with the others
            except QueryTimeout:
                self.admission.overran(client, request.text)
                if budget >= timeout:
                    raise
            timeout -= time.monotonic() - started
        try:
            return self.store.execute(replace(request, lane="general"), timeout)
        except QueryBusy:
            raise
        except QueryTimeout:  # still looping runaways: stay out of the light lane
            self.admission.overran(client, request.text)
            raise

    def query(self, text: str, media_type: str, **dataset: Sequence[str]) -> QueryResult:
        """prepare() then run(), for callers that know the media type up front."""
        return self.run(self.prepare(text, **dataset), media_type)


def _update_is_not_a_query(text: str) -> str:
    """A parser's message for an update sent as a query: where the update starts, and why.

    Sent as `query`, an update is text that does not parse as a query (a 400), not a request
    to change the data (which the `update` parameter makes, refused with a 403). The message
    is written here: the engine's parser, run in this process, could be crashed by the text.
    """
    words = (
        token
        for token in tokenize(text)
        if token.kind == "word" and token.depth == 0 and token.text.upper() in UPDATE_WORDS
    )
    word = next(words, None)
    at, found = (0, "an update") if word is None else (word.start, word.text)
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return (
        f"error at {line}:{column}: {found} starts a SPARQL Update, which is not a query "
        "(a query is one SELECT, ASK, CONSTRUCT or DESCRIBE; this endpoint is read-only)"
    )


def _more_rows_than(result: QueryResult, cap: int) -> bool:
    """Whether a results body holds more than `cap` rows, counted by reading its syntax.

    Not by pyoxigraph: a remote engine's serialization may be valid for clients yet not for
    pyoxigraph's parser (Virtuoso writes blank nodes as nodeID://...). Counting rows needs no
    term: JSON is parsed, a row of SPARQL XML is a <result> element (a literal's own "<" is
    escaped), CSV is read by the csv module (quoted values may hold line breaks), and TSV has a
    line per row (its values escape line breaks).
    """
    body, media_type = result.body, result.media_type
    if len(body) < (cap + 1) * _MIN_ROW_BYTES[media_type]:
        return False
    if media_type == "application/sparql-results+json":
        rows = len(json.loads(body).get("results", {}).get("bindings", []))
    elif media_type == "application/sparql-results+xml":
        rows = len(_XML_RESULT.findall(body))
    elif media_type == "text/csv":
        rows = sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1
    else:
        rows = len(body.rstrip(b"\r\n").splitlines()) - 1
    return rows > cap
