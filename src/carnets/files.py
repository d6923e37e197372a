"""Writing files so that a failure never loses the last good version."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, then rename it over path.

    A crash or an exception half-way leaves the previous file whole, and no temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())  # on disk before the rename makes it the file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


JOURNAL = ".carnets-journal.json"  # in the data folder while a set of files is being replaced


def write_all_atomically(writes: dict[Path, str], journal: Path) -> None:
    """Replace several files as one change: all of them, or (after a crash) all on the next run.

    Every new file is written and flushed beside its target first; a crash then leaves the
    old files and nothing else. The journal, which lists the renames, is written next; the
    renames follow, and the journal goes last. A crash during the renames leaves the journal,
    and `finish_interrupted` (run by build and ingest before they read) completes them.
    """
    pending: list[tuple[str, str]] = []
    try:
        for path, text in writes.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
            )
            pending.append((temporary, str(path)))
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
        write_atomically(journal, json.dumps(pending, indent=1))
    except BaseException:
        for temporary, _ in pending:
            Path(temporary).unlink(missing_ok=True)
        raise
    finish_interrupted(journal)


def finish_interrupted(journal: Path) -> list[Path]:
    """Complete the renames a journal lists (those not done yet); returns the files replaced."""
    if not journal.exists():
        return []
    done = []
    for temporary, target in json.loads(journal.read_text(encoding="utf-8")):
        if Path(temporary).exists():
            os.replace(temporary, target)
            done.append(Path(target))
    journal.unlink()
    return done
