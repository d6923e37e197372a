"""A light reading of SPARQL text: its form, its dataset clauses, its SERVICE calls, its LIMIT.

The engine parses queries properly; this module only needs what must be known *before* a query
is run (which result formats apply, whether it would call another host, where a row cap goes),
so it tokenizes just enough to skip strings, IRIs and comments and to track brace depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATE_ANYWHERE = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE"}
UPDATE_WORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
}

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*)?:
              (?:[\w\-\u00c0-\uffff:%\\.]*[\w\-\u00c0-\uffff:%])?)
  | (?P<word>[A-Za-z_][\w]*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int
    depth: int


@dataclass
class QueryText:
    """What the endpoint needs to know about a request's SPARQL text."""

    text: str
    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE, UPDATE, or None if unreadable
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)  # IRIs, or '?var' for a variable endpoint
    limit: int | None = None  # the top-level LIMIT
    limit_span: tuple[int, int] | None = None  # where its number is in the text
    modifiers_end: int | None = None  # where a LIMIT may be inserted

    @property
    def has_dataset_clause(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs)

    @property
    def is_update(self) -> bool:
        return self.form == "UPDATE"

    def with_limit(self, limit: int) -> str:
        """The same query with its top-level LIMIT set to `limit` (SELECT only)."""
        if self.limit_span is not None:
            start, end = self.limit_span
            return f"{self.text[:start]}{limit}{self.text[end:]}"
        at = len(self.text) if self.modifiers_end is None else self.modifiers_end
        return f"{self.text[:at]}\nLIMIT {limit}\n{self.text[at:]}"


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        value = match.group()
        if value == "}":
            depth -= 1
        tokens.append(Token(kind, value, match.start(), match.end(), depth))
        if value == "{":
            depth += 1
    return tokens


def read_query(text: str) -> QueryText:
    """Read the parts of a query or update that matter before running it."""
    tokens = tokenize(text)
    info = QueryText(text=text)
    prefixes: dict[str, str] = {}
    base = ""

    def resolve(token: Token) -> str:
        if token.kind == "iri":
            iri = token.text[1:-1]
            return iri if ":" in iri or not base else base + iri
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            return prefixes.get(prefix, token.text) + local if prefix in prefixes else token.text
        return token.text

    i = 0
    while i < len(tokens):  # the prologue
        word = tokens[i].text.upper()
        if word == "PREFIX" and i + 2 < len(tokens):
            prefixes[tokens[i + 1].text.rstrip(":")] = resolve(tokens[i + 2])
            i += 3
        elif word == "BASE" and i + 1 < len(tokens):
            base = resolve(tokens[i + 1])
            i += 2
        else:
            break
    if i < len(tokens):
        word = tokens[i].text.upper()
        if word in QUERY_FORMS:
            info.form = word
        elif word in UPDATE_WORDS:
            info.form = "UPDATE"

    where_closed = False
    for j, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "word" else ""
        following = tokens[j + 1] if j + 1 < len(tokens) else None
        if word == "SERVICE" and following is not None:
            target = following
            if target.text.upper() == "SILENT" and j + 2 < len(tokens):
                target = tokens[j + 2]
            info.services.append(resolve(target))
        elif word == "FROM" and token.depth == 0 and following is not None:
            if following.text.upper() == "NAMED" and j + 2 < len(tokens):
                info.from_named_graphs.append(resolve(tokens[j + 2]))
            else:
                info.from_graphs.append(resolve(following))
        elif word in _UPDATE_ANYWHERE and token.depth == 0:
            info.form = "UPDATE"  # "; INSERT DATA ..." after a query: a request with an update
        if token.text == "}" and token.depth == 0:
            where_closed = True
        if not where_closed or token.depth != 0:
            continue
        if word == "LIMIT" and following is not None and following.kind == "number":
            info.limit = int(following.text)
            info.limit_span = (following.start, following.end)
        elif word == "VALUES" and info.modifiers_end is None:
            info.modifiers_end = token.start
    return info
