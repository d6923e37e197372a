"""Writing the linker's files (the review file, data/links-reviewed.ttl) like any other file.

carnets.files.write_atomically renames a temporary file that mkstemp made 0600, so every file
it writes would be readable by its owner alone, whatever the umask: a server running as another
user could not load the reviewed links. Here the file gets the permissions `open(path, "w")`
would give it: those of the file it replaces, or 0666 less the umask for a new one.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from carnets.files import write_atomically


def write_data_file(path: Path, text: str) -> None:
    """Write atomically, keeping the replaced file's mode, or the umask's for a new file."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else _new_file_mode()
    write_atomically(path, text)
    os.chmod(path, mode)


def _new_file_mode() -> int:
    mask = os.umask(0o022)  # the only way to read the umask is to set it; put it back at once
    os.umask(mask)
    return 0o666 & ~mask
