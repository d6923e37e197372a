"""The shapes graph read as the gate compiles it: each shape with its targets and constraints.

The reading follows pySHACL's (which shapes exist, which are property shapes, which components
a shape's parameters call for), because the gate must give pySHACL's verdicts. Whatever the
gate cannot compile exactly raises `Unsupported`, and the reference engine judges instead:
a shape is never half-checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from carnets.errors import CarnetsError

SH = Namespace("http://www.w3.org/ns/shacl#")

# Every parameter of a SHACL Core or SHACL-SPARQL constraint component (pySHACL's list).
PARAMETERS = {
    SH[name]
    for name in [
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minExclusive",
        "minInclusive",
        "maxExclusive",
        "maxInclusive",
        "not",
        "and",
        "or",
        "xone",
        "minLength",
        "maxLength",
        "pattern",
        "languageIn",
        "uniqueLang",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "node",
        "property",
        "qualifiedValueShape",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "qualifiedValueShapesDisjoint",
        "closed",
        "ignoredProperties",
        "hasValue",
        "in",
        "sparql",
        "flags",
    ]
}
COMPARISONS = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}
NODE_KINDS = {
    SH.IRI,
    SH.BlankNode,
    SH.Literal,
    SH.BlankNodeOrIRI,
    SH.BlankNodeOrLiteral,
    SH.IRIOrLiteral,
}


class Unsupported(CarnetsError):
    """The shapes use a construct the gate does not compile; the reference engine must judge."""


@dataclass(frozen=True)
class Sparql:
    """One sh:sparql constraint: its SELECT, the prefixes it declares, its messages."""

    node: Node
    select: str
    prefixes: tuple[tuple[str, str], ...]
    messages: tuple[Literal, ...]


@dataclass(eq=False)
class Shape:
    """A node shape (path None) or a property shape, with its constraints by component."""

    node: Node
    path: Node | None
    severity: Node
    messages: tuple[Literal, ...]
    deactivated: bool
    target_nodes: tuple[Node, ...] = ()
    target_classes: tuple[Node, ...] = ()
    target_subjects_of: tuple[Node, ...] = ()
    target_objects_of: tuple[Node, ...] = ()
    # component name -> its parameters, read once (see Shapes.constraints)
    constraints: dict[str, object] = field(default_factory=dict)

    @property
    def has_targets(self) -> bool:
        return bool(
            self.target_nodes
            or self.target_classes
            or self.target_subjects_of
            or self.target_objects_of
        )


@dataclass(frozen=True)
class Qualified:
    shapes: tuple[Shape, ...]
    min_count: int | None
    max_count: int | None


class Shapes:
    """The shapes of a shapes graph, resolved into `Shape` objects once each."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._shapes: dict[Node, Shape] = {}
        self._reading: set[Node] = set()
        if set(graph.subjects(RDF.type, SH.ConstraintComponent)):
            raise Unsupported("custom constraint components")
        self.property_shapes = {s for s in graph.subjects(SH.path, None)}
        self.top_level = [self.shape(node) for node in self._targeted()]

    def _targeted(self) -> list[Node]:
        g = self.graph
        found: set[Node] = set()
        for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            found.update(g.subjects(predicate, None))
        # SHACL-AF targets (sh:target): pySHACL ignores them unless `advanced`, as the gate does
        classes = {RDFS.Class, *g.subjects(RDFS.subClassOf, RDFS.Class)}
        shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(
            g.subjects(RDF.type, SH.PropertyShape)
        )
        for node in shapes | found:
            if classes & set(g.objects(node, RDF.type)):
                raise Unsupported("implicit class targets")
        return sorted(found, key=lambda n: (isinstance(n, BNode), str(n)))

    def all(self) -> list[Shape]:
        """Every shape read so far: the top-level ones and all they reach."""
        return list(self._shapes.values())

    def shape(self, node: Node) -> Shape:
        if node in self._shapes:
            return self._shapes[node]
        if node in self._reading:
            raise Unsupported(f"recursive shapes ({node})")
        self._reading.add(node)
        try:
            shape = self._read(node)
        finally:
            self._reading.discard(node)
        self._shapes[node] = shape
        return shape

    def _values(self, node: Node, predicate: URIRef) -> list[Node]:
        return list(self.graph.objects(node, predicate))

    def _list(self, node: Node) -> list[Node]:
        items = list(self.graph.items(node))
        if not items:
            raise Unsupported("an empty or malformed RDF list in the shapes")
        return items

    def _one_int(self, node: Node, predicate: URIRef) -> int | None:
        values = self._values(node, predicate)
        if not values:
            return None
        if len(values) > 1 or not isinstance(values[0], Literal):
            raise Unsupported(f"{predicate} with several or non-literal values")
        value = values[0].value
        if not isinstance(value, int) or isinstance(value, bool):
            raise Unsupported(f"{predicate} that is not an integer")
        return value

    def _read(self, node: Node) -> Shape:
        g = self.graph
        paths = self._values(node, SH.path)
        if len(paths) > 1:
            raise Unsupported("a property shape with several paths")
        path = paths[0] if paths else None
        if path is not None:
            check_path(g, path)
        severities = self._values(node, SH.severity)
        deactivated = self._values(node, SH.deactivated)
        shape = Shape(
            node=node,
            path=path,
            severity=severities[0] if severities else SH.Violation,
            messages=tuple(set(self._values(node, SH.message))),
            deactivated=bool(
                deactivated and isinstance(deactivated[0], Literal) and deactivated[0].value
            ),
            target_nodes=tuple(self._values(node, SH.targetNode)),
            target_classes=tuple(self._values(node, SH.targetClass)),
            target_subjects_of=tuple(self._values(node, SH.targetSubjectsOf)),
            target_objects_of=tuple(self._values(node, SH.targetObjectsOf)),
        )
        if len(severities) > 1 or len(deactivated) > 1:
            raise Unsupported("a shape with several severities or sh:deactivated values")
        present = {p for p in g.predicates(node, None) if p in PARAMETERS}
        shape.constraints = self._constraints(node, shape, present)
        return shape

    def _constraints(self, node: Node, shape: Shape, present: set) -> dict[str, object]:
        """The components pySHACL would run for this shape, with their parameters."""
        found: dict[str, object] = {}
        unknown = present - {
            SH["class"],
            SH.datatype,
            SH.nodeKind,
            SH.minCount,
            SH.maxCount,
            *COMPARISONS,
            SH["not"],
            SH["and"],
            SH["or"],
            SH.xone,
            SH.minLength,
            SH.maxLength,
            SH.pattern,
            SH.languageIn,
            SH.uniqueLang,
            SH.lessThanOrEquals,
            SH.node,
            SH.property,
            SH.qualifiedValueShape,
            SH.qualifiedMinCount,
            SH.qualifiedMaxCount,
            SH.qualifiedValueShapesDisjoint,
            SH.hasValue,
            SH.sparql,
        }
        if unknown:
            names = sorted("sh:" + str(u).rsplit("#", 1)[-1] for u in unknown)
            raise Unsupported("constraint components " + ", ".join(names))
        is_property = shape.path is not None
        if SH["class"] in present:
            found["class"] = self._values(node, SH["class"])
        if SH.datatype in present:
            values = self._values(node, SH.datatype)
            if len(values) != 1 or not isinstance(values[0], URIRef):
                raise Unsupported("sh:datatype with several or non-IRI values")
            if values[0] in (RDFS.Datatype,):
                raise Unsupported("sh:datatype rdfs:Datatype")
            found["datatype"] = values[0]
        if SH.nodeKind in present:
            values = self._values(node, SH.nodeKind)
            if len(values) != 1 or values[0] not in NODE_KINDS:
                raise Unsupported("sh:nodeKind with several or unknown values")
            found["nodeKind"] = values[0]
        for name in ("minCount", "maxCount"):
            if SH[name] in present:
                values = self._values(node, SH[name])
                if not is_property or len(values) != 1 or not _is_count(values[0]):
                    raise Unsupported(f"sh:{name} that pySHACL would refuse")
                found[name] = int(values[0].value)
        for predicate in COMPARISONS:
            if predicate in present:
                values = self._values(node, predicate)
                if any(not _is_safe_integer(v) for v in values):
                    raise Unsupported(f"{predicate} with a value that is not an xsd:integer")
                found[str(predicate)] = values
        for name in ("not",):
            if SH[name] in present:
                found[name] = [self.shape(s) for s in self._values(node, SH[name])]
        for name in ("and", "or", "xone"):
            if SH[name] in present:
                lists = self._values(node, SH[name])
                found[name] = [(lst, [self.shape(s) for s in self._list(lst)]) for lst in lists]
        for name in ("minLength", "maxLength"):
            if SH[name] in present:
                values = self._values(node, SH[name])
                if len(values) != 1 or not _is_count(values[0]):
                    raise Unsupported(f"sh:{name} that pySHACL would refuse")
                found[name] = values[0]
        if SH.pattern in present:
            if self._values(node, SH.flags):
                raise Unsupported("sh:flags")
            patterns = self._values(node, SH.pattern)
            for pattern in patterns:
                check_pattern(pattern)
            found["pattern"] = patterns
        if SH.languageIn in present:
            values = self._values(node, SH.languageIn)
            if len(values) != 1:
                raise Unsupported("several sh:languageIn")
            languages = self._list(values[0])
            if any(
                not (isinstance(lang, Literal) and isinstance(lang.value, str))
                for lang in languages
            ):
                raise Unsupported("sh:languageIn with non-string members")
            found["languageIn"] = (values[0], [str(lang).lower() for lang in languages])
        if SH.uniqueLang in present:
            values = self._values(node, SH.uniqueLang)
            if not is_property or values != [Literal(True)]:
                raise Unsupported("sh:uniqueLang other than true on a property shape")
            found["uniqueLang"] = True
        if SH.lessThanOrEquals in present:
            values = self._values(node, SH.lessThanOrEquals)
            if not is_property or any(not isinstance(v, URIRef) for v in values):
                raise Unsupported(
                    "sh:lessThanOrEquals other than to a property of a property shape"
                )
            found["lessThanOrEquals"] = list(set(values))
        if SH.node in present:
            found["node"] = [self.shape(s) for s in self._values(node, SH.node)]
        if SH.property in present:
            props = [self.shape(s) for s in self._values(node, SH.property)]
            if any(p.path is None for p in props):
                raise Unsupported("sh:property whose value is not a property shape")
            found["property"] = props
        if present & {SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount}:
            if not is_property:
                raise Unsupported("qualified value shapes on a node shape")
            disjoint = self._values(node, SH.qualifiedValueShapesDisjoint)
            if any(isinstance(d, Literal) and d.value is True for d in disjoint):
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            found["qualified"] = Qualified(
                tuple(self.shape(s) for s in set(self._values(node, SH.qualifiedValueShape))),
                self._one_int(node, SH.qualifiedMinCount),
                self._one_int(node, SH.qualifiedMaxCount),
            )
        if SH.hasValue in present:
            values = set(self._values(node, SH.hasValue))
            if any(
                isinstance(v, BNode) or (isinstance(v, Literal) and not _plain(v)) for v in values
            ):
                raise Unsupported("sh:hasValue with a blank node or a typed literal")
            found["hasValue"] = list(values)
        if SH.sparql in present:
            found["sparql"] = [self._sparql(s) for s in set(self._values(node, SH.sparql))]
        return found

    def _sparql(self, node: Node) -> Sparql:
        selects = self._values(node, SH.select)
        if len(selects) != 1 or not isinstance(selects[0], Literal):
            raise Unsupported("sh:sparql without exactly one sh:select")
        if self._values(node, SH.ask) or self._values(node, SH.deactivated):
            raise Unsupported("sh:sparql with sh:ask or sh:deactivated")
        return Sparql(
            node=node,
            select=str(selects[0].value),
            prefixes=tuple(self._prefixes(node)),
            messages=tuple(set(self._values(node, SH.message))),
        )

    def _prefixes(self, node: Node) -> list[tuple[str, str]]:
        """The prefixes pySHACL declares for a SPARQL constraint (its collect_prefixes)."""
        g = self.graph
        declared: dict[str, str] = {}
        values = self._values(node, SH.prefixes)
        if not values:
            return []
        named = set(g.objects(g.identifier, SH.declare)) if g.identifier else set()
        ontologies = set(g.subjects(RDF.type, OWL.Ontology))
        everywhere = named | {d for o in ontologies for d in g.objects(o, SH.declare)}
        for value in values:
            own = set(g.objects(value, SH.declare))
            declares = (own | named) if own and value in ontologies else (everywhere | own)
            for declare in declares:
                prefix = self._values(declare, SH.prefix)
                namespace = self._values(declare, SH.namespace)
                if len(prefix) != 1 or len(namespace) != 1:
                    raise Unsupported("sh:declare without exactly one prefix and namespace")
                declared[str(prefix[0].value)] = str(namespace[0].value)
        return list(declared.items())


