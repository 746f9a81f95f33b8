"""Where a dry run gets its PostgreSQL: a throwaway cluster, or (`scratch_database`, re-exported from
`scratch`) a scratch database on a server the user names.

A dry run must never leave anything behind and must never touch a database it did not create, because users
point it at shared servers and press Ctrl-C. So both context managers own exactly one thing (a temporary
folder with a private cluster, or one uniquely named database) and remove it on every way out: normal exit,
exceptions, Ctrl-C and SIGTERM.

The throwaway cluster listens on a Unix socket in its own temporary folder only, so two dry runs never
collide on a port and nothing on the network can reach it. PostgreSQL refuses to run as root, and CI runs as
root: then the server runs as the unprivileged `postgres` system user (Debian's package creates it) or
`nobody`.
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg.conninfo import make_conninfo

from fes_docs.dryrun._signals import signals_deferred, sigterm_unwinds
from fes_docs.dryrun.errors import DryRunUnavailable, last_line, log_tail
from fes_docs.dryrun.leftovers import FOLDER_PREFIX, die_with_parent, mark, remove_stale
from fes_docs.dryrun.scratch import Sandbox, sandbox, scratch_database

__all__ = [
    "DryRunUnavailable",
    "Sandbox",
    "ServerBinaries",
    "TemporaryCluster",
    "find_server_binaries",
    "sandbox",
    "sandboxed_cluster",
    "scratch_database",
    "throwaway_cluster",
]

# The settings trade durability for speed: the cluster lives for seconds and is deleted afterwards.
_FAST_SETTINGS = {
    "listen_addresses": "''",
    "port": "5432",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "autovacuum": "off",
    "jit": "off",
    "max_connections": "20",
    "shared_buffers": "'32MB'",
    "timezone": "'UTC'",
    "log_timezone": "'UTC'",
    "logging_collector": "off",
}
_log = logging.getLogger(__name__)
_SUPERUSER = "postgres"
_UNPRIVILEGED_USERS = ("postgres", "nobody")
_START_TIMEOUT_S = 60
_SUBPROCESS_TIMEOUT_S = 120


@dataclass(frozen=True)
class ServerBinaries:
    """The folder holding `initdb` and `postgres`, and the version `postgres --version` reports."""

    bindir: Path
    version: str

    def tool(self, name: str) -> str:
        return str(self.bindir / name)


def _has_server_tools(folder: Path) -> bool:
    return all(os.access(folder / name, os.X_OK) for name in ("initdb", "postgres"))


def _version_key(folder: Path) -> tuple[int, ...]:
    """`/usr/lib/postgresql/15/bin` -> (15,); sorts 9.6 below 10, which a string sort would not."""
    parts = folder.parent.name.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else (-1,)


def _pg_config_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    try:
        out = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=_SUBPROCESS_TIMEOUT_S
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out.stdout.strip())


def find_server_binaries(bindir: str | os.PathLike[str] | None = None) -> ServerBinaries:
    """Find PostgreSQL's server programs: an explicit folder, `pg_config --bindir`, Debian's versioned folders
    (highest version wins), then `PATH`. `pg_config` alone is not enough: on Debian it ships with the client
    library and may point at a folder without a server."""
    candidates: list[Path] = []
    if bindir is not None:
        candidates.append(Path(bindir))
    else:
        from_pg_config = _pg_config_bindir()
        if from_pg_config is not None:
            candidates.append(from_pg_config)
        candidates.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True))
        on_path = shutil.which("initdb")
        if on_path is not None:
            candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if _has_server_tools(folder):
            return ServerBinaries(folder, _server_version(folder))
    where = str(bindir) if bindir is not None else "pg_config --bindir, /usr/lib/postgresql/*/bin or PATH"
    raise DryRunUnavailable(
        f"no PostgreSQL server programs (initdb, postgres) found in {where}; "
        "install PostgreSQL's server package or pass --dsn"
    )


def _server_version(folder: Path) -> str:
    try:
        out = subprocess.run(
            [str(folder / "postgres"), "--version"],
            capture_output=True,
            text=True,
            check=True,
            timeout=_SUBPROCESS_TIMEOUT_S,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise DryRunUnavailable(f"cannot run {folder / 'postgres'}: {exc}") from exc
    return out.stdout.strip().rsplit(" ", 1)[-1] if out.stdout.strip() else "unknown"


@dataclass(frozen=True)
class _RunAs:
    name: str
    uid: int
    gid: int


def _unprivileged_user() -> _RunAs | None:
    """Whom to run the server as: nobody else when we are not root (PostgreSQL only refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in _UNPRIVILEGED_USERS:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return _RunAs(name, entry.pw_uid, entry.pw_gid)
    raise DryRunUnavailable("running as root, and neither a 'postgres' nor a 'nobody' user exists to run the server as")


def _check_reachable(folder: Path, user: _RunAs) -> None:
    """The server user must be able to walk down to its folder; a root-only TMPDIR (0700) would stop it."""
    for parent in folder.parents:
        mode = parent.stat().st_mode
        if not mode & 0o001 and parent.stat().st_uid != user.uid:
            raise DryRunUnavailable(
                f"{parent} is not reachable by user {user.name!r}, who must run the server; "
                "set TMPDIR to a world-accessible folder such as /tmp"
            )


def _conf_value(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class TemporaryCluster:
    """One private PostgreSQL cluster in a temporary folder. `start()` returns a conninfo; `stop()` is
    idempotent and never raises, so it is safe in `finally` blocks and after a half-finished start.

    `initdb` runs in its own process group so an interruption can kill it together with the bootstrap backend
    it forks (killing initdb alone leaves that backend writing into the folder being deleted). The server is
    started directly rather than through `pg_ctl start`, whose daemonised postmaster is unknown to us until
    its lock file appears: as our own child process it can be stopped and reaped at any moment.
    """

    def __init__(self, binaries: ServerBinaries, parent_dir: str | os.PathLike[str] | None = None) -> None:
        self.binaries = binaries
        self._parent_dir = Path(parent_dir) if parent_dir is not None else Path(tempfile.gettempdir())
        self._user = _unprivileged_user()
        self.root: Path | None = None
        self._postmaster: subprocess.Popen[bytes] | None = None
        self.start_seconds: float | None = None

    @property
    def datadir(self) -> Path:
        assert self.root is not None, "cluster not started"
        return self.root / "data"

    def _spawn(self, args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        assert self.root is not None
        if self._user is not None:
            kwargs.update(user=self._user.uid, group=self._user.gid, extra_groups=[])
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.root),
            "LC_ALL": "C",
            "LANG": "C",
            "TZ": "UTC",
        }
        return subprocess.Popen(
            args, cwd=self.root, env=env, stdin=subprocess.DEVNULL, start_new_session=True, **kwargs
        )

    def _initdb(self) -> None:
        what = "initialise a PostgreSQL cluster (initdb)"
        args = [
            self.binaries.tool("initdb"),
            "--pgdata",
            str(self.datadir),
            "--username",
            _SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        ]
        try:
            proc = self._spawn(
                args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=die_with_parent(signal.SIGKILL)
            )
        except OSError as exc:
            raise DryRunUnavailable(f"cannot {what}: {exc}") from exc
        try:
            output, _ = proc.communicate(timeout=_SUBPROCESS_TIMEOUT_S)
        except BaseException:  # Ctrl-C, SIGTERM, timeout: take the whole group down before cleanup
            _kill_group(proc)
            raise
        if proc.returncode != 0:
            raise DryRunUnavailable(f"cannot {what}: {last_line(output.decode(errors='replace'))}")

    def _start_server(self) -> None:
        assert self.root is not None
        log = self.root / "server.log"
        try:
            with open(log, "ab") as log_file:
                self._postmaster = self._spawn(
                    [self.binaries.tool("postgres"), "-D", str(self.datadir)],
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    preexec_fn=die_with_parent(signal.SIGQUIT),  # SIGKILLed, we still stop the server
                )
        except OSError as exc:
            raise DryRunUnavailable(f"cannot start PostgreSQL: {exc}") from exc
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not self._ready():
            if self._postmaster.poll() is not None:
                raise DryRunUnavailable(f"PostgreSQL stopped while starting ({log_tail(self.root)})")
            if time.monotonic() > deadline:
                raise DryRunUnavailable(f"PostgreSQL did not start within {_START_TIMEOUT_S}s ({log_tail(self.root)})")
            time.sleep(0.01)

    def _ready(self) -> bool:
        """What `pg_ctl start --wait` checks: the status line of the lock file says "ready"."""
        try:
            lines = (self.datadir / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return len(lines) >= 8 and lines[7].strip() == "ready"

    def start(self) -> str:
        began = time.perf_counter()
        remove_stale(self._parent_dir, _remove)  # what SIGKILLed runs of ours left behind
        # Named before it is made, so that an interruption at any point leaves stop() knowing what to remove.
        self.root = self._parent_dir / f"{FOLDER_PREFIX}{uuid.uuid4().hex[:12]}"
        self.root.mkdir(mode=0o700)
        mark(self.root)
        if self._user is not None:
            os.chown(self.root, self._user.uid, self._user.gid)
            _check_reachable(self.root, self._user)
        self._initdb()
        settings = dict(_FAST_SETTINGS, unix_socket_directories=_conf_value(str(self.root)))
        with open(self.datadir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# fes-docs dry run: throwaway cluster\n")
            conf.writelines(f"{key} = {value}\n" for key, value in sorted(settings.items()))
        self._start_server()
        self.start_seconds = time.perf_counter() - began
        return make_conninfo("", host=str(self.root), port="5432", user=_SUPERUSER, dbname="postgres")

    def stop(self) -> None:
        if self._postmaster is not None:
            _stop_postmaster(self._postmaster)
            self._postmaster = None
        if self.root is not None:
            _remove(self.root)
            self.root = None


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _stop_postmaster(proc: subprocess.Popen[bytes]) -> None:
    """SIGQUIT is PostgreSQL's immediate shutdown (the data is thrown away anyway); SIGKILL if it hangs."""
    for sig in (signal.SIGQUIT, signal.SIGKILL):
        if proc.poll() is not None:
            return
        with suppress(ProcessLookupError):
            if sig == signal.SIGKILL:
                os.killpg(proc.pid, sig)  # the backends too, should the postmaster hang
            else:
                proc.send_signal(sig)
        try:
            proc.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def _remove(root: Path) -> None:
    """Retry briefly: a backend that has just been told to exit may still be closing files in the folder."""
    for _ in range(50):
        shutil.rmtree(root, ignore_errors=True)
        if not root.exists():
            return
        time.sleep(0.05)
    _log.warning("could not remove %s", root)


@contextmanager
def throwaway_cluster(
    bindir: str | os.PathLike[str] | None = None, parent_dir: str | os.PathLike[str] | None = None
) -> Iterator[str]:
    """Yield a conninfo to the `postgres` database of a fresh private cluster, deleted on every way out."""
    cluster = TemporaryCluster(find_server_binaries(bindir), parent_dir)
    with sigterm_unwinds():
        try:
            yield cluster.start()
        finally:
            with signals_deferred():
                cluster.stop()


@contextmanager
def sandboxed_cluster(
    bindir: str | os.PathLike[str] | None = None,
    parent_dir: str | os.PathLike[str] | None = None,
    database: str | None = None,
) -> Iterator[Sandbox]:
    """What `fes-docs dry-run` runs migrations against by default: a scratch database and its unprivileged
    role (`sandbox`) in a throwaway cluster. The cluster's superuser only sets them up: a migration that could
    act as it could run programs as the server's OS user. `database`: the name migrations expect for it."""
    with throwaway_cluster(bindir, parent_dir) as admin, sandbox(admin, "the throwaway cluster", database) as box:
        yield box
