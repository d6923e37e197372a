"""`carnets.store.load` and `carnets load` against real engines: what the engines then hold."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from carnets.cli import cli
from carnets.store.load import LoadError, RemoteEngine, load_dump

BASE = "https://w3id.org/carnets/serge/"


def held_counts(loaded) -> dict[str, int]:
    """The engine's counts for the release's graphs, and for any other graph under the base."""
    counts = loaded.engine.triple_counts()
    return {g: n for g, n in counts.items() if g in loaded.release.triple_counts or BASE in g}


def release_graph(loaded, graph: str) -> Graph:
    quads = ox.parse(path=str(loaded.release.dump_path("carnets.nq")), format=ox.RdfFormat.N_QUADS)
    triples = [q.triple for q in quads if q.graph_name == ox.NamedNode(graph)]
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


def engine_graph(loaded, graph: str) -> Graph:
    body = loaded.engine.ask_engine(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
        "application/n-triples",
    )
    return Graph().parse(data=body, format="nt")


def test_counts_per_graph_equal_the_release(loaded):
    assert held_counts(loaded) == loaded.release.triple_counts
    assert {g.graph: g.method for g in loaded.loads} == dict.fromkeys(
        loaded.release.triple_counts, "graph store"
    )


def test_each_graph_holds_the_release_triples_blank_nodes_and_all(loaded):
    for graph in loaded.release.triple_counts:
        assert isomorphic(engine_graph(loaded, graph), release_graph(loaded, graph)), graph


def test_loading_again_in_small_chunks_replaces_each_graph(loaded):
    loads = loaded.load(chunk=7)
    assert held_counts(loaded) == loaded.release.triple_counts
    assert all(g.requests > 1 for g in loads if g.triples > 7)
    edition = BASE + "graph/edition"  # its mentions' targets and selectors are blank nodes
    assert isomorphic(engine_graph(loaded, edition), release_graph(loaded, edition))


def test_sparql_update_loads_the_same_graphs(loaded):
    loads = loaded.load(graph_store=False, chunk=5)
    assert {g.method for g in loads} == {"SPARQL Update"}
    assert held_counts(loaded) == loaded.release.triple_counts
    edition = BASE + "graph/edition"
    assert isomorphic(engine_graph(loaded, edition), release_graph(loaded, edition))


def test_an_engine_without_that_graph_store_gets_sparql_update(loaded):
    root = loaded.engine.query_url.rsplit("/", 1)[0]
    loads = load_dump(
        loaded.release.dump_path("carnets.nq"),
        loaded.engine.update_url,
        graph_store=f"{root}/no-graph-store-here",
        engine=loaded.writer(),
    )
    assert {g.method for g in loads} == {"SPARQL Update"}
    assert held_counts(loaded) == loaded.release.triple_counts


@pytest.mark.parametrize("loaded", ["virtuoso"], indirect=True)  # oxigraph serve has no users
@pytest.mark.parametrize(
    ("engine", "message"),
    [
        (RemoteEngine(user="dba", password="not-the-password"), "refused the credentials of 'dba'"),
        (RemoteEngine(), "asks for a user and password"),
    ],
)
def test_wrong_or_missing_credentials_are_one_clear_error(loaded, engine, message):
    with pytest.raises(LoadError, match=message):
        load_dump(
            loaded.release.dump_path("carnets.nq"),
            loaded.engine.update_url,
            graph_store=loaded.engine.graph_store_url,
            engine=engine,
        )
    assert held_counts(loaded) == loaded.release.triple_counts


def _run_cli(edition_root: Path, *args: str, password: str | None = None):
    env: dict[str, str | None] = dict.fromkeys(
        (name for name in os.environ if name.startswith("CARNETS_")), None
    )
    env["CARNETS_LOAD_PASSWORD"] = password
    return CliRunner().invoke(cli, ["--root", str(edition_root), "load", *args], env=env)


def test_carnets_load_command(loaded, edition_root):
    engine = loaded.engine
    args = ["--into", engine.update_url, "--graph-store", engine.graph_store_url]
    if engine.user:
        args += ["--user", engine.user]
    result = _run_cli(edition_root, *args, password=engine.password)
    assert result.exit_code == 0, result.output
    for graph, count in loaded.release.triple_counts.items():
        assert f"{graph}: {count} triples in " in result.output
    assert result.output.count("(graph store)") == len(loaded.release.triple_counts)
    assert held_counts(loaded) == loaded.release.triple_counts


def test_carnets_load_unreachable_engine_is_a_one_line_error(release, edition_root):
    result = _run_cli(edition_root, "--into", "http://127.0.0.1:9/update")
    assert result.exit_code == 1
    assert result.output.startswith("Error: http://127.0.0.1:9/update could not be reached")
    assert len(result.output.strip().splitlines()) == 1
