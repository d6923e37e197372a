"""Writing files never loses the last good version."""

from pathlib import Path

import pytest

from carnets.files import write_atomically


def test_a_write_replaces_the_file_whole(tmp_path: Path):
    path = tmp_path / "sub" / "links.ttl"
    write_atomically(path, "first")
    write_atomically(path, "second")
    assert path.read_text("utf-8") == "second"
    assert list(path.parent.iterdir()) == [path]


def test_a_failed_write_leaves_the_previous_file(tmp_path: Path):
    path = tmp_path / "mentions.ttl"
    path.write_text("old content", "utf-8")

    with pytest.raises(TypeError):
        write_atomically(path, object())  # type: ignore[arg-type]
    assert path.read_text("utf-8") == "old content"
    assert list(tmp_path.iterdir()) == [path]
