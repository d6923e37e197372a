"""RDF terms across the two libraries: pyoxigraph's (the store) and rdflib's (shapes, reports).

A literal crosses as its lexical form and datatype, so that rdflib builds the very term its
own parser would have built from the file (with the same normalised lexical form), and the
report reads as the reference engine's does.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

XSD_STRING = str(XSD.string)
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@contextmanager
def quiet_rdflib():
    """rdflib logs a traceback for every ill-typed literal it converts; the gate expects them."""
    logger = logging.getLogger("rdflib.term")
    disabled, logger.disabled = logger.disabled, True
    try:
        yield
    finally:
        logger.disabled = disabled


def to_rdflib(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        with quiet_rdflib():
            return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"not an RDF term: {term!r}")


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def sparql(term: Node | object) -> str:
    """A term as SPARQL text (rdflib or pyoxigraph term; blank nodes are refused)."""
    if isinstance(term, (URIRef, Literal, BNode)):
        term = to_ox(term)
    if isinstance(term, ox.BlankNode):
        raise ValueError("a blank node cannot be named in a query")
    return str(term)
