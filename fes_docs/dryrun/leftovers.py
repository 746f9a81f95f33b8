"""The throwaway server dies with the dry run, and what a killed run left behind is removed by the next one.

`finally` blocks and signal handlers (:mod:`fes_docs.dryrun._signals`) cover Ctrl-C and SIGTERM, but nothing
runs in a process killed with SIGKILL (a CI runner's timeout, the OOM killer). Two things cover that case:

* **Parent-death signal** (Linux): the server and initdb are started with ``PR_SET_PDEATHSIG``, so the kernel
  sends the postmaster SIGQUIT (PostgreSQL's immediate shutdown; its backends follow) the moment the process
  that started it dies. It is set in the child after it has switched to the server's OS user (CPython runs
  ``preexec_fn`` after ``setuid``; a credential change would clear it), and checked against a parent that
  died before it was set.
* **A marker** (:data:`MARKER`) in each cluster's folder: the creating PID and that process's start time (a
  PID alone may be reused). Before a new cluster is made, folders under the same parent whose marker names a
  process that no longer runs are removed, after stopping a postmaster still running from one. A folder
  without our marker, or with a marker someone else wrote (another owner), is never touched.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

__all__ = ["FOLDER_PREFIX", "MARKER", "die_with_parent", "mark", "remove_stale", "running", "start_time"]

FOLDER_PREFIX = "fes-docs-pg-"
MARKER = "fes-docs-owner.json"
_PR_SET_PDEATHSIG = 1
_log = logging.getLogger(__name__)


def _prctl() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return getattr(libc, "prctl", None)
    except OSError:  # pragma: no cover - not Linux
        return None


_PRCTL = _prctl() if os.uname().sysname == "Linux" else None


def die_with_parent(sig: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child receive `sig` when we die; None where the OS has no such thing
    (the marker then lets the next run clean up). Resolved before the fork: the child only calls it."""
    if _PRCTL is None:
        return None
    prctl, parent = _PRCTL, os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:  # we died between fork and prctl: nobody will send the signal
            os._exit(1)

    return preexec


def start_time(pid: int) -> str | None:
    """The process's start time in clock ticks after boot (/proc/<pid>/stat field 22), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 and fields[0] != "Z" else None


def running(pid: int, start: str | None) -> bool:
    """Is the process that wrote a marker still running? Same PID *and* same start time, where /proc says."""
    if pid <= 0:
        return False
    if Path("/proc/self/stat").exists():
        return start_time(pid) is not None and (start is None or start_time(pid) == start)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark(root: Path) -> None:
    """Write the marker into a new cluster folder, before anything else goes in."""
    data = {"pid": os.getpid(), "start": start_time(os.getpid())}
    (root / MARKER).write_text(json.dumps(data), encoding="utf-8")


def _owner(folder: Path) -> tuple[int, str | None] | None:
    """(pid, start) from a folder's marker, if the marker is a regular file we wrote."""
    marker = folder / MARKER
    try:
        info = marker.lstat()
        if not marker.is_file() or marker.is_symlink() or info.st_uid != os.geteuid():
            return None
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    pid, start = data.get("pid"), data.get("start")
    if not isinstance(pid, int) or isinstance(pid, bool) or not (start is None or isinstance(start, str)):
        return None
    return pid, start


def _stop_postmaster(folder: Path) -> None:
    """A postmaster still serving a dead run's folder (no parent-death signal on this OS): immediate shutdown,
    then SIGKILL. Only a process whose command line names that folder's data directory is signalled."""
    try:
        pid = int((folder / "data" / "postmaster.pid").read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return
    if str(folder / "data").encode() not in cmdline.split(b"\0"):
        return
    for sig in (signal.SIGQUIT, signal.SIGKILL):
        with suppress(OSError):
            os.kill(pid, sig)
        for _ in range(100):
            if start_time(pid) is None:
                return
            time.sleep(0.05)


def remove_stale(
    parent: Path,
    remove: Callable[[Path], None],
    prefix: str = FOLDER_PREFIX,
    stop: Callable[[Path], None] = _stop_postmaster,
) -> list[Path]:
    """Remove the server folders under `parent` that earlier, now dead, runs of ours left; return them.
    `prefix` and `stop` (a server still running there) are the engine's: PostgreSQL's by default."""
    removed = []
    try:
        candidates = sorted(parent.glob(f"{prefix}*"))
    except OSError:
        return []
    for folder in candidates:
        if folder.is_symlink() or not folder.is_dir():
            continue
        owner = _owner(folder)
        if owner is None or running(*owner):
            continue
        _log.info("removing %s, left by dry run %d that no longer runs", folder, owner[0])
        stop(folder)
        remove(folder)
        removed.append(folder)
    return removed
