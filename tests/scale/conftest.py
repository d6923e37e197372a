"""Replicas of `carnets serve` on one release, behind nginx on 127.0.0.1.

Each replica is a real `carnets serve` process started on the web test edition's root with
CARNETS_BUILD_DIR at the release's folder, so that every replica opens the release the session
built, read-only, and none builds its own. A replica is told apart from the others by its
request log (stderr, one line per request, naming the client it saw); the proxy also names the
replica that answered in an `X-Upstream` header of its own.

The replicas that the collected tests use are started all at once, when the first of them is
needed, since most of a start is importing; a test then waits only for its own pair (healthy,
and answering from memory) and gets an nginx of its own in front of it. Without
nginx the tests are skipped, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from engines import in_ci
from proxy import INSTALL, Cluster, Replica, launch_nginx, nginx_binary

from carnets.export import Release

# Every replica: a port of its own, two query workers, the proxy's X-Forwarded-For trusted.
REPLICA = {
    "CARNETS_PORT": "0",
    "CARNETS_THREADS": "8",
    "CARNETS_QUERY_WORKERS": "2",
    "CARNETS_TRUSTED_PROXIES": "1",
    "CARNETS_RATE_LIMIT": "0",
    "CARNETS_CLIENT_QUERIES": "0",
}
# The replicas a test may ask for, by fixture name: how many, and their settings beyond REPLICA.
# The doomed one is paired with the first of `replicas`, so that killing it harms no other test.
FLEET: dict[str, tuple[int, dict[str, str]]] = {
    # short limits, so that a runaway query is a 503 within a second
    "replicas": (2, {"CARNETS_QUERY_TIMEOUT": "0.5", "CARNETS_QUEUE_WAIT": "0.5"}),
    "limited_replicas": (2, {"CARNETS_RATE_LIMIT": "1", "CARNETS_RATE_BURST": "2"}),
    "doomed_replicas": (1, {}),
}
TIMINGS: dict[str, float] = {}


def _wanted(session: pytest.Session) -> list[str]:
    used = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    if "doomed_replicas" in used:
        used.add("replicas")
    return [name for name in FLEET if name in used]


@pytest.fixture(scope="session")
def timings() -> dict[str, float]:
    """Seconds a test measured, for the summary at the end of the run."""
    return TIMINGS


@pytest.fixture(scope="session")
def nginx() -> str:
    found = nginx_binary()
    if found is None:
        reason = f"nginx is not installed: {INSTALL}"
        if in_ci():
            pytest.fail(f"CI needs nginx for the scale-out tests; {reason}")
        pytest.skip(reason)
    return found


@pytest.fixture(scope="session")
def fleet(
    request: pytest.FixtureRequest, nginx: str, settings, release: Release
) -> Iterator[dict[str, list[Replica]]]:
    """Every replica the collected tests use, started at once."""
    started: dict[str, list[Replica]] = {}
    try:
        for name in _wanted(request.session):
            count, special = FLEET[name]
            env = {**REPLICA, "CARNETS_BUILD_DIR": str(release.path.parent), **special}
            started[name] = [Replica(settings.root, env) for _ in range(count)]
        yield started
    finally:
        for replica in (r for group in started.values() for r in group):
            replica.stop()


def _cluster(
    name: str, replicas: list[Replica], release: Release, tmp_path_factory
) -> Iterator[Cluster]:
    ready = max(replica.wait_until_ready() for replica in replicas)
    TIMINGS.setdefault("ready", ready)  # the first pair waited for: from launch to answering
    for replica in replicas:
        assert replica.health()[1]["release"] == release.fingerprint
    proxy = launch_nginx(tmp_path_factory.mktemp(f"nginx-{name}"), [r.address for r in replicas])
    try:
        proxy.wait_until_ready()
        yield Cluster(replicas, proxy, release)
    finally:
        proxy.stop()


@pytest.fixture(scope="module")
def replicas(fleet, release, tmp_path_factory) -> Iterator[Cluster]:
    """Two replicas without admission limits, behind nginx."""
    yield from _cluster("replicas", fleet["replicas"], release, tmp_path_factory)


@pytest.fixture(scope="module")
def limited_replicas(fleet, release, tmp_path_factory) -> Iterator[Cluster]:
    """Two replicas allowing each client 1 request a second in bursts of 2, behind nginx."""
    yield from _cluster("limited_replicas", fleet["limited_replicas"], release, tmp_path_factory)


@pytest.fixture
def doomed_replicas(fleet, release, tmp_path_factory) -> Iterator[Cluster]:
    """A replica to kill and one to survive it (the first of `replicas`), behind an nginx of
    their own."""
    pair = [*fleet["doomed_replicas"], fleet["replicas"][0]]
    yield from _cluster("doomed_replicas", pair, release, tmp_path_factory)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if "ready" in TIMINGS:
        terminalreporter.write_line(
            f"replicas: every replica of the first pair answered from memory "
            f"{TIMINGS['ready']:.2f} s after launch"
        )
    if "failover" in TIMINGS:
        terminalreporter.write_line(
            f"replicas: with one replica killed, 10 requests through nginx took "
            f"{TIMINGS['failover'] * 1000:.0f} ms"
        )
