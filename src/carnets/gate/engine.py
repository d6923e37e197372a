"""Shapes run as SPARQL on a pyoxigraph store, one query per rule for every focus node at once.

A shape is evaluated over a `Context`: a SPARQL pattern binding its focus nodes (the targets
of a top-level shape; the values of a path for a shape reached through sh:node), together
with the focus nodes above them, so that every result knows the top-level focus node it
belongs to. Each query returns only the focus nodes and values that break the rule, so a
conforming edition costs one pass of the engine's indexes per rule and little else.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import pyoxigraph as ox
from rdflib.term import Node

from carnets.gate import literals
from carnets.gate.compile import Expressions, Rule, rules, target_pattern
from carnets.gate.selects import open_select
from carnets.gate.shapes import Shape, Shapes, Unsupported
from carnets.gate.terms import sparql, to_rdflib


@dataclass(frozen=True)
class Context:
    """Where a shape is evaluated: the pattern of its focus nodes and of those above them."""

    pattern: str
    keys: tuple[str, ...]  # variables, top-level focus first, this shape's focus last
    feeds: frozenset[str]
    detail: bool = False  # results here are details of a node constraint

    @property
    def var(self) -> str:
        return self.keys[-1]


@dataclass
class Outcome:
    """One validation result, as pySHACL would have written it into its report."""

    key: tuple  # the focus nodes from the top-level one down to this result's
    shape: Shape
    component: str
    rule: Rule | None
    value: object | None
    path: Node | None = None
    messages: list[str] | None = None  # None: the shape's messages, or pySHACL's generic one
    detail: bool = False

    @property
    def focus(self) -> object:
        return self.key[-1]

    @property
    def top(self) -> object:
        return self.key[0]


@dataclass
class Engine:
    store: ox.Store
    shapes: Shapes
    unsure: dict[str, list[ox.Literal]]
    timings: list[tuple[str, float, int]] = field(default_factory=list)

    workers: int = 2  # top-level shapes evaluated side by side (the engine lets go of the GIL)

    def __post_init__(self) -> None:
        self.expressions = Expressions(self.shapes.graph, self.unsure)
        self._vars = itertools.count(1)

    def run(self, focus: dict[Shape, set[object] | None] | None = None) -> list[Outcome]:
        """Every result of every top-level shape; with `focus`, of the shapes it names only,
        for the focus nodes it gives (None: all of the shape's focus nodes)."""
        contexts: list[tuple[Shape, Context]] = []
        for shape in self.shapes.top_level:
            if shape.deactivated or (focus is not None and shape not in focus):
                continue
            nodes = None if focus is None else focus[shape]
            restrict = ""
            if nodes is not None:
                if not nodes:
                    continue
                named = " ".join(sorted(sparql(node) for node in nodes))
                restrict = f"VALUES ?gate_0 {{ {named} }} "
            pattern, feeds = target_pattern(shape, "?gate_0")
            contexts.append((shape, Context(restrict + pattern, ("?gate_0",), feeds)))
        if self.workers > 1 and len(contexts) > 1:
            with ThreadPoolExecutor(self.workers) as pool:
                found = list(pool.map(lambda job: self.evaluate(*job), contexts))
        else:
            found = [self.evaluate(shape, context) for shape, context in contexts]
        return [outcome for outcomes in found for outcome in outcomes]

    # ------------------------------------------------------------------ evaluation

    def _fresh(self) -> str:
        return f"?gate_{next(self._vars)}"

    def evaluate(self, shape: Shape, ctx: Context) -> list[Outcome]:
        if shape.deactivated:
            return []
        c = shape.constraints
        out: list[Outcome] = []

        def outcome(key: tuple, component: str, rule: Rule | None, value: object | None, **kw):
            path = shape.path
            out.append(Outcome(key, shape, component, rule, value, path, detail=ctx.detail, **kw))

        if shape.path is None:
            for rule in rules(shape):
                if rule.component == "node":
                    out += self._node(shape, rule, ctx, replace(ctx, keys=(*ctx.keys, ctx.var)))
                elif rule.component == "property":
                    out += self.evaluate(rule.param, ctx)
                else:
                    test = self.expressions.value_ok(rule, ctx.var, ctx.feeds)
                    for key in self._keys(ctx, f"{ctx.pattern} FILTER(!{test})", rule.component):
                        outcome(key, rule.component, rule, key[-1])
            for value in c.get("hasValue", ()):
                where = f"{ctx.pattern} FILTER(!sameTerm({ctx.var}, {sparql(value)}))"
                for key in self._keys(ctx, where, "hasValue"):
                    outcome(key, "hasValue", None, None)
            for constraint in c.get("sparql", ()):
                out += self._sparql(shape, constraint, ctx)
            return out

        if "sparql" in c:
            raise Unsupported("SPARQL constraints on a property shape")
        path, feeds = self.expressions.path(shape)
        value = self._fresh()
        values = f"{ctx.pattern} {ctx.var} {path} {value} ."
        child = Context(values, (*ctx.keys, value), feeds, ctx.detail)
        for rule in rules(shape):
            if rule.component == "node":
                out += self._node(shape, rule, ctx, replace(child, detail=True))
            elif rule.component == "property":
                out += self.evaluate(rule.param, child)
            else:
                test = self.expressions.value_ok(rule, value, feeds)
                for key in self._keys(child, f"{values} FILTER(!{test})", rule.component):
                    outcome(key[:-1], rule.component, rule, key[-1])
        if c.get("minCount", 0) > 0:
            n = c["minCount"]
            if n == 1:
                where = f"{ctx.pattern} FILTER NOT EXISTS {{ {ctx.var} {path} [] }}"
                keys = self._keys(ctx, where, "minCount")
            else:
                where = f"{ctx.pattern} OPTIONAL {{ {ctx.var} {path} {value} }}"
                keys = self._keys(ctx, where, "minCount", f"HAVING (COUNT(DISTINCT {value}) < {n})")
            for key in keys:
                outcome(key, "minCount", None, None)
        if "maxCount" in c:
            having = f"HAVING (COUNT(DISTINCT {value}) > {c['maxCount']})"
            for key in self._keys(ctx, values, "maxCount", having):
                outcome(key, "maxCount", None, None)
        for required in c.get("hasValue", ()):
            where = f"{ctx.pattern} FILTER NOT EXISTS {{ {ctx.var} {path} {sparql(required)} }}"
            for key in self._keys(ctx, where, "hasValue"):
                outcome(key, "hasValue", None, None)
        if "uniqueLang" in c:
            where = f'{values} FILTER(isLiteral({value}) && lang({value}) != "")'
            having = f"GROUP BY LCASE(lang({value})) HAVING (COUNT(DISTINCT {value}) > 1)"
            for key in self._keys(ctx, where, "uniqueLang", having, grouped=False):
                outcome(key, "uniqueLang", None, None)
        if "qualified" in c:
            out += self._qualified(shape, ctx, path, feeds)
        for other in c.get("lessThanOrEquals", ()):
            out += self._less_or_equal(shape, ctx, values, value, other)
        return out

    def _node(self, shape: Shape, rule: Rule, ctx: Context, child: Context) -> list[Outcome]:
        """sh:node: a result for each value with results of its own, which become details."""
        nested = self.evaluate(rule.param, child)
        wrapped = sorted({o.key[: len(child.keys)] for o in nested}, key=_order)
        return [
            Outcome(key[:-1], shape, "node", rule, key[-1], shape.path, detail=ctx.detail)
            for key in wrapped
        ] + nested

    def _qualified(self, shape: Shape, ctx: Context, path: str, feeds) -> list[Outcome]:
        q = shape.constraints["qualified"]
        out = []
        for member in q.shapes:
            value = self._fresh()
            test = self.expressions.conforms(member, value, feeds)
            count = f"COUNT(DISTINCT {value})"
            bounds = []
            if q.max_count is not None:
                bounds.append(f"{count} > {q.max_count}")
            if q.min_count is not None:
                bounds.append(f"{count} < {q.min_count}")
            if not bounds:
                continue
            where = f"{ctx.pattern} OPTIONAL {{ {ctx.var} {path} {value} FILTER({test}) }}"
            projection = self._projection(ctx.keys) + f" ({count} AS ?gate_n)"
            query = (
                f"SELECT {projection} WHERE {{ {where} }} GROUP BY {self._projection(ctx.keys)} "
                f"HAVING ({' || '.join(bounds)})"
            )
            for row in self._query(query, "qualified"):
                key = tuple(row[k[1:]] for k in ctx.keys)
                n = int(row["gate_n"].value)
                for component, broken in (
                    ("qualifiedMax", q.max_count is not None and n > q.max_count),
                    ("qualifiedMin", q.min_count is not None and n < q.min_count),
                ):
                    if broken:
                        out.append(
                            Outcome(
                                key, shape, component, None, None, shape.path, detail=ctx.detail
                            )
                        )
        return out

    def _less_or_equal(
        self, shape: Shape, ctx: Context, values: str, value: str, other: Node
    ) -> list[Outcome]:
        """sh:lessThanOrEquals: SPARQL finds the pairs it cannot vouch for, Python judges them."""
        bound = self._fresh()
        sure = " || ".join(
            f"(datatype({value}) = <{d}> && datatype({bound}) = <{d}> && "
            f'REGEX(STR({value}), "{p}") && REGEX(STR({bound}), "{p}") && {value} <= {bound})'
            for d, p in literals.SAFE.items()
        )
        where = (
            f"{values} {ctx.var} {sparql(other)} {bound} "
            f"FILTER(!COALESCE(isLiteral({value}) && isLiteral({bound}) && ({sure}), false))"
        )
        projection = self._projection((*ctx.keys, value, bound))
        out = []
        for row in self._query(f"SELECT {projection} WHERE {{ {where} }}", "lessThanOrEquals"):
            key = tuple(row[k[1:]] for k in ctx.keys)
            left, right = row[value[1:]], row[bound[1:]]
            if not literals.less_or_equal_ok(to_rdflib(left), to_rdflib(right)):
                rule = Rule("lessThanOrEquals", other)
                out.append(
                    Outcome(
                        key, shape, "lessThanOrEquals", rule, left, shape.path, detail=ctx.detail
                    )
                )
        return out

    def _sparql(self, shape: Shape, constraint, ctx: Context) -> list[Outcome]:
        """A SHACL-SPARQL constraint, with pySHACL's reading of its result variables."""
        opened = open_select(constraint.select)
        this = "?this"
        rename = {k: (this if k == ctx.var else k) for k in ctx.keys}
        pattern = ctx.pattern
        for old, new in rename.items():
            if old != new:
                pattern = re.sub(re.escape(old) + r"\b", new, pattern)
        keys = tuple(rename[k] for k in ctx.keys)
        extra = tuple(dict.fromkeys(k[1:] for k in keys))
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in constraint.prefixes)
        query = prologue + "\n" + opened.with_focus(pattern, extra)
        projected = [v for v in opened.variables if not v.startswith("gate_")]
        out: list[Outcome] = []
        seen: set = set()
        rows, variables = self._query(query, "sparql", with_variables=True)
        if opened.star:
            projected = [v for v in variables if not v.startswith("gate_")]
        for row in rows:
            key = tuple(row[k[1:]] for k in keys)
            bound = {}
            for name in projected:
                term = row[name]
                if term is not None and not name.startswith("gate_"):
                    bound[name] = term
            t = bound.pop("this", None) if opened.projects_this else None
            p = bound.pop("path", None)
            v = bound.pop("value", None)
            if t is None and p is None and v is None:
                continue
            marker = (key, t, p, v, tuple(bound.items()))
            if marker in seen:
                continue
            seen.add(marker)
            focus = t if t is not None else key[-1]
            value = v if v is not None else key[-1]
            messages = _sparql_messages(shape, constraint, t, p, value, bound)
            out.append(
                Outcome(
                    (*key[:-1], focus),
                    shape,
                    "sparql",
                    None,
                    value,
                    to_rdflib(p) if p is not None else None,
                    messages=messages,
                    detail=ctx.detail,
                )
            )
        return out

    # ------------------------------------------------------------------ queries

    @staticmethod
    def _projection(keys: Iterable[str]) -> str:
        return " ".join(dict.fromkeys(keys))

    def _keys(
        self, ctx: Context, where: str, label: str, tail: str = "", grouped: bool = True
    ) -> Iterator[tuple]:
        projection = self._projection(ctx.keys)
        if tail and grouped:
            query = f"SELECT {projection} WHERE {{ {where} }} GROUP BY {projection} {tail}"
        elif tail:
            group, having = tail.split(" HAVING ", 1)
            query = f"SELECT {projection} WHERE {{ {where} }} {group} {projection} HAVING {having}"
        else:
            query = f"SELECT DISTINCT {projection} WHERE {{ {where} }}"
        for row in self._query(query, label):
            yield tuple(row[k[1:]] for k in ctx.keys)

    def _query(self, query: str, label: str, with_variables: bool = False):
        started = time.perf_counter()
        try:
            results = self.store.query(query)
            rows = list(results)
        except SyntaxError as error:  # a query the gate wrote badly: a bug, say so plainly
            raise RuntimeError(f"gate query does not parse: {error}\n{query}") from error
        self.timings.append((label, time.perf_counter() - started, len(rows)))
        if with_variables:
            return rows, [v.value for v in results.variables]
        return rows


def _order(key: tuple) -> tuple:
    return tuple(str(t) for t in key)


def _sparql_messages(shape: Shape, constraint, this, path, value, bound: dict) -> list[str]:
    """pySHACL's messages for a SPARQL result: the constraint's and the shape's, filled in."""
    values = {name: to_rdflib(term) for name, term in bound.items()}
    if this is not None:
        values["this"] = to_rdflib(this)
    if path is not None:
        values["path"] = to_rdflib(path)
    if value is not None:
        values["value"] = to_rdflib(value)

    def fill(message) -> str:
        text = str(message.value) if hasattr(message, "value") else str(message)
        for name, term in values.items():
            text = re.sub(f"{{[?$]{name}}}", str(term), text)
        return text

    own = list(shape.messages)
    texts = [fill(m) for m in constraint.messages if m not in own]
    texts += [fill(m) for m in own]
    return texts
