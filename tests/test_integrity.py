"""Releases stay whole: checked when opened, never pruned under a server, no scratch left."""

from __future__ import annotations

import errno
import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from carnets import export, integrity
from carnets.config import Settings
from carnets.errors import ReleaseError
from carnets.export import Release, prepare_release

FIXTURE = Path(__file__).parent / "web" / "fixtures" / "edition"


class Conforms:
    conforms = True

    def text(self) -> str:
        return "Conforms"


def accept(settings: Settings) -> Conforms:
    return Conforms()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    shutil.copytree(FIXTURE, tmp_path / "edition")
    return Settings.from_env({}, root=tmp_path / "edition")


def test_a_truncated_dump_is_found_on_open_and_the_release_rebuilt(settings):
    release = prepare_release(settings, validate=accept)
    dump = release.dump_path("carnets.nq")
    dump.write_bytes(dump.read_bytes()[:-10])
    with pytest.raises(ReleaseError, match=r"download/carnets\.nq has \d+ bytes"):
        Release.load(release.path)
    again = prepare_release(settings, validate=accept)
    assert Release.load(again.path).damage() == []


def test_a_dump_changed_in_place_is_found_by_its_checksum(settings):
    release = prepare_release(settings, validate=accept)
    dump = release.dump_path("carnets.nt")
    data = bytearray(dump.read_bytes())
    data[10] ^= 1  # same size, other bytes
    dump.write_bytes(bytes(data))
    assert release.damage() == ["download/carnets.nt does not have the checksum of the manifest"]


def test_a_bad_manifest_is_a_clear_error(settings):
    release = prepare_release(settings, validate=accept)
    (release.path / "manifest.json").write_text("{not json", "utf-8")
    with pytest.raises(ReleaseError, match=r"bad manifest\.json"):
        Release.load(release.path)
    manifest = {"fingerprint": "x"}
    (release.path / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(ReleaseError, match=r"bad manifest\.json"):
        Release.load(release.path)


def test_pruning_never_removes_a_release_a_server_holds(settings, monkeypatch):
    monkeypatch.setattr(export, "KEEP_RELEASES", 1)
    first = prepare_release(settings, validate=accept)
    lease = first.hold()
    try:
        (settings.root / "data" / "edition.ttl").write_text(
            (settings.root / "data" / "edition.ttl").read_text("utf-8") + "\n# changed\n", "utf-8"
        )
        second = prepare_release(settings, validate=accept)
        assert second.path != first.path
        assert (first.path / "manifest.json").exists()  # held: kept
    finally:
        lease.close()
    (settings.root / "data" / "edition.ttl").write_text(
        (settings.root / "data" / "edition.ttl").read_text("utf-8") + "\n# again\n", "utf-8"
    )
    prepare_release(settings, validate=accept)
    assert not first.path.exists()  # no longer held: pruned


def test_a_killed_build_leaves_nothing_behind(settings):
    root = export.release_root(settings)
    root.mkdir(parents=True)
    dead = root / ".building-abc123-999999999"  # no such process
    (dead / "store").mkdir(parents=True)
    ours = root / f".building-abc123-{os.getppid()}"  # a live process: another build running
    ours.mkdir()
    prepare_release(settings, validate=accept)
    assert not dead.exists()
    assert ours.exists()


def test_a_release_root_that_cannot_be_written_is_a_clear_error(settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    broken = replace(settings, build_dir=blocker / "publish")
    with pytest.raises(ReleaseError, match=r"cannot build the release in .*publish"):
        prepare_release(broken, validate=accept)


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "the disk is full"), (errno.EROFS, "the file system is read-only")],
)
def test_disk_errors_read_as_sentences(code, words):
    error = OSError(code, os.strerror(code), "/srv/build/x")
    assert integrity.describe_os_error(error, "build the release") == (
        f"cannot build the release (/srv/build/x): {words}"
    )


def test_two_threads_building_the_same_folder_both_get_it(tmp_path):
    """Two builds of one process at once (two apps over one remote engine): each has its own
    scratch folder, and both end with the complete folder."""
    import threading

    from carnets.integrity import LOCK_FILE, build_folder

    started = threading.Barrier(2)

    def build(scratch):
        started.wait(timeout=10)  # both scratch folders exist before either is renamed
        (scratch / LOCK_FILE).write_text("{}")
        (scratch / "data").write_text("the same")
        return "same"

    found = []
    threads = [
        threading.Thread(target=lambda: found.append(build_folder(tmp_path, "k", build, "test")))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [tmp_path / "same"] * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same"]
    assert (tmp_path / "same" / "data").read_text() == "the same"
