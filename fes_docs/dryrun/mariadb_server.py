"""Where a MySQL-dialect dry run gets its server: a throwaway MariaDB, or a scratch database on ``--dsn mysql://``.

The same guarantees as the PostgreSQL cluster (:mod:`fes_docs.dryrun.cluster`), by the same means: the server
is initialised (``mariadb-install-db``) in a temporary folder and listens on a Unix socket there only
(``--skip-networking``); as root it runs as the unprivileged ``mysql`` system user (Debian's package makes
it) or ``nobody``; it is our own child with a parent-death signal (:func:`~fes_docs.dryrun.leftovers.die_with_parent`),
so a SIGKILLed ``fes-docs`` takes it down; the folder carries the owner marker, so the next run removes what a
killed run left; ``finally`` with :mod:`fes_docs.dryrun._signals` covers Ctrl-C and SIGTERM.

Migrations never run as the setup user: :func:`mariadb_sandbox` makes a scratch database and a user whose
only grant is ``ALL`` on that database — no ``FILE``, ``SUPER``, ``PROCESS`` or ``GRANT OPTION``, which are
global privileges — and drops both afterwards.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pymysql

from fes_docs.dryrun._signals import signals_deferred, sigterm_unwinds
from fes_docs.dryrun.cluster import _check_reachable, _remove, _RunAs
from fes_docs.dryrun.errors import DryRunUnavailable, last_line, log_tail
from fes_docs.dryrun.leftovers import die_with_parent, mark, remove_stale, start_time

__all__ = ["FOLDER_PREFIX", "MariaDB", "mariadb_sandbox", "sandboxed_mariadb", "target_of_dsn"]

FOLDER_PREFIX = "fes-docs-my-"
_UNPRIVILEGED_USERS = ("mysql", "nobody")
_START_TIMEOUT_S = 60
_INSTALL_TIMEOUT_S = 120
# Durability traded for speed, as the PostgreSQL cluster does: the server lives for seconds.
_FAST = (
    "--skip-networking",
    "--skip-name-resolve",
    "--skip-log-bin",
    "--innodb-buffer-pool-size=32M",
    "--innodb-flush-log-at-trx-commit=0",
    "--innodb-doublewrite=0",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_general_ci",
    "--default-time-zone=+00:00",
    "--max-connections=20",
    "--plugin-load-add=metadata_lock_info",  # the lock report's metadata locks
)


@dataclass(frozen=True)
class MariaDB:
    """How to connect: a Unix socket or host/port, a user, a password, a database (PyMySQL's arguments)."""

    user: str
    password: str = ""
    database: str | None = None
    unix_socket: str | None = None
    host: str | None = None
    port: int = 3306
    extra: dict[str, Any] = field(default_factory=dict)

    def connect(self, **kwargs: Any) -> pymysql.connections.Connection[Any]:
        args: dict[str, Any] = {"user": self.user, "password": self.password, "autocommit": True}
        args.update(connect_timeout=10, charset="utf8mb4", client_flag=0)
        if self.unix_socket:
            args["unix_socket"] = self.unix_socket
        else:
            args.update(host=self.host or "localhost", port=self.port)
        if self.database:
            args["database"] = self.database
        return pymysql.connect(**args, **self.extra, **kwargs)


@dataclass(frozen=True)
class MariaDBSandbox:
    """The scratch database, its migration user and the setup user (who only creates and drops them)."""

    dsn: MariaDB  # the migration user on the scratch database
    admin: MariaDB  # the setup user, on the same server
    database: str
    where: str
    #: Makes one more scratch database for the migration user (dropped with the sandbox): the engine's
    #: fresh start when a second run left changes MySQL cannot roll back (:mod:`.mariadb_engine`).
    another: Callable[[], str] | None = None


def target_of_dsn(dsn: str) -> MariaDB:
    """``mysql://user:password@host:port/`` (or ``?unix_socket=/path``) as connection arguments."""
    parts = urlsplit(dsn)
    if parts.scheme not in ("mysql", "mariadb"):
        raise DryRunUnavailable(f"a MySQL-dialect project needs --dsn mysql://…, not {parts.scheme or dsn!r}")
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    return MariaDB(
        unquote(parts.username or "root"),
        unquote(parts.password or ""),
        None,
        unquote(query["unix_socket"]) if "unix_socket" in query else None,
        parts.hostname,
        parts.port or 3306,
    )


def _binary(*names: str) -> str:
    for name in names:
        for folder in ("/usr/sbin", "/usr/bin", "/usr/local/bin"):
            if os.access(Path(folder) / name, os.X_OK):
                return str(Path(folder) / name)
        found = shutil.which(name)
        if found:
            return found
    raise DryRunUnavailable(
        f"no MariaDB server programs ({' or '.join(names)}) found; install mariadb-server or pass --dsn mysql://…"
    )


def _run_as() -> _RunAs | None:
    if os.geteuid() != 0:
        return None
    import pwd

    for name in _UNPRIVILEGED_USERS:
        with suppress(KeyError):
            entry = pwd.getpwnam(name)
            return _RunAs(name, entry.pw_uid, entry.pw_gid)
    raise DryRunUnavailable("running as root, and neither a 'mysql' nor a 'nobody' user exists to run the server as")


def _stop_left_server(folder: Path) -> None:
    """A ``mariadbd`` still serving a dead run's folder (no parent-death signal here): only a process whose
    command line names that folder's data directory is killed."""
    try:
        pid = int((folder / "mysqld.pid").read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return
    if f"--datadir={folder / 'data'}".encode() not in cmdline.split(b"\0"):
        return
    with suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        if start_time(pid) is None:
            return
        time.sleep(0.05)


class TemporaryMariaDB:
    """One private MariaDB server in a temporary folder; :meth:`stop` is idempotent and never raises."""

    def __init__(self, parent_dir: str | os.PathLike[str] | None = None) -> None:
        self._parent = Path(parent_dir) if parent_dir is not None else Path(tempfile.gettempdir())
        self._user = _run_as()
        self.root: Path | None = None
        self._server: subprocess.Popen[bytes] | None = None

    def _spawn(self, args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        assert self.root is not None
        if self._user is not None:
            kwargs.update(user=self._user.uid, group=self._user.gid, extra_groups=[])
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.root), "LC_ALL": "C", "TZ": "UTC"}
        return subprocess.Popen(
            args, cwd=self.root, env=env, stdin=subprocess.DEVNULL, start_new_session=True, **kwargs
        )

    def start(self) -> MariaDB:
        remove_stale(self._parent, _remove, FOLDER_PREFIX, _stop_left_server)
        self.root = self._parent / f"{FOLDER_PREFIX}{uuid.uuid4().hex[:12]}"  # named first: stop() knows it
        self.root.mkdir(mode=0o700)
        mark(self.root)
        if self._user is not None:
            os.chown(self.root, self._user.uid, self._user.gid)
            _check_reachable(self.root, self._user)
        data, sock, tmp = self.root / "data", self.root / "mysqld.sock", self.root / "tmp"
        tmp.mkdir()  # its own temporary tables: two bootstraps sharing /tmp collide (ERROR 1051 tmp_user_sys)
        if self._user is not None:
            os.chown(tmp, self._user.uid, self._user.gid)
        install = [
            _binary("mariadb-install-db", "mysql_install_db"),
            "--no-defaults",
            f"--datadir={data}",
            f"--tmpdir={tmp}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--skip-name-resolve",
        ]
        proc = self._spawn(
            install, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=die_with_parent(signal.SIGKILL)
        )
        try:
            output, _ = proc.communicate(timeout=_INSTALL_TIMEOUT_S)
        except BaseException:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        if proc.returncode != 0:
            text = output.decode(errors="replace")
            errors = [line.strip() for line in text.splitlines() if "ERROR" in line]  # its last line is a URL
            raise DryRunUnavailable(f"cannot initialise MariaDB: {errors[0] if errors else last_line(text)}")
        server = [
            _binary("mariadbd", "mysqld"),
            "--no-defaults",
            f"--datadir={data}",
            f"--socket={sock}",
            f"--tmpdir={tmp}",
            f"--pid-file={self.root / 'mysqld.pid'}",
            f"--log-error={self.root / 'server.log'}",
            *_FAST,
        ]
        self._server = self._spawn(
            server, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent(signal.SIGKILL)
        )
        target = MariaDB("root", unix_socket=str(sock))
        deadline = time.monotonic() + _START_TIMEOUT_S
        while True:
            if self._server.poll() is not None:
                raise DryRunUnavailable(f"MariaDB stopped while starting ({log_tail(self.root)})")
            if sock.exists():
                with suppress(pymysql.err.OperationalError):
                    target.connect().close()
                    return target
            if time.monotonic() > deadline:
                raise DryRunUnavailable(f"MariaDB did not start within {_START_TIMEOUT_S}s ({log_tail(self.root)})")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None:
            if self._server.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(self._server.pid, signal.SIGKILL)  # the data is thrown away: no clean shutdown
            self._server.wait()
            self._server = None
        if self.root is not None:
            _remove(self.root)
            self.root = None


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


@contextmanager
def mariadb_sandbox(admin: MariaDB, where: str) -> Iterator[MariaDBSandbox]:
    """A scratch database and a user with ``ALL`` on it only, made and dropped over ``admin``."""
    suffix = uuid.uuid4().hex[:12]
    database, user, password = f"fes_docs_dryrun_{suffix}", f"fes_docs_sandbox_{suffix}", secrets.token_hex(16)
    try:
        conn = admin.connect()
    except pymysql.err.MySQLError as exc:
        raise DryRunUnavailable(f"cannot connect to {where}: {exc.args[-1]}") from exc
    host = "localhost" if admin.unix_socket or admin.host in (None, "localhost") else "%"
    account = f"{_quote(user)}@'{host}'"
    made: list[str] = []
    try:
        with conn.cursor() as cur:
            try:
                cur.execute(f"CREATE DATABASE {_quote(database)} CHARACTER SET utf8mb4")
                made.append(f"DROP DATABASE IF EXISTS {_quote(database)}")
                cur.execute(f"CREATE USER {account} IDENTIFIED BY %s", [password])
                made.append(f"DROP USER IF EXISTS {account}")
                cur.execute(f"GRANT ALL PRIVILEGES ON {_quote(database)}.* TO {account}")
            except pymysql.err.MySQLError as exc:
                raise DryRunUnavailable(
                    f"the --dsn user cannot set up the sandbox ({exc.args[-1]}): it needs CREATE, "
                    "CREATE USER and GRANT OPTION on the scratch database"
                ) from exc

        def another() -> str:
            name = f"{database}_{len(made)}"
            with conn.cursor() as cur:
                cur.execute(f"CREATE DATABASE {_quote(name)} CHARACTER SET utf8mb4")
                made.append(f"DROP DATABASE IF EXISTS {_quote(name)}")
                cur.execute(f"GRANT ALL PRIVILEGES ON {_quote(name)}.* TO {account}")
            return name

        box = replace(admin, user=user, password=password, database=database)
        yield MariaDBSandbox(box, admin, database, where, another)
    finally:
        with signals_deferred():
            with conn.cursor() as cur:
                with suppress(pymysql.err.MySQLError):
                    cur.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = %s", [user])
                    for (pid,) in cur.fetchall():
                        with suppress(pymysql.err.MySQLError):
                            cur.execute(f"KILL {int(pid)}")
                for statement in reversed(made):
                    with suppress(pymysql.err.MySQLError):
                        cur.execute(statement)
            conn.close()


@contextmanager
def sandboxed_mariadb(parent_dir: str | os.PathLike[str] | None = None) -> Iterator[MariaDBSandbox]:
    """A scratch database and its unprivileged user on a fresh private MariaDB, all removed on every way out."""
    server = TemporaryMariaDB(parent_dir)
    with sigterm_unwinds():
        try:
            admin = server.start()
            with mariadb_sandbox(admin, "the throwaway MariaDB") as box:
                yield box
        finally:
            with signals_deferred():
                server.stop()
