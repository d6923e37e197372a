"""Keeping releases whole: check them when opened, hold the one a server uses, clean up builds.

A release is a folder of files that a server reads for as long as it runs. Three things can go
wrong around it: its files can be damaged after it was built (a truncated dump would be served
with its original checksum); another build on the same root can prune it while a server uses
it; and a build that is killed leaves its scratch folder behind. Each has a guard here.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import secrets
import shutil
import weakref
from collections.abc import Callable
from pathlib import Path

from carnets.errors import ReleaseError

LOCK_FILE = "manifest.json"  # every complete release has one; servers hold a shared lock on it
_SCRATCH = re.compile(r"^\.building-[0-9a-z]+-(\d+)$")

DISK_ERRORS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


def describe_os_error(error: OSError, doing: str) -> str:
    """A one-line message for a failed write: what was being done, where, and why."""
    why = DISK_ERRORS.get(error.errno or 0, error.strerror or str(error))
    where = f" ({error.filename})" if error.filename else ""
    return f"cannot {doing}{where}: {why}"


def missing_or_truncated(path: Path, manifest: dict) -> list[str]:
    """What a quick look finds wrong with a release: files missing or of the wrong size."""
    problems = []
    if manifest.get("store", True) and not (path / "store").is_dir():
        problems.append("its store folder is missing")
    for dump in manifest.get("dumps", []):
        for name, size in ((dump["name"], dump["size"]), (dump["name"] + ".gz", dump["gzip_size"])):
            file = path / "download" / name
            if not file.is_file():
                problems.append(f"download/{name} is missing")
            elif file.stat().st_size != size:
                problems.append(
                    f"download/{name} has {file.stat().st_size} bytes, the manifest says {size}"
                )
    for name in ("void.ttl", "context.jsonld", "download/SHA256SUMS"):
        if not (path / name).is_file():
            problems.append(f"{name} is missing")
    return problems


def damaged_dumps(path: Path, manifest: dict) -> list[str]:
    """Dumps whose SHA-256 is not the manifest's (reads every dump: seconds for a big edition)."""
    problems = []
    for dump in manifest.get("dumps", []):
        for name, expected in (
            (dump["name"], dump["sha256"]),
            (dump["name"] + ".gz", dump["gzip_sha256"]),
        ):
            digest = hashlib.sha256()
            try:
                with (path / "download" / name).open("rb") as stream:
                    while chunk := stream.read(1 << 20):
                        digest.update(chunk)
            except OSError as error:
                problems.append(f"download/{name} cannot be read: {error.strerror}")
                continue
            if digest.hexdigest() != expected:
                problems.append(f"download/{name} does not have the checksum of the manifest")
    return problems


class Lease:
    """A shared lock on a release's manifest, released by close() or when garbage-collected."""

    def __init__(self, path: Path) -> None:
        fd = os.open(path / LOCK_FILE, os.O_RDONLY | os.O_CLOEXEC)
        fcntl.flock(fd, fcntl.LOCK_SH)
        self._close = weakref.finalize(self, os.close, fd)

    def close(self) -> None:
        self._close()


def hold(path: Path) -> Lease:
    """A shared lock on the release, kept for as long as the lease is open."""
    return Lease(path)


def in_use(path: Path) -> bool:
    """Whether a running server holds the release (see `hold`)."""
    try:
        with (path / LOCK_FILE).open("rb") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
    except FileNotFoundError:
        return False
    return False


def build_folder(root: Path, key: str, build: Callable[[Path], str], doing: str) -> Path:
    """Build a folder in a scratch folder of `root`, then rename it into place.

    `build` fills the scratch folder and returns the name the folder takes in `root`. A failed
    build leaves nothing but what was there before, and a reader never sees a half-written
    folder; when another process built the same folder meanwhile, its copy is kept. Errors of
    the disk are ReleaseError, saying what failed and why (`doing`, "build the release")."""
    # Unique to this call: two threads of one process may build the same folder at once.
    scratch = root / f".building-{key}{secrets.token_hex(4)}-{os.getpid()}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        remove_abandoned_builds(root)
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir()
        try:
            target = root / build(scratch)
            try:
                scratch.rename(target)
            except OSError:  # another process built the same folder meanwhile
                if not (target / LOCK_FILE).exists():
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    except OSError as error:
        raise ReleaseError(describe_os_error(error, f"{doing} in {root}")) from None
    return target


def prune(root: Path, keep: Path, newest: int) -> None:
    """Remove all but the `newest` complete folders of `root` (and `keep`), never one in use."""
    folders = sorted(
        (p for p in root.iterdir() if (p / LOCK_FILE).exists()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in folders[newest:]:
        if old != keep and not in_use(old):  # never one a running server reads
            shutil.rmtree(old, ignore_errors=True)


def remove_abandoned_builds(root: Path) -> list[Path]:
    """Scratch folders of builds whose process is gone (killed mid-build): removed."""
    removed = []
    for folder in root.glob(".building-*"):
        found = _SCRATCH.match(folder.name)
        if found and not _alive(int(found.group(1))):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True
