"""`fes-docs dry-run` of a MySQL-dialect project, end to end on real MariaDB: a clean project passes, a syntax
error fails at its file and line, the lock report reaches the evidence (FES332 for a blocking ALTER), hostile
migrations on `--dsn mysql://` change nothing outside the scratch database, and a run killed with SIGKILL
leaves no server (the next run removes its folder).

Without MariaDB's server programs the module skips locally and fails under CI=true (.ci/run installs them).
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
from typing import Any

import dryruncli
import pytest
from dryruncli import fes, processes_mentioning, wait_for
from prerequisites import require

from fes_docs.dryrun.errors import DryRunUnavailable

try:
    from fes_docs.dryrun import mariadb_server

    mariadb_server._binary("mariadbd", "mysqld")
    mariadb_server._binary("mariadb-install-db", "mysql_install_db")
except (DryRunUnavailable, ModuleNotFoundError) as exc:
    require(f"needs MariaDB's server programs and PyMySQL (apt-get install mariadb-server): {exc}")

PROTECTED = "fes_docs_protected"
HOSTILE = {
    "into-outfile": "SELECT 1 INTO OUTFILE '{marker}'",
    "load-data": "LOAD DATA INFILE '/etc/passwd' INTO TABLE t",
    "create-user": "CREATE USER fes_docs_evil IDENTIFIED BY 'x'",
    "grant": f"GRANT SELECT ON {PROTECTED}.* TO CURRENT_USER()",
    "drop-database": f"DROP DATABASE {PROTECTED}",
    "set-global": "SET GLOBAL max_connections = 7",
    "other-database": f"INSERT INTO {PROTECTED}.kept VALUES (2)",
}


def project(root: Path, migrations: dict[str, str]) -> Path:
    return dryruncli.project(root, migrations, "migrations_dir: db\nsql_dialect: mysql\n")


def _findings(proc: subprocess.CompletedProcess[str], rule: str) -> list[dict[str, Any]]:
    return [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == rule]


def test_a_clean_mysql_project_passes_and_leaves_nothing(tmp_path: Path) -> None:
    parent = Path(tempfile.mkdtemp(prefix="fes-docs-my-clean-"))
    parent.chmod(0o755)  # as root the server runs as mysql, who must reach its folder
    try:
        root = project(
            tmp_path,
            {
                "V1__a.sql": "CREATE TABLE IF NOT EXISTS a (id INT PRIMARY KEY, b INT);\n",
                "V2__b.sql": "ALTER TABLE a ADD COLUMN IF NOT EXISTS c INT;\nINSERT IGNORE INTO a VALUES (1, 2, 3);\n",
            },
        )
        evidence = tmp_path / "evidence.json"
        proc = fes(root, "--evidence", str(evidence), env={**os.environ, "TMPDIR": str(parent)})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proc.stdout.startswith("MariaDB ")
        data = json.loads(evidence.read_text())
        assert data["passed"] and "mariadb" in data and "postgresql" not in data
        assert [(m["status"], m["idempotent"]) for m in data["migrations"]] == [("applied", True)] * 2
        assert list(parent.iterdir()) == []  # the server's folder is gone
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def test_a_syntax_error_fails_with_the_servers_message_at_file_and_line(tmp_path: Path) -> None:
    sql = "CREATE TABLE IF NOT EXISTS b (id INT);\n\nCREATE TABLE c (\n  id INT,\n  x INT,,\n);\n"
    proc = fes(project(tmp_path, {"V1__ok.sql": "SELECT 1;\n", "V2__bad.sql": sql}), "--format", "json")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (finding,) = _findings(proc, "FES330")
    assert (finding["file"], finding["line"]) == ("db/V2__bad.sql", 5)
    assert "MariaDB" in finding["message"] and "You have an error in your SQL syntax" in finding["message"]
    assert "line 1: CREATE TABLE IF NOT EXISTS b (id INT) (committed)" in finding["message"]


def test_the_lock_report_reaches_the_evidence_and_a_blocking_alter_is_fes332(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {
            "V1__a.sql": "CREATE TABLE IF NOT EXISTS a (id INT PRIMARY KEY, b INT);\n",
            "V2__b.sql": "INSERT IGNORE INTO a (id, b) VALUES (1, 2);\nALTER TABLE a MODIFY COLUMN b BIGINT;\n",
        },
    )
    evidence = tmp_path / "evidence.json"
    proc = fes(root, "--format", "json", "--evidence", str(evidence))
    locks = {(x["table"], x["mode"]) for x in json.loads(evidence.read_text())["migrations"][1]["locks"]}
    assert locks == {
        ("a", "MDL_SHARED_WRITE"),  # the INSERT's, read before the ALTER commits it
        ("a", "ALGORITHM=COPY or LOCK=SHARED (writes blocked)"),
        ("a", "MDL_EXCLUSIVE at start and end"),
    }, proc.stderr
    (finding,) = _findings(proc, "FES332")
    assert "ALGORITHM=COPY or LOCK=SHARED (writes blocked) on existing table a" in finding["message"]


@pytest.fixture(scope="module")
def shared_server() -> Iterator[str]:
    """A 'shared' server as a --dsn (its root user on its socket), with a database that must survive."""
    server = mariadb_server.TemporaryMariaDB()
    try:
        admin = server.start()
        conn = admin.connect()
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {PROTECTED}")
            cur.execute(f"CREATE TABLE {PROTECTED}.kept (id INT)")
            cur.execute(f"INSERT INTO {PROTECTED}.kept VALUES (1)")
        conn.close()
        yield f"mysql://root@localhost/?unix_socket={admin.unix_socket}"
    finally:
        server.stop()


def server_state(dsn: str) -> tuple[Any, ...]:
    """What a dry run must never change: the databases, the accounts and their grants, global settings, and
    the protected database's rows."""
    conn = mariadb_server.target_of_dsn(dsn).connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW DATABASES")
            databases = {r[0] for r in cur.fetchall()}
            cur.execute("SELECT User, Host, Priv FROM mysql.global_priv")
            accounts = {tuple(r) for r in cur.fetchall()}
            cur.execute("SELECT @@GLOBAL.max_connections, @@GLOBAL.read_only")
            settings = cur.fetchone()
            cur.execute(f"SELECT id FROM {PROTECTED}.kept")
            rows = sorted(r[0] for r in cur.fetchall())
    finally:
        conn.close()
    return databases, accounts, settings, rows


