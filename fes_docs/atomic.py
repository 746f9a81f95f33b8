"""Atomic writes: a crash or Ctrl-C mid-write leaves the old file intact, never half a file.

And :func:`update_bytes`: read, change and rewrite one file so that two processes doing it at once
(two owners running ``fes-docs sign`` on one record) are serialised and neither loses the other's edit.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

if sys.platform != "win32":
    import fcntl


def _write(path: Path, data: bytes | Iterable[bytes], *, replace: bool) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            else:
                fh.writelines(data)
            fh.flush()
            os.fsync(fh.fileno())
        if replace and path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:  # mkstemp makes 0600; a new file gets the usual permissions
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # FileExistsError instead of replacing, even if created meanwhile
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target (atomic on POSIX)."""
    _write(path, data, replace=True)


def create_bytes(path: Path, data: bytes) -> None:
    """Like :func:`write_bytes`, for a new file only: raises FileExistsError rather than overwrite."""
    _write(path, data, replace=False)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_pieces(path: Path, pieces: Iterable[str]) -> None:
    """Like :func:`write_text`, for text made piece by piece: a cache of tens of megabytes is written without
    ever being one string (or its bytes) in memory."""
    _write(path, (piece.encode("utf-8") for piece in pieces), replace=True)


def update_bytes(path: Path, change: Callable[[bytes], bytes]) -> bytes:
    """Rewrite ``path`` as ``change(current bytes)``, holding an exclusive lock from the read to the rename.

    The lock is ``flock`` on the file itself, so nothing (no lock file) is left beside it. An atomic
    write replaces the file by a new one, so a process that waited for the lock may hold it on the old,
    replaced file: it notices (the path names another file now) and starts again on the new one, which
    it then reads with the other process's edit in it. ``change`` may raise to leave the file as it is.
    Returns what was written. Where ``flock`` does not exist (Windows) the update is atomic but unlocked.
    """
    path = Path(path)
    while True:
        fd = os.open(path, os.O_RDONLY)
        try:
            if sys.platform != "win32":
                fcntl.flock(fd, fcntl.LOCK_EX)
                held, now = os.fstat(fd), os.stat(path)
                if (held.st_ino, held.st_dev) != (now.st_ino, now.st_dev):
                    continue  # replaced while we waited: lock the file that is there now
            with os.fdopen(os.dup(fd), "rb") as fh:
                current = fh.read()
            new = change(current)
            if new != current:
                write_bytes(path, new)
            return new
        finally:
            os.close(fd)  # releases the lock, after the rename
