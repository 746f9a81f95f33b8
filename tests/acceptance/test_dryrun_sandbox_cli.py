"""`fes-docs dry-run` as a sandbox, end to end: hostile migrations through the real CLI on a server holding a
database to protect (`--dsn`) and in the default throwaway cluster, a setup user without the privileges it
needs, the policy's bounds, and a run killed with SIGKILL.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import dryruncli
import psycopg
import pytest
from dryruncli import fes, processes_mentioning, wait_for
from prerequisites import require
from psycopg.conninfo import make_conninfo
from serverstate import server_state

from fes_docs.dryrun.cluster import find_server_binaries, throwaway_cluster
from fes_docs.dryrun.leftovers import FOLDER_PREFIX

try:
    find_server_binaries()
except Exception as exc:  # noqa: BLE001 - any reason means no server here
    require(f"no PostgreSQL server binaries: {exc}")

PROTECTED = "fes_docs_protected"
HOSTILE = {
    "copy-program": "COPY (SELECT 1) TO PROGRAM 'touch {marker}'",
    "alter-system": "ALTER SYSTEM SET work_mem = '64MB'",
    "drop-database": f"DROP DATABASE {PROTECTED}",
    "create-superuser": "CREATE ROLE fes_docs_evil SUPERUSER",
    "read-file": "SELECT pg_read_file('/etc/passwd')",
    "dblink": "CREATE EXTENSION dblink",
}


def project(root: Path, migrations: dict[str, str], dry_run: str = "{}") -> Path:
    """The smallest project: a policy naming the migrations folder (and the dry run's bounds), no records."""
    return dryruncli.project(root, migrations, f"migrations_dir: db\ndry_run: {dry_run}\n")


@pytest.fixture(scope="module")
def shared_server() -> Iterator[str]:
    """A 'shared' server: a superuser DSN, and a database that must survive every dry run against it."""
    with throwaway_cluster() as admin:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {PROTECTED}")
        yield admin


def _refused(proc: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (finding,) = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "FES330"]
    assert (finding["file"], finding["line"], finding["severity"]) == ("db/V1__hostile.sql", 2, "error")
    assert "needs superuser; Flyway's production user should not have it" in str(finding["hint"])
    return dict(finding)


@pytest.mark.parametrize("statement", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_migration_on_dsn_fails_in_the_sandbox_and_changes_nothing_outside(
    shared_server: str, tmp_path: Path, statement: str
) -> None:
    marker = Path(tempfile.gettempdir()) / f"fes-docs-pwned-{uuid.uuid4().hex}"
    before = server_state(shared_server)
    sql = f"-- written by a pull request\n{statement.format(marker=marker)};\n"
    root = project(tmp_path, {"V1__hostile.sql": sql, "V2__later.sql": "SELECT 1;\n"})
    proc = fes(root, "--dsn", shared_server, "--format", "json")
    _refused(proc)
    assert server_state(shared_server) == before  # the database still there, no role added, ALTER SYSTEM file as it was
    assert not marker.exists()


def test_hostile_migration_in_the_throwaway_cluster_runs_no_program(tmp_path: Path) -> None:
    marker = Path(tempfile.gettempdir()) / f"fes-docs-pwned-{uuid.uuid4().hex}"
    sql = f"CREATE TABLE IF NOT EXISTS t (a int);\nCOPY (SELECT 1) TO PROGRAM 'touch {marker}';\n"
    proc = fes(project(tmp_path, {"V1__hostile.sql": sql}), "--format", "json")
    finding = _refused(proc)
    assert "pg_execute_server_program" in str(finding["message"])
    assert not marker.exists()


@pytest.mark.parametrize(("attributes", "missing"), [("NOCREATEDB NOCREATEROLE", "CREATEDB and CREATEROLE")])
def test_dsn_user_without_the_privileges_is_a_one_line_error(
    shared_server: str, tmp_path: Path, attributes: str, missing: str
) -> None:
    with psycopg.connect(shared_server, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE fes_docs_weak_admin LOGIN {attributes}")
    try:
        weak = make_conninfo(shared_server, user="fes_docs_weak_admin")
        proc = fes(project(tmp_path, {"V1__x.sql": "SELECT 1;\n"}), "--dsn", weak)
    finally:
        with psycopg.connect(shared_server, autocommit=True) as conn:
            conn.execute("DROP ROLE fes_docs_weak_admin")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and f"lacks {missing}" in proc.stderr, proc.stderr


def test_policy_bounds_make_a_sleeping_migration_a_finding_and_are_in_the_evidence(tmp_path: Path) -> None:
    root = project(tmp_path, {"V1__sleep.sql": "SELECT 1;\nSELECT pg_sleep(1e6);\n"}, "{statement_timeout_s: 1}")
    proc = fes(root, "--format", "json", "--evidence", str(tmp_path / "evidence.json"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (finding,) = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "FES330"]
    assert (finding["file"], finding["line"]) == ("db/V1__sleep.sql", 2)
    assert "statement timeout" in finding["message"] and "dry_run.statement_timeout_s: 1 s" in finding["hint"]
    evidence = json.loads((tmp_path / "evidence.json").read_text())
    assert evidence["limits"] == {"lock_timeout_s": 30, "run_timeout_s": 1800, "statement_timeout_s": 1}


def _sleeping(folder: Path) -> bool:
    try:
        with psycopg.connect(make_conninfo("", host=str(folder), port="5432", user="postgres", dbname="postgres")) as c:
            row = c.execute("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'").fetchone()
    except psycopg.Error:
        return False
    return row is not None and row[0] > 0


def test_sigkilled_dry_run_leaves_no_server_and_the_next_run_removes_its_folder(tmp_path: Path) -> None:
    parent = Path(tempfile.mkdtemp(prefix="fes-docs-sigkill-"))
    parent.chmod(0o755)  # the server's OS user (as root: postgres) must reach its folder
    try:
        env = {**os.environ, "TMPDIR": str(parent)}
        root = project(tmp_path / "p", {"V1__sleep.sql": "SELECT pg_sleep(1e6);\n"})
        child = subprocess.Popen(
            [sys.executable, "-m", "fes_docs", "dry-run", "--root", str(root)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(lambda: any(_sleeping(f) for f in parent.glob(f"{FOLDER_PREFIX}*")), "the migration to run")
            (left,) = parent.glob(f"{FOLDER_PREFIX}*")
            assert processes_mentioning(str(left))  # the postmaster, started with -D <folder>/data
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        wait_for(lambda: not processes_mentioning(str(parent)), "the server to exit")
        assert left.exists()  # nothing ran in the killed process to remove it
        again = fes(project(tmp_path / "q", {"V1__x.sql": "SELECT 1;\n"}), env=env)
        assert again.returncode == 0, again.stdout + again.stderr
        assert list(parent.iterdir()) == []
    finally:
        for pid in processes_mentioning(str(parent)):  # pragma: no cover - only when the server outlived us
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(parent, ignore_errors=True)
