"""The edition survives Turtle, JSON-LD and N-Triples with no triple lost."""

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from carnets.config import Settings
from carnets.loading import load_dataset, union_graph


@pytest.fixture(scope="module")
def edition(shipped: Settings) -> Graph:
    return union_graph(load_dataset(shipped))


@pytest.mark.parametrize("fmt", ["turtle", "json-ld", "nt"])
def test_round_trip_is_isomorphic(edition: Graph, fmt: str):
    text = edition.serialize(format=fmt)
    back = Graph().parse(data=text, format=fmt)
    assert len(back) == len(edition)
    assert isomorphic(back, edition)


def test_non_ascii_text_survives(edition: Graph):
    back = Graph().parse(data=edition.serialize(format="json-ld"), format="json-ld")
    texts = {str(o) for o in back.objects() if "Crémieux has been murdered" in str(o)}
    assert texts and all("Quai d’Orsay" in t for t in texts if "Quai" in t)
