"""The triple patterns of a SHACL-SPARQL constraint, read so the gate knows what it depends on.

When a change adds or removes triples, the focus nodes whose result may change are those the
query can reach through a changed triple: for each triple pattern the change could match,
the gate binds the pattern to the changed triples and asks which `$this` the rest of the
query joins to. This module reads the WHERE group into those patterns: plain triple patterns
(with `;`, `,`, `a`, sequence and inverse paths), skipping FILTER and BIND expressions, with
the groups of FILTER EXISTS, FILTER NOT EXISTS and OPTIONAL apart. A query it cannot read
raises `Unreadable`, and the constraint is rerun for all its focus nodes instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<var>[?$][A-Za-z_][A-Za-z0-9_]*)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<datatype>\^\^)
  | (?P<number>[+-]?[0-9]+(?:\.[0-9]+)?)
  | (?P<pname>[A-Za-z][A-Za-z0-9_.-]*:[A-Za-z0-9_][A-Za-z0-9_.-]*
             |[A-Za-z][A-Za-z0-9_.-]*:|:[A-Za-z0-9_]*)
  | (?P<word>[A-Za-z]+)
  | (?P<punct>[{}().;,/^\[\]*+?|!=<>&-])
    """,
    re.VERBOSE,
)


class Unreadable(Exception):
    """The query uses something this reading does not follow."""


@dataclass
class Group:
    """The triple patterns of one group, and the groups nested in it (EXISTS, OPTIONAL)."""

    patterns: list[tuple[str, str, str]] = field(default_factory=list)  # (s, predicate IRI, o)
    inner: list[Group] = field(default_factory=list)


def tokens(text: str) -> list[tuple[str, str]]:
    found = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise Unreadable(f"cannot read {text[position : position + 20]!r}")
        position = match.end()
        kind = match.lastgroup
        if kind != "space":
            found.append((kind, match.group()))
    return found


class _Reader:
    def __init__(self, toks: list[tuple[str, str]], prefixes: dict[str, str]) -> None:
        self.toks = toks
        self.i = 0
        self.prefixes = prefixes
        self.fresh = 0

    def peek(self, ahead: int = 0) -> tuple[str, str]:
        index = self.i + ahead
        return self.toks[index] if index < len(self.toks) else ("end", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if value is not None and token[1].upper() != value.upper():
            raise Unreadable(f"expected {value}, found {token[1]!r}")
        self.i += 1
        return token

    def group(self) -> Group:
        """From after an opening brace to its closing brace."""
        group = Group()
        while True:
            kind, value = self.peek()
            if value == "}":
                self.take()
                return group
            if kind == "end":
                raise Unreadable("unclosed group")
            word = value.upper() if kind == "word" else ""
            if value == ".":
                self.take()
            elif word == "FILTER":
                self.take()
                if self.peek()[1].upper() == "NOT" and self.peek(1)[1].upper() == "EXISTS":
                    self.take(), self.take(), self.take("{")
                    group.inner.append(self.group())
                elif self.peek()[1].upper() == "EXISTS":
                    self.take(), self.take("{")
                    group.inner.append(self.group())
                else:
                    self.expression()
            elif word == "BIND":
                self.take()
                self.expression()
            elif word == "OPTIONAL":
                self.take(), self.take("{")
                group.inner.append(self.group())
            elif kind == "word" and value != "a":
                raise Unreadable(f"{value} in a constraint")
            elif value in ("{", "["):
                raise Unreadable("nested groups or blank node syntax")
            else:
                self.triples(group)

    def expression(self) -> None:
        """A parenthesised expression, skipped; one holding a group is not followed."""
        self.take("(")
        depth = 1
        while depth:
            kind, value = self.take()
            if kind == "end" or value in ("{", "}"):
                raise Unreadable("an expression with a group inside")
            depth += {"(": 1, ")": -1}.get(value, 0)

    def term(self) -> str:
        kind, value = self.take()
        if kind == "var":
            return "?" + value[1:]
        if kind == "iri":
            return value
        if kind == "pname":
            prefix, _, local = value.partition(":")
            if prefix not in self.prefixes:
                raise Unreadable(f"unknown prefix {prefix}")
            return f"<{self.prefixes[prefix]}{local}>"
        if kind in ("string", "number"):
            if kind == "string" and self.peek()[0] == "langtag":
                value += self.take()[1]
            elif kind == "string" and self.peek()[0] == "datatype":
                self.take()
                value += "^^" + self.term()
            return value
        raise Unreadable(f"unexpected {value!r}")

    def path(self) -> list[tuple[str, bool]]:
        steps = []
        while True:
            inverse = False
            if self.peek()[1] == "^":
                self.take()
                inverse = True
            if self.peek() == ("word", "a"):
                self.take()
                iri = RDF_TYPE
            else:
                kind = self.peek()[0]
                if kind not in ("iri", "pname"):
                    raise Unreadable("a path other than a sequence of IRIs")
                iri = self.term()[1:-1]
            steps.append((iri, inverse))
            if self.peek()[1] in ("*", "+", "?", "|", "("):
                raise Unreadable("path operators other than / and ^")
            if self.peek()[1] != "/":
                return steps
            self.take()

    def triples(self, group: Group) -> None:
        subject = self.term()
        while True:
            steps = self.path()
            while True:
                obj = self.term()
                self._add(group, subject, steps, obj)
                if self.peek()[1] != ",":
                    break
                self.take()
            if self.peek()[1] != ";":
                break
            self.take()
            if self.peek()[1] in (".", "}"):
                break

    def _add(self, group: Group, subject: str, steps: list[tuple[str, bool]], obj: str) -> None:
        nodes = [subject]
        for _ in steps[:-1]:
            self.fresh += 1
            nodes.append(f"?gate_p{self.fresh}")
        nodes.append(obj)
        for (iri, inverse), start, end in zip(steps, nodes[:-1], nodes[1:], strict=True):
            s, o = (end, start) if inverse else (start, end)
            group.patterns.append((s, iri, o))


def read_where(select: str, prefixes: dict[str, str]) -> Group:
    """The WHERE group of a SELECT query."""
    own = dict(prefixes)
    for prefix, namespace in re.findall(r"(?i)PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", select):
        own[prefix] = namespace
    body = select[select.index("{") + 1 :] if "{" in select else ""
    reader = _Reader(tokens(body), own)
    group = reader.group()
    if reader.peek()[0] != "end":
        raise Unreadable("a query with solution modifiers")
    return group
