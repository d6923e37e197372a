"""What a reconciliation request may say, checked and typed before any matching starts.

The W3C Reconciliation API 0.2 schema allows a query's `type` to be a string or a list, its
`limit` to be an integer, its `properties` to be a list of {pid, v}. Anything else is refused
with a message that says what to send, rather than answered with a silent empty result or a
traceback. Sizes are bounded by the `Limits` the caller gives, so that the work one request
can ask for is bounded too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from carnets.namespaces import CN

TYPES: dict[str, tuple[str, str]] = {
    "person": (str(CN.Person), "Person"),
    "work": (str(CN.Work), "Work"),
    "place": (str(CN.Place), "Place"),
}
PROPERTIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "birthYear": ("birth year", "Year of birth, compared with the edition's records", ("person",)),
    "deathYear": (
        "death year",
        "Year of death; uncertain deaths match their whole range",
        ("person",),
    ),
    "year": ("year", "Year of a work", ("work",)),
    "wikidata": ("Wikidata item", "QID or Wikidata URL: a linked resource matches exactly", ()),
    "occupation": ("occupation", "Occupation as the edition gives it", ("person",)),
}
DEFAULT_LIMIT = 5
DIGITS = re.compile(r"[0-9]{1,9}")  # ASCII only: str.isdigit() also takes "²" and "٣"


class InvalidRequest(ValueError):
    """A request the Reconciliation API does not allow; the message says what to send."""


class RequestTooLarge(InvalidRequest):
    """A request beyond the service's limits: more queries, or longer texts, than it takes."""


@dataclass(frozen=True)
class Limits:
    """How much one request may ask for (the web layer holds the numbers)."""

    queries: int  # queries in one batch
    text: int  # characters of a query's text, a property value, an id or a prefix
    properties: int  # properties in one query, or asked for in one extension
    values: int  # values of one property
    ids: int  # ids in one data-extension request


@dataclass(frozen=True)
class Query:
    """One reconciliation query, as the index answers it."""

    text: str
    kinds: frozenset[str] | None = None  # None: every type
    limit: int = DEFAULT_LIMIT
    properties: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (pid, values as text)


def parse_batch(raw: Any, limits: Limits) -> dict[str, Query]:
    """The queries of a `queries` parameter: a JSON object of named queries."""
    if not isinstance(raw, dict):
        raise InvalidRequest(
            'queries must be a JSON object of named queries, such as {"q0": {"query": "Max Jacob"}}'
        )
    if len(raw) > limits.queries:
        raise RequestTooLarge(
            f"{len(raw)} queries in one request; this service takes at most {limits.queries}"
        )
    return {key: parse_query(value, limits, _cut(key)) for key, value in raw.items()}


def parse_query(raw: Any, limits: Limits, where: str = "query") -> Query:
    """One query: an object with a string `query` (or, in the older style, the text alone)."""
    if isinstance(raw, str):
        raw = {"query": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("query"), str):
        raise InvalidRequest(
            f'{where}: a query is an object with a string "query", such as '
            f'{{"query": "Max Jacob"}}; got {_shown(raw)}'
        )
    text = raw["query"]
    check_length(text, limits, f"{where}: the query")
    return Query(
        text=text,
        kinds=kinds_of(raw.get("type"), where),
        limit=_limit(raw.get("limit"), where),
        properties=_properties(raw.get("properties"), limits, where),
    )


def kinds_of(type_ref: Any, where: str = "type") -> frozenset[str] | None:
    """The kinds a type names (a class IRI, cn:Person, Person, an {id} or a list of them);
    None when no type is given. An unknown type is refused: it would match nothing."""
    if type_ref is None or type_ref == "" or type_ref == []:
        return None
    refs = type_ref if isinstance(type_ref, list) else [type_ref]
    kinds = set()
    for ref in refs:
        name = ref.get("id") if isinstance(ref, dict) else ref
        kind = _kind(name) if isinstance(name, str) else None
        if kind is None:
            known = ", ".join(f"{iri} ({label})" for iri, label in TYPES.values())
            raise InvalidRequest(f"{where}: unknown type {_shown(ref)}; the types are {known}")
        kinds.add(kind)
    return frozenset(kinds)


def _kind(name: str) -> str | None:
    """The kind a type names: the class IRI, cn:Person, Person or person."""
    name = name.strip()
    for kind, (iri, label) in TYPES.items():
        if name in (iri, f"cn:{label}", label, kind):
            return kind
    return None


