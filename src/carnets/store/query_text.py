"""Reading SPARQL text before it is run: its form, dataset clauses, SERVICE calls and LIMIT.

The engine parses queries properly; this module reads only what must be known *before* a query
runs (which result formats apply, whether it would call another host, where a row cap goes).
It reads the text with the terminals of the SPARQL grammar as Oxigraph's parser (spargebra)
defines them: whitespace is space, tab, CR and LF; a comment ends at CR or LF; an IRI, a
string, a prefixed name and a variable are what the grammar says they are. Text it cannot read
is refused rather than guessed at.

Where a SERVICE call could be hidden, being right about the common case is not enough, so
`QueryText.unsure_service` records every place where the letters "service" appear and the
engine might read a SERVICE keyword that this reading does not (see `_unsure_service`); a query
that can reach the network must have none.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from carnets.errors import QueryError, QueryRefused

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

# The terminals of the SPARQL 1.1 grammar (section 19.8), as character classes.
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"\\[tbnrf\"'\\]"

_TOKEN = re.compile(
    rf"""
    (?P<ws>[\x20\t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:(?:''|')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''
              |\"\"\"(?:(?:\"\"|\")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*\"\"\"
              |'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*'
              |"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*")
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<var>[?$]{_VARNAME})
  | (?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)
  | (?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)
  | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)
  | (?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{{}}()\[\];,.=<>!+\-*/^|?~])
    """,
    re.VERBOSE,
)
# What the engine may read as the SERVICE keyword: its parser compares seven characters, ASCII
# case-insensitively, wherever a graph pattern may start. Unicode case-insensitivity finds a
# superset (the long s, for one), which only makes the reading more cautious.
_SERVICE = re.compile("service", re.IGNORECASE)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# Tokens after which `<` may be the less-than operator rather than the start of an IRI.
_OPERAND_KINDS = {"var", "number", "string", "iri", "pname", "langtag", "bnode"}
_OPERAND_WORDS = {"TRUE", "FALSE"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int
    depth: int  # braces open before this token


@dataclass
class QueryText:
    """What the endpoint needs to know about a request's SPARQL text."""

    text: str
    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE, UPDATE, or None if unreadable
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    # Each SERVICE endpoint: an absolute IRI, '?var' for a variable, or the text as written.
    services: list[str] = field(default_factory=list)
    # Where the engine might read a SERVICE keyword that `services` does not list, if anywhere.
    unsure_service: str | None = None
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
    """The tokens of `text`, without whitespace and comments; QueryError where none fits."""
    tokens: list[Token] = []
    depth = 0
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            line = text.count("\n", 0, position) + 1
            column = position - (text.rfind("\n", 0, position) + 1) + 1
            raise QueryError(
                f"the query cannot be read at line {line}, column {column}: "
                f"unexpected {text[position]!r}"
            )
        position = match.end()
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


def bind_variables(text: str, bindings: Mapping[str, str]) -> str:
    """`text` with each variable named in `bindings` replaced by a term, for a remote engine.

    What pyoxigraph's substitutions do for the embedded store: the values are terms already
    written in N-Triples syntax (str() of a pyoxigraph term, which escapes them), and each
    replaces a variable token, never text inside a string, an IRI or a comment. The site's own
    queries never project or assign a bound variable, which this would turn into an error.
    """
    if not bindings:
        return text
    parts: list[str] = []
    position = 0
    for token in tokenize(text):
        if token.kind == "var" and token.text[1:] in bindings:
            parts += [text[position : token.start], bindings[token.text[1:]]]
            position = token.end
    parts.append(text[position:])
    return "".join(parts)


