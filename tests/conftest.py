"""Fixtures shared by the whole suite: the shipped edition, as files and in a real engine."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from carnets.config import Settings
from carnets.loading import EditionFiles

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def shipped() -> Settings:
    """Settings for the edition in this repository, whatever the environment says."""
    return Settings.from_env(environ={})


@pytest.fixture(scope="session")
def shipped_store(shipped: Settings) -> ox.Store:
    """The shipped edition in pyoxigraph, one named graph per part, as the server holds it."""
    store = ox.Store()
    for graph, paths in EditionFiles.find(shipped).by_graph(shipped.base).items():
        for path in paths:
            store.load(
                path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(graph))
            )
    return store