def parse_limit(raw: str | None, default: int, name: str = "limit") -> int:
    """A count from a URL parameter: ASCII digits only."""
    if raw is None or raw == "":
        return default
    if not DIGITS.fullmatch(raw):
        raise InvalidRequest(
            f"{name} must be a whole number written in digits 0-9; got {_cut(raw)}"
        )
    return int(raw)


def _limit(raw: Any, where: str) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if isinstance(raw, str) and DIGITS.fullmatch(raw):
        return int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise InvalidRequest(f"{where}: limit must be a non-negative integer; got {_shown(raw)}")
    return raw


def _properties(raw: Any, limits: Limits, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InvalidRequest(
            f'{where}: properties must be a list such as [{{"pid": "deathYear", "v": "1944"}}]; '
            f"got {_shown(raw)}"
        )
    if len(raw) > limits.properties:
        raise RequestTooLarge(
            f"{where}: {len(raw)} properties; this service takes at most {limits.properties}"
        )
    parsed = []
    for prop in raw:
        pid = (prop.get("pid") or prop.get("p")) if isinstance(prop, dict) else None
        if not isinstance(pid, str):
            raise InvalidRequest(
                f'{where}: each property is an object with a "pid" and a "v"; got {_shown(prop)}'
            )
        _known_property(pid, where)
        parsed.append((pid, _values(prop.get("v"), limits, f"{where}: property {pid}")))
    return tuple(parsed)


def _values(raw: Any, limits: Limits, where: str) -> tuple[str, ...]:
    """A property value as OpenRefine sends it: a string, a number, an {id, name} or a list."""
    items = raw if isinstance(raw, list) else [raw]
    if len(items) > limits.values:
        raise RequestTooLarge(f"{where}: {len(items)} values; at most {limits.values}")
    values = []
    for item in items:
        if isinstance(item, dict):
            item = next((item[k] for k in ("id", "name", "str") if item.get(k) is not None), None)
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise InvalidRequest(
                f"{where}: a value is a string, a number or an object with an id or a name; "
                f"got {_shown(item)}"
            )
        text = str(item)
        check_length(text, limits, f"{where}: a value")
        values.append(text)
    return tuple(values)


def parse_extend(raw: Any, limits: Limits) -> tuple[list[str], list[str]]:
    """The ids and property ids of a data-extension request."""
    example = '{"ids": ["person/jane-doe"], "properties": [{"id": "wikidata"}]}'
    if not isinstance(raw, dict):
        raise InvalidRequest(f"extend must be a JSON object such as {example}")
    ids, properties = raw.get("ids"), raw.get("properties", [])
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InvalidRequest(f"extend: ids must be a list of strings, as in {example}")
    if len(ids) > limits.ids:
        raise RequestTooLarge(f"extend: {len(ids)} ids; this service takes at most {limits.ids}")
    for entity_id in ids:
        check_length(entity_id, limits, "extend: an id")
    if not isinstance(properties, list):
        raise InvalidRequest(
            f'extend: properties must be a list of {{"id": ...}}, as in {example}; '
            f"got {_shown(properties)}"
        )
    if len(properties) > limits.properties:
        raise RequestTooLarge(f"extend: {len(properties)} properties; at most {limits.properties}")
    pids = []
    for prop in properties:
        pid = prop.get("id") if isinstance(prop, dict) else None
        if not isinstance(pid, str):
            raise InvalidRequest(
                f'extend: each property is an object with an "id"; got {_shown(prop)}'
            )
        pids.append(_known_property(pid, "extend"))
    return ids, pids


def _known_property(pid: str, where: str) -> str:
    if pid not in PROPERTIES:
        raise InvalidRequest(
            f"{where}: unknown property {_shown(pid)}; the properties are {', '.join(PROPERTIES)}"
        )
    return pid


def check_length(text: str, limits: Limits, what: str) -> None:
    """Refuse a text longer than the limit: matching costs grow with its length."""
    if len(text) > limits.text:
        raise RequestTooLarge(f"{what} is {len(text)} characters long; at most {limits.text}")


def _shown(value: Any) -> str:
    """A value as JSON, cut short: error messages quote what was sent, never all of it."""
    try:
        return _cut(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError):
        return _cut(repr(value))


def _cut(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
