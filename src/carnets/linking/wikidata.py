"""Talking to a Wikidata SPARQL endpoint: batched look-ups with retries, back-off and timeouts.

The public endpoint throttles with 429 and Retry-After and drops slow queries, and networks
drop connections, so every request goes through one client that waits as it is told, gives up
after a bounded number of attempts, and turns every failure into a LinkingError a user can read.
"""

from __future__ import annotations

import email.utils
import http.client
import socket
import time
import urllib.error
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from rdflib import Literal
from SPARQLWrapper import GET, JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, SPARQLWrapperException

from carnets.errors import LinkingError
from carnets.linking.names import fold

ENTITY = "http://www.wikidata.org/entity/"
SITELINKS = "http://wikiba.se/ontology#sitelinks"  # how many Wikipedias etc. have a page on it
LANGUAGES = ("en", "fr", "ru")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
LONG_QUERY = 1500  # characters: longer queries go by POST so that URLs stay short

PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX wikibase: <http://wikiba.se/ontology#>
"""

# Claims the scorer and the checker read; P17, P131 and P20 also through all their statements,
# so that a city's country in 1944 (the Soviet Union) counts as well as today's.
FACT_PROPERTIES = (
    "P31", "P569", "P570", "P106", "P19", "P20", "P800", "P50", "P170",
    "P577", "P571", "P17", "P131", "P625",
)  # fmt: skip
STATEMENT_PROPERTIES = ("P17", "P131", "P20")


def qid_of(iri: str) -> str:
    """Q42 from http://www.wikidata.org/entity/Q42 (and from a bare Q42)."""
    return iri.rsplit("/", 1)[-1]


def year_of(lexical: str) -> int | None:
    """The year of an xsd:dateTime or xsd:date as Wikidata writes them (signed, any precision)."""
    text = lexical.strip()
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").split("-", 1)[0]
    return sign * int(digits) if _ascii_digits(digits) else None


def _ascii_digits(text: str) -> bool:
    """str.isdigit() alone also takes "²", which int() refuses."""
    return text.isascii() and text.isdigit()


@dataclass
class WikidataItem:
    """What one look-up learned about an item: its names and claims (with value labels)."""

    qid: str
    labels: dict[str, list[str]] = field(default_factory=dict)
    alt_labels: dict[str, list[str]] = field(default_factory=dict)
    description: str = ""
    claims: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    sitelinks: int | None = None  # a measure of how well known the item is, not of identity

    def values(self, pid: str) -> list[str]:
        """QIDs or literal values of a claim."""
        return [value for value, _ in self.claims.get(pid, [])]

    def value_labels(self, pid: str) -> list[str]:
        return [label for _, label in self.claims.get(pid, []) if label]

    def years(self, pid: str) -> list[int]:
        return [y for y in (year_of(v) for v in self.values(pid)) if y is not None]

    def days(self, pid: str) -> list[date]:
        """The claim's values as days, where they are CE dates (year-precision ones read 1 Jan)."""
        found = []
        for value in self.values(pid):
            try:
                found.append(date.fromisoformat(value.lstrip("+")[:10]))
            except ValueError:
                continue
        return found

    @property
    def label(self) -> str:
        for lang in LANGUAGES:
            if self.labels.get(lang):
                return self.labels[lang][0]
        return next((names[0] for names in self.labels.values() if names), self.qid)

    @property
    def all_names(self) -> list[str]:
        return [n for names in (*self.labels.values(), *self.alt_labels.values()) for n in names]

    @property
    def exists(self) -> bool:
        return bool(self.labels or self.claims)


def _retry_after(headers) -> float | None:
    """Seconds to wait from a Retry-After header: a number or an HTTP date."""
    raw = headers.get("Retry-After") if headers is not None else None
    if not raw:
        return None
    raw = raw.strip()
    if _ascii_digits(raw):
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


