"""Real remote engines for the whole session: each is started once, loaded with the web test
edition's release by `carnets.store.load`, and stopped at the end.

Every engine the collected tests ask for is launched when the first of them starts, all
together, since Virtuoso takes seconds to create its database; a test then waits only for its
own engine. Without an engine's binary its tests are skipped, except under CI (CI=true), where
they fail.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from engines import ENGINES, Engine, binary, in_ci, launch

from carnets.export import Release
from carnets.store.load import GraphLoad, RemoteEngine, load_dump

INSTALL = {
    "oxigraph": "pip install oxigraph (in the dev extra)",
    "virtuoso": "apt-get install virtuoso-opensource",
}
TIMINGS: dict[str, dict[str, float]] = {}


@dataclass
class Loaded:
    """A running engine holding the release, with what loading it took."""

    engine: Engine
    release: Release
    loads: list[GraphLoad] = field(default_factory=list)

    def load(self, *, graph_store: bool = True, chunk: int = 20_000) -> list[GraphLoad]:
        """Load the release again (the graph store first, unless told to use SPARQL Update)."""
        return load_dump(
            self.release.dump_path("carnets.nq"),
            self.engine.update_url,
            graph_store=self.engine.graph_store_url if graph_store else None,
            engine=self.writer(),
            chunk=chunk,
        )

    def writer(self, password: str | None = None) -> RemoteEngine:
        return RemoteEngine(
            user=self.engine.user, password=password or self.engine.password, timeout=60
        )


def _wanted(session: pytest.Session) -> list[str]:
    names = {
        item.callspec.params.get("loaded")
        for item in session.items
        if hasattr(item, "callspec") and "loaded" in item.callspec.params
    }
    return [name for name in ENGINES if name in names]


@pytest.fixture(scope="session")
def launched(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, tuple[Engine, Future[float]]]]:
    """Every installed engine that the collected tests use, started at once, each with the
    future seconds it took to answer its first query."""
    engines: dict[str, Engine] = {}
    waiting = ThreadPoolExecutor(max_workers=len(ENGINES))
    try:
        for name in _wanted(request.session):
            if binary(name) is not None:
                engines[name] = launch(name, tmp_path_factory.mktemp(f"engine-{name}"))
        yield {name: (e, waiting.submit(e.wait_until_ready)) for name, e in engines.items()}
    finally:
        for engine in engines.values():
            engine.stop()
        waiting.shutdown()  # a wait still running ends as soon as its engine has stopped


@pytest.fixture(scope="session", params=ENGINES)
def loaded(
    request: pytest.FixtureRequest,
    launched: dict[str, tuple[Engine, Future[float]]],
    release: Release,
) -> Loaded:
    """One engine, ready and holding the release (loaded through the graph store)."""
    name = request.param
    if name not in launched:
        reason = f"{name} is not installed: {INSTALL[name]}, or run `make engines`"
        if in_ci():
            pytest.fail(f"CI needs every engine; {reason}")
        pytest.skip(reason)
    engine, ready = launched[name]
    TIMINGS[name] = {"start-up": ready.result()}
    subject = Loaded(engine, release)
    started = time.monotonic()
    subject.loads = subject.load()
    TIMINGS[name]["load"] = time.monotonic() - started
    return subject


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for name, timing in TIMINGS.items():
        if "load" in timing:
            terminalreporter.write_line(
                f"{name}: answered {timing['start-up']:.2f} s after launch; "
                f"the release loaded in {timing['load']:.2f} s"
            )