def check_path(graph: Graph, path: Node) -> None:
    """Only an IRI or an inverse IRI: the paths the gate writes as SPARQL paths."""
    if isinstance(path, URIRef):
        return
    inverse = list(graph.objects(path, SH.inversePath))
    single = len(inverse) == 1 and len(set(graph.predicates(path, None))) == 1
    if isinstance(path, BNode) and single and isinstance(inverse[0], URIRef):
        return
    raise Unsupported("property paths other than an IRI or its inverse")


def path_steps(graph: Graph, path: Node) -> tuple[URIRef, bool]:
    """The predicate of a path, and whether it is read backwards."""
    if isinstance(path, URIRef):
        return path, False
    return next(iter(graph.objects(path, SH.inversePath))), True


# Regular expressions that Python's re and the SPARQL engine's (Rust regex) read alike:
# literal characters, escaped punctuation, classes of plain characters, groups, alternation,
# quantifiers and the two anchors. Anything else (\d, \w, lookarounds, flags) is refused.
_PATTERN_CHARS = set(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/#:_-,;'\"@!%&=~ "
)
_PATTERN_SYNTAX = set("^$()|?*+{}[].")


def check_pattern(pattern: Node) -> None:
    if not isinstance(pattern, Literal) or not isinstance(pattern.value, str):
        raise Unsupported("sh:pattern that is not a string")
    text = str(pattern.value)
    in_class = False
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 >= len(text) or text[i + 1].isalnum():
                raise Unsupported(f"sh:pattern escape in {text!r}")
            i += 2
            continue
        if in_class:
            # Rust reads a nested class, and &&, -- and ~~ as set operations, in a class
            if char == "[" or text[i : i + 2] in ("&&", "--", "~~"):
                raise Unsupported(f"sh:pattern class syntax in {text!r}")
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if text[i + 1 : i + 2] in ("^", "]"):
                i += 1
        elif char == "(" and text[i + 1 : i + 2] == "?":
            raise Unsupported(f"sh:pattern group syntax in {text!r}")
        if char not in _PATTERN_CHARS and char not in _PATTERN_SYNTAX:
            raise Unsupported(f"sh:pattern character {char!r} in {text!r}")
        i += 1


def _is_count(value: Node) -> bool:
    return _is_safe_integer(value) and int(value.value) >= 0


def _is_safe_integer(value: Node) -> bool:
    return (
        isinstance(value, Literal)
        and value.datatype == XSD.integer
        and isinstance(value.value, int)
        and not isinstance(value.value, bool)
    )


def _plain(value: Literal) -> bool:
    return value.datatype in (None, XSD.string) or value.language is not None
