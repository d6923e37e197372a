"""/health tells a load balancer the truth: 200 only when this replica can answer."""

from __future__ import annotations

import copy
import shutil
import time
from dataclasses import replace

from carnets.store.remote import RemoteStore
from carnets.web import create_app

BASE = "https://w3id.org/carnets/serge/"


def test_a_ready_server_is_healthy(client, release):
    deadline = time.monotonic() + 30
    while (response := client.get("/health")).get_json()["status"] != "ok":
        assert response.status_code == 200  # starting workers: busy, never unavailable
        assert time.monotonic() < deadline
        time.sleep(0.1)
    body = response.get_json()
    assert body["status"] == "ok" and body["problems"] == []
    assert body["release"] == release.fingerprint


def test_a_store_that_does_not_answer_is_a_503(settings, release):
    dead = RemoteStore("http://127.0.0.1:9/sparql", BASE, timeout=1)
    app = create_app(replace(settings, store="remote"), dead, release)
    response = app.test_client().get("/health")
    assert response.status_code == 503
    problems = response.get_json()["problems"]
    assert any("the store does not answer" in problem for problem in problems)


def test_a_release_folder_removed_under_the_server_is_a_503(settings, store, release, tmp_path):
    moved = tmp_path / "release"
    shutil.copytree(release.path, moved, ignore=shutil.ignore_patterns("store"))
    app = create_app(settings, store, replace(release, path=moved))
    assert app.test_client().get("/health").status_code == 200
    shutil.rmtree(moved)
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert "is gone" in response.get_json()["problems"][0]


def test_a_remote_engine_holding_another_release_is_a_503(settings, release, live_server):
    engine = RemoteStore(f"{live_server}/sparql", BASE, timeout=10)
    same = create_app(replace(settings, store="remote"), engine, release)
    assert same.test_client().get("/health").status_code == 200
    manifest = copy.deepcopy(release.manifest)
    first = next(iter(manifest["triples"]))
    manifest["triples"][first] += 1
    other = create_app(
        replace(settings, store="remote"), engine, replace(release, manifest=manifest)
    )
    response = other.test_client().get("/health")
    assert response.status_code == 503
    assert "does not hold this release" in response.get_json()["problems"][0]


def test_a_damaged_release_makes_health_and_downloads_503(settings, store, tmp_path):
    from carnets.export import prepare_release

    class Conforms:
        conforms = True

        def text(self) -> str:
            return "Conforms"

    release = prepare_release(replace(settings, build_dir=tmp_path), validate=lambda s: Conforms())
    dump = release.dump_path("carnets.ttl", compressed=True)
    data = bytearray(dump.read_bytes())
    data[-1] ^= 1  # same size, other bytes: only the checksum can tell
    dump.write_bytes(bytes(data))
    app = create_app(settings, store, release)
    app.extensions["carnets"].verify_release()  # what the background check does at start-up
    client = app.test_client()
    health = client.get("/health")
    assert health.status_code == 503
    assert "carnets.ttl.gz" in health.get_json()["problems"][0]
    download = client.get("/download/carnets.nq")
    assert download.status_code == 503
    assert "damaged" in download.get_data(as_text=True)