@pytest.mark.parametrize("statement", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_migration_on_dsn_fails_in_the_sandbox_and_changes_nothing_outside(
    shared_server: str, tmp_path: Path, statement: str
) -> None:
    marker = Path(tempfile.gettempdir()) / f"fes-docs-pwned-{uuid.uuid4().hex}"
    before = server_state(shared_server)
    sql = f"CREATE TABLE IF NOT EXISTS t (a TEXT);\n{statement.format(marker=marker)};\n"
    proc = fes(project(tmp_path, {"V1__hostile.sql": sql}), "--dsn", shared_server, "--format", "json")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (finding,) = _findings(proc, "FES330")
    assert (finding["file"], finding["line"]) == ("db/V1__hostile.sql", 2)
    assert "needs superuser; Flyway's production user should not have it" in str(finding["hint"])
    assert server_state(shared_server) == before
    assert not marker.exists()


def _sleeping(folder: Path) -> bool:
    try:
        conn = mariadb_server.MariaDB("root", unix_socket=str(folder / "mysqld.sock")).connect()
    except Exception:  # noqa: BLE001 - not up yet
        return False
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP%'")
            row = cur.fetchone()
    finally:
        conn.close()
    return row is not None and row[0] > 0


def test_sigkilled_dry_run_leaves_no_server_and_the_next_run_removes_its_folder(tmp_path: Path) -> None:
    parent = Path(tempfile.mkdtemp(prefix="fes-docs-my-sigkill-"))
    parent.chmod(0o755)
    prefix = mariadb_server.FOLDER_PREFIX
    try:
        env = {**os.environ, "TMPDIR": str(parent)}
        root = project(tmp_path / "p", {"V1__sleep.sql": "SELECT SLEEP(1000000);\n"})
        child = subprocess.Popen(
            [sys.executable, "-m", "fes_docs", "dry-run", "--root", str(root)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(lambda: any(_sleeping(f) for f in parent.glob(f"{prefix}*")), "the migration to run")
            (left,) = parent.glob(f"{prefix}*")
            assert processes_mentioning(str(left))  # mariadbd, started with --datadir=<folder>/data
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


def test_callbacks_fire_at_their_flyway_events_through_the_cli(tmp_path: Path) -> None:
    """A ``beforeMigrate.sql`` in the migrations folder runs before V1 on MariaDB too: V1 writes the table
    the callback creates, so the run passes only if the callback ran first."""
    root = project(
        tmp_path,
        {
            "beforeMigrate.sql": "CREATE TABLE IF NOT EXISTS audit_log (id INT PRIMARY KEY, what VARCHAR(40));\n",
            "V1__a.sql": "INSERT IGNORE INTO audit_log VALUES (1, 'v1');\n",
        },
    )
    evidence = tmp_path / "evidence.json"
    proc = fes(root, "--evidence", str(evidence))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(evidence.read_text())
    assert [(c["event"], c["script"]) for c in data["callbacks"]][:1] == [("beforeMigrate", "beforeMigrate.sql")]
    assert [m["status"] for m in data["migrations"]] == ["applied"]