def unescape_codepoints(text: str) -> str:
    """`text` with its \\u and \\U escapes replaced, as SPARQL 1.1 (19.2) says to do first.

    Oxigraph reads escapes only inside IRIs and strings; other engines follow the
    specification. A query must mean the same under both readings to reach the network.
    """

    def character(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return match.group()  # not a character: left as written, as spargebra does
        return chr(code)

    return _CODEPOINT.sub(character, text)


def read_query(text: str) -> QueryText:
    """Read the parts of a query or update that matter before running it."""
    info = _read(text)
    if info.unsure_service is None and _CODEPOINT.search(text):
        info.unsure_service = _unescaped_reading_differs(text, info.services)
    return info


def _read(text: str) -> QueryText:
    tokens = tokenize(text)
    info = QueryText(text=text)
    prefixes, base, prologue_end = _prologue(tokens)
    if prologue_end < len(tokens):
        word = tokens[prologue_end].text.upper()
        if word in QUERY_FORMS:
            info.form = word
        elif word in UPDATE_WORDS:
            info.form = "UPDATE"

    def resolve(token: Token) -> str:
        if token.kind == "iri":
            iri = _iri_content(token.text)
            if iri is None:
                return token.text
            return iri if _ABSOLUTE.match(iri) or not base else base + iri
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix in prefixes:
                return prefixes[prefix] + local.replace("\\", "")
        return token.text

    where_closed = False
    for j, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "word" else ""
        following = tokens[j + 1] if j + 1 < len(tokens) else None
        if word == "SERVICE":
            target, unsure = _service_target(tokens, j, resolve)
            info.services.append(target)
            if unsure is not None and info.unsure_service is None:
                info.unsure_service = _where(text, token.start, unsure)
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
    info.unsure_service = info.unsure_service or _unsure_service(text, tokens, prologue_end)
    return info


def _prologue(tokens: list[Token]) -> tuple[dict[str, str], str, int]:
    """PREFIX and BASE declarations: the prefixes, the base, and where the prologue ends."""
    prefixes: dict[str, str] = {}
    base = ""
    i = 0
    while i < len(tokens):
        word = tokens[i].text.upper() if tokens[i].kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
            prefixes[tokens[i + 1].text.rstrip(":")] = _iri_content(tokens[i + 2].text) or ""
            i += 3
        elif word == "BASE" and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            base = _iri_content(tokens[i + 1].text) or ""
            i += 2
        else:
            break
    return prefixes, base, i


def _iri_content(token_text: str) -> str | None:
    """An IRI token's IRI with its \\u escapes read, as the engine reads it (None if invalid)."""
    content = token_text[1:-1]
    if "\\" not in content:
        return content
    unescaped = unescape_codepoints(content)
    return None if "\\" in unescaped else unescaped


def _service_target(tokens: list[Token], at: int, resolve) -> tuple[str, str | None]:
    """The endpoint of the SERVICE keyword at `at` (an absolute IRI if the text gives one),
    and why the engine might read another endpoint, if it might."""
    k = at + 1
    if k < len(tokens) and tokens[k].kind == "word" and tokens[k].text.upper() == "SILENT":
        k += 1
    if k >= len(tokens):
        return "", None
    target = tokens[k]
    if target.kind in ("word", "pname") and target.text[:6].upper() == "SILENT":
        # The engine's parser may take SILENT off the front and read the rest as the endpoint.
        return target.text, f"SILENT may be glued to the endpoint in {target.text!r}"
    if target.kind == "var":
        return "?" + target.text[1:], None
    if target.kind == "iri":  # a relative IRI is kept as written, never matched to an endpoint
        iri = _iri_content(target.text)
        return (iri if iri is not None and _ABSOLUTE.match(iri) else target.text), None
    if target.kind == "pname":
        resolved = resolve(target)
        if _ABSOLUTE.match(resolved) and resolved != target.text:
            return resolved, None
    return target.text, None


def _unsure_service(text: str, tokens: list[Token], prologue_end: int) -> str | None:
    """Where the engine might read a SERVICE keyword that the tokens do not show, if anywhere.

    The letters "service" are a keyword to this reading only as a word token of their own.
    Elsewhere they are harmless where the engine cannot split the token differently: inside a
    string, a comment, a variable, a blank node, a language tag, the local part of a prefixed
    name or an IRI. Two things make the engine's reading differ from ours. Its parser tries a
    keyword wherever a pattern may start, so a word or a prefix that begins or continues with
    "service" (`SERVICE:x`, `trueSERVICE`) may hold the keyword. And inside parentheses `<`
    after an operand may be the less-than operator: then what we read as an IRI is code to the
    engine, and a `#` or `'` in it starts a comment or a string that shifts everything after.
    """
    occurrences = [m.start() for m in _SERVICE.finditer(text)]
    if not occurrences:
        return None
    maybe_code: set[int] = set()  # IRI tokens that the engine may read as code
    shifted_from: int | None = None
    brackets: list[str] = []
    previous: Token | None = None
    for index, token in enumerate(tokens):
        if token.kind == "punct" and token.text in ("(", "{", "["):
            brackets.append(token.text)
        elif token.kind == "punct" and token.text in (")", "}", "]") and brackets:
            brackets.pop()
        elif token.kind == "iri" and index >= prologue_end and _may_be_operator(previous, brackets):
            maybe_code.add(index)
            if shifted_from is None and ("#" in token.text or "'" in token.text):
                shifted_from = token.start
        previous = token
    starts = [token.start for token in tokens]
    for at in occurrences:
        if shifted_from is not None and at >= shifted_from:
            return _where(text, at, "after an IRI that the engine may read as code")
        index = bisect.bisect_right(starts, at) - 1
        if index < 0 or at >= tokens[index].end:
            continue  # whitespace or a comment
        token = tokens[index]
        if token.kind == "word" and (token.start != at or token.text.upper() != "SERVICE"):
            return _where(text, at, f"in the word {token.text!r}")
        if token.kind == "pname" and at < token.start + token.text.index(":"):
            return _where(text, at, f"in the prefix of {token.text!r}")
        if index in maybe_code:
            return _where(text, at, f"in {token.text!r}, which the engine may read as code")
    return None


def _may_be_operator(previous: Token | None, brackets: list[str]) -> bool:
    """Whether a `<` here may be the less-than operator: after an operand, inside parentheses."""
    if previous is None or not brackets or brackets[-1] != "(":
        return False
    if previous.kind in _OPERAND_KINDS:
        return True
    return previous.text in (")", "]") or previous.text.upper() in _OPERAND_WORDS


def _unescaped_reading_differs(text: str, services: list[str]) -> str | None:
    """For engines that process \\u escapes first: the same calls, or why not."""
    unescaped = unescape_codepoints(text)
    try:
        other = _read(unescaped)
    except QueryError as error:
        return f"once its \\u escapes are processed: {error}"
    if other.unsure_service is not None:
        return f"once its \\u escapes are processed, {other.unsure_service}"
    if other.services != services:
        return "once its \\u escapes are processed, it calls " + (
            ", ".join(other.services) or "no endpoint"
        )
    return None


def _where(text: str, at: int, why: str) -> str:
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"'{text[at : at + 7]}' at line {line}, column {column} ({why})"


def refuse_unsafe_services(info: QueryText, allowed: Collection[str], *, networked: bool) -> None:
    """Raise QueryRefused unless every SERVICE call of the query is to an allowed endpoint.

    `networked` says whether the engine that will run the query can reach other hosts; then
    the reading must also be sure, since what it misses the engine would call.
    """
    for target in info.services:
        if target in allowed:
            continue
        if target.startswith("?"):
            raise QueryRefused(
                f"SERVICE {target} is not allowed: a SERVICE endpoint must be written as an IRI "
                "so that it can be checked"
            )
        raise QueryRefused(
            f"SERVICE {target or '(no endpoint)'} is not allowed: this endpoint calls no other "
            "endpoint unless CARNETS_SERVICE_ALLOW names it"
        )
    if networked and info.unsure_service is not None:
        raise QueryRefused(
            f"this query may call another endpoint: {info.unsure_service}. A query that reaches "
            "another host must use the letters 'service' only as the SERVICE keyword, followed "
            "by the endpoint's IRI"
        )
