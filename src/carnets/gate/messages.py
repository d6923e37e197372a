"""The messages pySHACL writes for a result whose shape has no sh:message, word for word.

Terms are written by pySHACL's own `stringify_node`: shapes with the shapes graph's prefixes,
data terms with the data graph's, so that a message reads the same from either engine.
"""

from __future__ import annotations

from pyshacl.rdfutil import stringify_node
from rdflib import Graph
from rdflib.term import Node

from carnets.gate.compile import Rule
from carnets.gate.shapes import Shape


def generic(
    shape: Shape,
    component: str,
    rule: Rule | None,
    focus: Node,
    value: Node | None,
    shapes: Graph,
    data: Graph,
) -> list[str]:
    def sg(term: Node) -> str:
        return stringify_node(shapes, term)

    def dg(term: Node) -> str:
        try:
            return stringify_node(data, term)
        except (LookupError, ValueError):
            return str(term)

    c = shape.constraints
    path = sg(shape.path) if shape.path is not None else None
    if component == "class":
        classes = c["class"]
        if len(classes) < 2:
            return [f"Value does not have class {sg(classes[0])}"]
        return [f"Value class is not in classes ({', '.join(sg(k) for k in classes)})"]
    if component == "datatype":
        return [f"Value is not Literal with datatype {sg(c['datatype'])}"]
    if component == "nodeKind":
        return [f"Value is not of Node Kind {sg(c['nodeKind'])}"]
    if component in ("minCount", "maxCount"):
        word = "Less" if component == "minCount" else "More"
        where = f"{dg(focus)}->{path}" if path else dg(focus)
        return [f"{word} than {c[component]} values on {where}"]
    if component == "pattern":
        patterns = c["pattern"]
        if len(patterns) < 2:
            return [f"Value does not match pattern '{patterns[0].value}'"]
        joined = "', '".join(str(p.value) for p in patterns)
        return [f"Value does not match every pattern in ('{joined}')"]
    if component == "minLength":
        return [f"String length not >= {dg(c['minLength'])}"]
    if component == "maxLength":
        return [f"String length not <= {dg(c['maxLength'])}"]
    if component == "languageIn":
        return [f"String language is not in {sg(c['languageIn'][0])}"]
    if component == "uniqueLang":
        return ["More than one String shares the same Language"]
    if component == "compare":
        operator, _, predicate = rule.param
        bounds = c[str(predicate)]
        if len(bounds) < 2:
            return [f"Value is not {operator} {sg(bounds[0])}"]
        return [f"Value is not {operator} in ({', '.join(sg(b) for b in bounds)})"]
    if component == "lessThanOrEquals":
        others = c["lessThanOrEquals"]
        rules = sg(others[0]) if len(others) < 2 else ", ".join(sg(p) for p in others)
        return [f"Value of {dg(focus)}->{rules} < {dg(value)}"]
    if component == "hasValue":
        values = [sg(v) for v in c["hasValue"]]
        if path:
            return [f"Node {dg(focus)}->{path} does not contain a value in the set: {values}"]
        return [f"Node {dg(focus)} value is not a in the set of values: {values}"]
    if component == "not":
        nots = c["not"]
        if len(nots) == 1:
            return [f"Node {dg(value)} must not conform to shape {sg(nots[0].node)}"]
        listed = " , ".join(sg(n.node) for n in nots)
        return [f"Node {dg(value)} must not conform to any shapes in {listed}"]
    if component in ("and", "or", "xone"):
        lists = [lst for lst, _ in c[component]]
        if len(lists) < 2:
            members = " , ".join(sg(m) for m in shapes.items(lists[0]))
        else:
            members = " and ".join(
                "(" + " , ".join(sg(m) for m in shapes.items(lst)) + ")" for lst in lists
            )
        verb = {
            "and": "must conform to all shapes in",
            "or": "must conform to one or more shapes in",
            "xone": "must conform to exactly one shape in",
        }[component]
        return [f"Node {dg(value)} {verb} {members}"]
    if component == "node":
        nodes = c["node"]
        if len(nodes) < 2:
            text = f"Value does not conform to Shape {sg(nodes[0].node)}."
        else:
            listed = "', '".join(sg(n.node) for n in nodes)
            text = f"Value must conform to every Shape in ('{listed}')."
        return [text + " See details for more information."]
    if component in ("qualifiedMin", "qualifiedMax"):
        qualified = c["qualified"]
        listed = ",".join(sg(s.node) for s in qualified.shapes)
        counts = ""
        if qualified.min_count is not None:
            counts += f" MinCount {qualified.min_count}"
        if qualified.max_count is not None:
            counts += f" MaxCount {qualified.max_count}"
        if len(qualified.shapes) > 1:
            return [f"Focus node does not conform to shapes{counts}: ({listed})"]
        return [f"Focus node does not conform to shape{counts}: {listed}"]
    return []
