"""Several files replaced as one change: all or, after a crash, all on the next run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from carnets.files import JOURNAL, finish_interrupted, write_all_atomically


def _files(folder: Path) -> dict[str, str]:
    """The files a reader sees (temporary files and the journal start with a dot)."""
    return {p.name: p.read_text() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def test_all_files_are_replaced_and_nothing_is_left(tmp_path: Path):
    (tmp_path / "a.ttl").write_text("old a")
    write_all_atomically(
        {tmp_path / "a.ttl": "new a", tmp_path / "b.ttl": "new b"}, tmp_path / JOURNAL
    )
    assert _files(tmp_path) == {"a.ttl": "new a", "b.ttl": "new b"}
    assert list(tmp_path.glob(".*")) == []


def test_a_failure_while_writing_leaves_the_old_files_alone(tmp_path: Path):
    (tmp_path / "a.ttl").write_text("old a")
    (tmp_path / "sub").write_text("a file where a folder must be")
    with pytest.raises(OSError):
        write_all_atomically(
            {tmp_path / "a.ttl": "new a", tmp_path / "sub" / "b.ttl": "new b"}, tmp_path / JOURNAL
        )
    assert _files(tmp_path) == {"a.ttl": "old a", "sub": "a file where a folder must be"}
    assert list(tmp_path.glob(".*")) == []


def test_renames_cut_short_are_completed_on_the_next_run(tmp_path: Path, monkeypatch):
    """A crash after the first rename: the journal says what is left, and the next run does it."""
    for name in ("a.ttl", "b.ttl", "c.ttl"):
        (tmp_path / name).write_text(f"old {name[0]}")
    real_replace = os.replace
    calls = []

    def crash_after_one(source, target):
        if not str(target).endswith(JOURNAL):
            calls.append(target)
            if len(calls) > 1:
                raise KeyboardInterrupt  # the process dies here
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", crash_after_one)
    writes = {tmp_path / f"{n}.ttl": f"new {n}" for n in "abc"}
    with pytest.raises(KeyboardInterrupt):
        write_all_atomically(writes, tmp_path / JOURNAL)
    monkeypatch.setattr(os, "replace", real_replace)
    assert (tmp_path / JOURNAL).exists()
    assert sum(text.startswith("new") for text in _files(tmp_path).values()) == 1
    assert sorted(p.name for p in finish_interrupted(tmp_path / JOURNAL)) == ["b.ttl", "c.ttl"]
    assert _files(tmp_path) == {f"{n}.ttl": f"new {n}" for n in "abc"}
    assert list(tmp_path.glob(".*")) == []  # no temporary file, no journal
