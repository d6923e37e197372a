"""The SELECT of a SHACL-SPARQL constraint, opened up to run for every focus node at once.

pySHACL runs a constraint's query once per focus node with `$this` pre-bound. The gate runs
it once: the pattern of the focus nodes goes first in the WHERE group (so that `$this` is
bound for everything after it, as pre-binding would have it) and `$this` joins the
projection. This reads just enough of the query to do that: the projection, and where the
WHERE group opens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from carnets.gate.shapes import Unsupported

_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_MODIFIER = re.compile(r"\s*(DISTINCT|REDUCED)\b", re.IGNORECASE)
_WHERE = re.compile(r"\bWHERE\s*$", re.IGNORECASE)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class OpenedSelect:
    head: str  # prologue, SELECT and its projection
    body: str  # from the opening brace of the WHERE group on, brace excluded
    variables: tuple[str, ...]  # projected variables, in order ("*": every one)
    star: bool

    @property
    def projects_this(self) -> bool:
        return self.star or "this" in self.variables

    def with_focus(self, pattern: str, extra: tuple[str, ...]) -> str:
        """The query with `pattern` first in its WHERE group and `extra` variables projected."""
        head = self.head
        if not self.star:
            missing = [v for v in extra if v not in self.variables]
            head = head.rstrip()
            where = _WHERE.search(head)
            cut = where.start() if where else len(head)
            head = head[:cut] + " " + " ".join(f"?{v}" for v in missing) + " " + head[cut:]
        return f"{head}{{ {pattern}\n{self.body}"


def open_select(text: str) -> OpenedSelect:
    if re.search(r"\bMINUS\b|\bVALUES\b|\?failure\b|\$failure\b", text, re.IGNORECASE):
        raise Unsupported("a SPARQL constraint with MINUS, VALUES or ?failure")
    brace = _first_brace(text)
    select = _SELECT.search(text, 0, brace)
    if select is None:
        raise Unsupported("a SPARQL constraint that is not a SELECT")
    start = select.end()
    modifier = _MODIFIER.match(text, start)
    if modifier:
        start = modifier.end()
    projection = text[start:brace]
    projection = _WHERE.sub("", projection.rstrip())
    star = projection.strip() == "*"
    if not star and "(" in projection:
        raise Unsupported("a SPARQL constraint projecting expressions")
    variables = () if star else tuple(_VARIABLE.findall(projection))
    return OpenedSelect(text[:brace], text[brace + 1 :], variables, star)


def _first_brace(text: str) -> int:
    """Where the WHERE group opens: the first brace outside strings, IRIs and comments."""
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif char in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else char
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
        elif char == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]):
            i = text.index(">", i) + 1
        elif char == "{":
            return i
        else:
            i += 1
    raise Unsupported("a SPARQL constraint without a WHERE group")