@dataclass
class WikidataClient:
    """A polite SPARQL client for Wikidata: a User-Agent, timeouts, retries and back-off.

    `sleep` is a parameter so that tests can see the waits without spending them.
    """

    endpoint: str
    user_agent: str
    timeout: float = 30.0
    attempts: int = 4
    backoff: float = 1.0
    max_wait: float = 60.0
    batch_size: int = 40
    sleep: Callable[[float], None] = time.sleep
    requests_made: int = 0

    def select(self, query: str) -> list[dict[str, dict]]:
        """Run a SELECT query; the bindings as the SPARQL JSON results give them."""
        for attempt in range(1, self.attempts + 1):
            try:
                return self._select_once(query)
            except _Retry as retry:
                if attempt == self.attempts:
                    raise LinkingError(
                        f"{self.endpoint}: {retry.reason}; gave up after {attempt} attempts"
                    ) from retry
                wait = retry.wait if retry.wait is not None else self.backoff * 2 ** (attempt - 1)
                self.sleep(min(wait, self.max_wait))
        raise AssertionError("unreachable")

    def _select_once(self, query: str) -> list[dict[str, dict]]:
        sparql = SPARQLWrapper(self.endpoint, agent=self.user_agent)
        sparql.setQuery(query)
        sparql.setReturnFormat(JSON)
        sparql.setMethod(POST if len(query) > LONG_QUERY else GET)
        sparql.timeout = self.timeout  # setTimeout() truncates to whole seconds
        self.requests_made += 1
        try:
            answer = sparql.query()
            try:
                result = answer.convert()
            finally:
                answer.response.close()
        except urllib.error.HTTPError as error:
            error.close()
            if error.code in RETRY_STATUSES:
                raise _Retry(f"HTTP {error.code}", _retry_after(error.headers)) from error
            raise LinkingError(f"{self.endpoint}: HTTP {error.code} {error.reason}") from error
        except EndPointInternalError as error:
            _close_cause(error)
            raise _Retry("HTTP 500") from error
        except SPARQLWrapperException as error:
            _close_cause(error)
            raise LinkingError(f"{self.endpoint}: {error}") from error
        except TimeoutError as error:
            raise _Retry(f"no answer within {self.timeout:g} s") from error
        except http.client.IncompleteRead as error:
            raise _Retry(f"answer cut short ({_incomplete(error)})") from error
        except (ConnectionError, http.client.HTTPException) as error:
            # RemoteDisconnected (closed before the status line), resets, a garbled status line
            raise _Retry(
                f"connection closed without an answer ({type(error).__name__}: {error})"
            ) from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError | socket.timeout):
                raise _Retry(f"no answer within {self.timeout:g} s") from error
            raise _Retry(f"cannot connect ({error.reason})") from error
        except ValueError as error:  # a body that is not SPARQL JSON
            raise LinkingError(f"{self.endpoint}: unreadable answer: {error}") from error
        if not isinstance(result, dict) or "results" not in result:
            raise LinkingError(f"{self.endpoint}: the answer is not SPARQL JSON results")
        return result["results"]["bindings"]

    def find_by_names(self, names: Iterable[str]) -> dict[str, set[str]]:
        """Items whose label or alternative label (en, fr, ru) is one of names, by folded name."""
        literals = sorted(
            {Literal(name, lang=lang).n3() for name in names for lang in LANGUAGES if name.strip()}
        )
        found: dict[str, set[str]] = {}
        for chunk in _chunks(literals, self.batch_size * len(LANGUAGES)):
            query = (
                PREFIXES
                + "SELECT DISTINCT ?name ?item WHERE {\n  VALUES ?name { "
                + " ".join(chunk)
                + " }\n  { ?item rdfs:label ?name } UNION { ?item skos:altLabel ?name }\n"
                + '  FILTER(STRSTARTS(STR(?item), "http://www.wikidata.org/entity/Q"))\n}'
            )
            for row in self.select(query):
                key = fold(row["name"]["value"])
                found.setdefault(key, set()).add(qid_of(row["item"]["value"]))
        return found

    def item_facts(self, qids: Iterable[str]) -> dict[str, WikidataItem]:
        """Labels, description and the claims the scorer reads, for every item asked about."""
        wanted = sorted(set(qids), key=lambda q: (len(q), q))
        items = {qid: WikidataItem(qid) for qid in wanted}
        for chunk in _chunks(wanted, self.batch_size):
            for row in self.select(_facts_query(chunk)):
                _add_fact(items[qid_of(row["item"]["value"])], row)
        return items


def _incomplete(error: http.client.IncompleteRead) -> str:
    """IncompleteRead's own text repeats the bytes it got; the counts are what a user needs."""
    expected = f", {error.expected} more expected" if error.expected is not None else ""
    return f"IncompleteRead: {len(error.partial)} bytes read{expected}"


def _close_cause(error: BaseException) -> None:
    """SPARQLWrapper re-raises HTTP errors without closing the response they came with."""
    cause = error.__context__
    if isinstance(cause, urllib.error.HTTPError):
        cause.close()


def _facts_query(qids: list[str]) -> str:
    direct = " ".join(f"wdt:{pid}" for pid in FACT_PROPERTIES)
    statements = " ".join(f"(p:{pid} ps:{pid} wdt:{pid})" for pid in STATEMENT_PROPERTIES)
    languages = ", ".join(f'"{lang}"' for lang in LANGUAGES)
    return (
        PREFIXES
        + "SELECT ?item ?prop ?value ?valueLabel WHERE {\n"
        + "  VALUES ?item { "
        + " ".join(f"wd:{qid}" for qid in qids)
        + " }\n  {\n    VALUES ?prop { rdfs:label skos:altLabel schema:description }\n"
        + f"    ?item ?prop ?value . FILTER(LANG(?value) IN ({languages}))\n  }} UNION {{\n"
        + f"    VALUES ?prop {{ {direct} }}\n    ?item ?prop ?value .\n"
        + '    OPTIONAL { ?value rdfs:label ?valueLabel . FILTER(LANG(?valueLabel) = "en") }\n'
        + f"  }} UNION {{\n    VALUES (?claim ?statement ?prop) {{ {statements} }}\n"
        + "    ?item ?claim ?node . ?node ?statement ?value .\n"
        + '    OPTIONAL { ?value rdfs:label ?valueLabel . FILTER(LANG(?valueLabel) = "en") }\n'
        + "  } UNION {\n    VALUES ?prop { wikibase:sitelinks }\n    ?item ?prop ?value .\n"
        + "  }\n}"
    )


def _add_fact(item: WikidataItem, row: dict[str, dict]) -> None:
    prop = row["prop"]["value"]
    value = row["value"]
    if prop.endswith("#label") or prop.endswith("#altLabel"):
        target = item.labels if prop.endswith("#label") else item.alt_labels
        names = target.setdefault(value.get("xml:lang", ""), [])
        if value["value"] not in names:
            names.append(value["value"])
    elif prop.endswith("/description"):
        if not item.description or value.get("xml:lang") == "en":
            item.description = value["value"]
    elif prop == SITELINKS:
        item.sitelinks = int(value["value"]) if _ascii_digits(value["value"]) else None
    else:
        pid = prop.rsplit("/", 1)[-1]
        text = qid_of(value["value"]) if value["type"] == "uri" else value["value"]
        label = row.get("valueLabel", {}).get("value", "")
        claims = item.claims.setdefault(pid, [])
        if (text, label) not in claims:
            claims.append((text, label))


def _chunks(values: list, size: int) -> Iterator[list]:
    size = max(1, size)
    for start in range(0, len(values), size):
        yield values[start : start + size]
