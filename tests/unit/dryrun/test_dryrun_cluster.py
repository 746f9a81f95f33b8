"""Throwaway clusters and scratch databases, on the real PostgreSQL server binaries of this machine."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from fes_docs.dryrun.cluster import (
    DryRunUnavailable,
    ServerBinaries,
    TemporaryCluster,
    find_server_binaries,
    scratch_database,
    throwaway_cluster,
)

# PostgreSQL's server programs come through the `server_binaries` fixture (conftest.py): a skip here, a
# failure in CI. Tests that need no server (unusable DSNs, a folder without programs) run everywhere.


def _processes_mentioning(text: str) -> list[int]:
    """Processes whose command line names `text` (the postmaster is started with -D <folder>/data)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(int(entry.name))
    return found


def _host(dsn: str) -> Path:
    return Path(str(conninfo_to_dict(dsn)["host"]))


def _dbname(dsn: str) -> str:
    return str(conninfo_to_dict(dsn)["dbname"])


def _alive(pid: int) -> bool:
    """Running, that is: a zombie waiting for init to reap it no longer runs anything."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


@pytest.fixture
def parent_dir(server_binaries: ServerBinaries) -> Iterator[Path]:
    """A folder the server user can reach (pytest's tmp_path is 0700 under root, which `postgres` cannot);
    every test using it starts a cluster, so it needs the server programs."""
    folder = Path(tempfile.mkdtemp(prefix="fes-docs-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_cluster_is_private_fast_and_not_run_by_root(cluster_dsn: str) -> None:
    socket_dir = _host(cluster_dsn)
    assert socket_dir.is_dir()
    with psycopg.connect(cluster_dsn) as conn:
        settings: dict[str, str] = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN"
                " ('listen_addresses', 'fsync', 'unix_socket_directories', 'data_directory')"
            ).fetchall()
        )
    assert settings["listen_addresses"] == ""
    assert settings["fsync"] == "off"
    assert settings["unix_socket_directories"] == str(socket_dir)
    assert Path(settings["data_directory"]).parent == socket_dir
    # The server process owns its data folder; as root that must be someone else (PostgreSQL refuses root).
    owner = (socket_dir / "data").stat().st_uid
    assert owner == os.geteuid() if os.geteuid() != 0 else owner != 0


def test_cluster_and_folder_are_gone_after_the_block(parent_dir: Path) -> None:
    with throwaway_cluster(parent_dir=parent_dir) as dsn:
        root = _host(dsn)
        pid = int((root / "data" / "postmaster.pid").read_text().split()[0])
        assert _alive(pid)
    assert not root.exists()
    assert not _alive(pid)
    assert list(parent_dir.iterdir()) == []


def test_cluster_is_removed_when_the_block_raises(parent_dir: Path) -> None:
    with pytest.raises(RuntimeError, match="boom"), throwaway_cluster(parent_dir=parent_dir) as dsn:
        root = _host(dsn)
        raise RuntimeError("boom")
    assert not root.exists()
    assert _processes_mentioning(str(root)) == []


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


_CHILD = """
import sys, time
from fes_docs.dryrun.cluster import throwaway_cluster
print("starting", flush=True)
with throwaway_cluster(parent_dir=sys.argv[1]) as dsn:
    print(dsn, flush=True)
    time.sleep(120)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("when", ["while-running", "while-starting"])
def test_interrupted_run_leaves_no_cluster_and_no_folder(parent_dir: Path, signum: int, when: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(parent_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C as a terminal delivers it: a runner that started us in the background (SIGINT ignored, as a
        # non-interactive shell does for `cmd &`) would hand that on, and Python keeps an ignored SIGINT ignored
        preexec_fn=_default_sigint,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "starting"
        if when == "while-running":
            assert "host=" in child.stdout.readline()
            assert len(_processes_mentioning(str(parent_dir))) >= 1  # the postmaster, started with -D
        else:
            time.sleep(0.15)  # somewhere inside initdb or pg_ctl start
        child.send_signal(signum)
        child.wait(timeout=120)  # cleanup stops a server: slow on a loaded machine, never endless
    finally:
        if child.poll() is None:  # pragma: no cover - only when cleanup hangs
            child.kill()
            child.wait()
    assert child.returncode != 0
    assert list(parent_dir.iterdir()) == [], child.stderr.read() if child.stderr else ""
    deadline = time.monotonic() + 30  # a wait for the OS to reap, not a bound on speed
    while _processes_mentioning(str(parent_dir)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_mentioning(str(parent_dir)) == []


def test_cluster_start_and_stop_are_quick(
    parent_dir: Path, server_binaries: ServerBinaries, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Was "under ten seconds" (now measured by benchmarks/wallclock.py): bounded by what it does instead.
    Two programs (initdb without fsync, then the server itself: no pg_ctl and its polling), the settings
    that trade durability for speed, and a stop that needs PostgreSQL's immediate shutdown only."""
    spawned: list[list[str]] = []
    spawn = TemporaryCluster._spawn

    def recording_spawn(self: TemporaryCluster, args: list[str], **kwargs: Any) -> Any:
        spawned.append(args)
        return spawn(self, args, **kwargs)

    signals: list[int] = []
    send_signal = subprocess.Popen.send_signal

    def recording_signal(self: subprocess.Popen[bytes], sig: int) -> None:
        signals.append(sig)
        send_signal(self, sig)

    monkeypatch.setattr(TemporaryCluster, "_spawn", recording_spawn)
    monkeypatch.setattr(subprocess.Popen, "send_signal", recording_signal)
    cluster = TemporaryCluster(server_binaries, parent_dir)
    try:
        cluster.start()
        conf = (cluster.datadir / "postgresql.conf").read_text()
    finally:
        cluster.stop()
    assert [Path(args[0]).name for args in spawned] == ["initdb", "postgres"]
    assert "--no-sync" in spawned[0]
    for setting in ("fsync = off", "synchronous_commit = off", "full_page_writes = off", "autovacuum = off"):
        assert setting in conf
    assert signals == [signal.SIGQUIT]
    recorded = cluster.start_seconds  # kept for the evidence; never compared with anything
    assert recorded is not None
    cluster.stop()  # idempotent
    assert len(spawned) == 2 and signals == [signal.SIGQUIT]


def _databases(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def test_scratch_database_creates_and_drops_only_its_own(cluster_dsn: str) -> None:
    with psycopg.connect(cluster_dsn, autocommit=True) as conn:
        conn.execute("CREATE DATABASE bystander")
    try:
        before = _databases(cluster_dsn)
        with scratch_database(cluster_dsn) as dsn:
            name = _dbname(dsn)
            assert _databases(cluster_dsn) == before | {name}
            assert name.startswith("fes_docs_dryrun_")
            # A session left open in the scratch database must not keep it alive.
            lingering = psycopg.connect(dsn)
            assert lingering.execute("SELECT current_database()").fetchone() == (name,)
        assert _databases(cluster_dsn) == before
        assert "bystander" in before
        lingering.close()
    finally:
        with psycopg.connect(cluster_dsn, autocommit=True) as conn:
            conn.execute("DROP DATABASE bystander")


def test_scratch_databases_do_not_collide(cluster_dsn: str) -> None:
    with scratch_database(cluster_dsn) as first, scratch_database(cluster_dsn) as second:
        assert _dbname(first) != _dbname(second)


@pytest.mark.parametrize(
    ("dsn", "reason"),
    [
        ("host=/nonexistent/fes-docs port=5432 dbname=postgres", "cannot connect to --dsn server"),
        ("not a dsn ===", "invalid --dsn"),
    ],
)
def test_unusable_dsn_is_a_one_line_reason(dsn: str, reason: str) -> None:
    with pytest.raises(DryRunUnavailable) as caught, scratch_database(dsn):
        pytest.fail("must not yield")  # pragma: no cover
    assert str(caught.value).startswith(reason)
    assert "\n" not in str(caught.value)


def test_scratch_database_without_create_permission_is_a_one_line_reason(cluster_dsn: str) -> None:
    with psycopg.connect(cluster_dsn, autocommit=True) as conn:
        conn.execute("CREATE ROLE fes_docs_no_createdb LOGIN NOCREATEDB")
    try:
        weak = psycopg.conninfo.make_conninfo(cluster_dsn, user="fes_docs_no_createdb")
        with (
            pytest.raises(DryRunUnavailable, match="cannot create a scratch database"),
            scratch_database(weak),
        ):
            pytest.fail("must not yield")  # pragma: no cover
    finally:
        with psycopg.connect(cluster_dsn, autocommit=True) as conn:
            conn.execute("DROP ROLE fes_docs_no_createdb")


def test_missing_server_binaries_are_a_one_line_reason(tmp_path: Path) -> None:
    with pytest.raises(DryRunUnavailable, match="no PostgreSQL server programs") as caught:
        find_server_binaries(tmp_path)
    assert "\n" not in str(caught.value)


def test_binaries_found_report_their_version(server_binaries: ServerBinaries) -> None:
    assert (server_binaries.bindir / "initdb").exists()
    assert server_binaries.version[0].isdigit()
