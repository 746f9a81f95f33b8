"""Atomic writes: a crash or Ctrl-C mid-write leaves the old file intact, never half a file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _write(path: Path, data: bytes, *, replace: bool) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
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
