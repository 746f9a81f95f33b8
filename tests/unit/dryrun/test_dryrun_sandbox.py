"""The dry run's sandbox on a real PostgreSQL: who migrations run as, what the server refuses them, the bounds.

Every test runs in the module's throwaway cluster (conftest.py); `database` is a scratch database with its
own sandbox role, made by `scratch_database` exactly as `fes-docs dry-run --dsn` makes it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from serverstate import server_state

from fes_docs.dryrun.causes import SANDBOX_HINT, failure_hint, is_run_bound
from fes_docs.dryrun.cluster import DryRunUnavailable, sandbox, scratch_database
from fes_docs.dryrun.engine import Settings, run
from fes_docs.dryrun.report import MigrationInput
from fes_docs.dryrun.scratch import ROLE_PREFIX

PROTECTED = "fes_docs_protected"


def _migration(sql: str, version: str = "1") -> MigrationInput:
    return MigrationInput(version, "m", f"V{version}__m.sql", sql, 1, None)


@pytest.fixture(scope="module")
def protected(cluster_dsn: str) -> Iterator[str]:
    with psycopg.connect(cluster_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {PROTECTED}")
    yield PROTECTED
    with psycopg.connect(cluster_dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PROTECTED}")


def test_the_sandbox_role_has_no_attribute_no_membership_and_owns_only_its_database(cluster_dsn: str) -> None:
    with sandbox(cluster_dsn) as box, psycopg.connect(box.dsn) as conn:
        assert box.role.startswith(ROLE_PREFIX) and conninfo_to_dict(box.dsn)["user"] == box.role
        row = conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_roles"
            " WHERE rolname = current_user"
        ).fetchone()
        assert row == (False, False, False, False, False)
        member_of = conn.execute(
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = current_user"
        ).fetchone()
        assert member_of == (0,)  # not pg_read_server_files, pg_write_server_files, pg_execute_server_program, …
        owned = conn.execute(
            "SELECT datname FROM pg_database WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
        ).fetchall()
        assert owned == [(box.database,)]
        conn.execute("CREATE TABLE t (a int)")  # the owner of the database may build in it
    with psycopg.connect(cluster_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", [box.role]).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [box.database]).fetchone() == (0,)


@pytest.mark.parametrize(
    "statement",
    [
        "COPY (SELECT 1) TO PROGRAM 'touch {marker}'",
        "COPY (SELECT 1) TO '{marker}'",
        "ALTER SYSTEM SET work_mem = '64MB'",
        f"DROP DATABASE {PROTECTED}",
        "CREATE ROLE fes_docs_evil SUPERUSER",
        "SELECT pg_read_file('/etc/passwd')",
        "SET ROLE postgres",
        "CREATE EXTENSION IF NOT EXISTS dblink",
    ],
    ids=["copy-program", "copy-file", "alter-system", "drop-database", "create-superuser", "read-file",
         "set-role", "dblink"],
)  # fmt: skip
def test_hostile_statement_fails_inside_the_sandbox_and_changes_nothing(
    cluster_dsn: str, protected: str, database: str, tmp_path: Path, statement: str
) -> None:
    marker = Path("/tmp") / f"fes-docs-pwned-{uuid.uuid4().hex}"
    before = server_state(cluster_dsn)
    sql = f"-- a pull request wrote this\n{statement.format(marker=marker)};\n"  # alone: some run outside a transaction
    report = run(database, [_migration(sql), _migration("SELECT 1;", "2")])
    first, second = report.migrations
    assert (first.status, first.error_line, first.error_sqlstate) == ("failed", 2, "42501"), first.error
    assert failure_hint(first.error_sqlstate, first.error, report.limits) == SANDBOX_HINT
    assert second.status == "not-run"
    assert server_state(cluster_dsn) == before
    assert not marker.exists()


def test_a_setup_user_without_createrole_is_told_so_before_anything_is_made(cluster_dsn: str) -> None:
    with psycopg.connect(cluster_dsn, autocommit=True) as conn:
        conn.execute("CREATE ROLE fes_docs_createdb_only LOGIN CREATEDB")
    try:
        before = server_state(cluster_dsn)
        weak = make_conninfo(cluster_dsn, user="fes_docs_createdb_only")
        with pytest.raises(DryRunUnavailable) as caught, scratch_database(weak):
            pytest.fail("must not yield")  # pragma: no cover
        message = str(caught.value)
        assert "lacks CREATEROLE" in message and "CREATEDB and CREATEROLE, or superuser" in message
        assert "\n" not in message and server_state(cluster_dsn) == before
    finally:
        with psycopg.connect(cluster_dsn, autocommit=True) as conn:
            conn.execute("DROP ROLE fes_docs_createdb_only")


def test_a_setup_user_with_createdb_and_createrole_suffices_and_leaves_nothing(cluster_dsn: str) -> None:
    """Not a superuser (a managed server's admin): it grants itself the sandbox role to give it the database."""
    with psycopg.connect(cluster_dsn, autocommit=True) as conn:
        conn.execute("CREATE ROLE fes_docs_admin LOGIN CREATEDB CREATEROLE")
    try:
        before = server_state(cluster_dsn)
        admin = make_conninfo(cluster_dsn, user="fes_docs_admin")
        with scratch_database(admin) as dsn:
            report = run(dsn, [_migration("CREATE TABLE t (a int);\nCOPY t TO PROGRAM 'true';")])
            assert report.migrations[0].error_sqlstate == "42501"
        assert server_state(cluster_dsn) == before
    finally:
        with psycopg.connect(cluster_dsn, autocommit=True) as conn:
            conn.execute("DROP ROLE fes_docs_admin")


def test_text_after_the_last_semicolon_is_sent_and_its_error_reported(database: str) -> None:
    report = run(database, [_migration("SELECT 1;\nSELEC 2"), _migration("SELECT 1;", "2")])
    failed, later = report.migrations
    assert (failed.status, failed.error_line, failed.applied) == ("failed", 2, False)
    assert "syntax error" in (failed.error or "") and later.status == "not-run"


def test_an_unterminated_last_statement_applies(database: str) -> None:
    (outcome,) = run(database, [_migration("CREATE TABLE t (id int)")]).migrations
    assert outcome.status == "applied"
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT to_regclass('public.t') IS NOT NULL").fetchone() == (True,)


def test_a_statement_that_sleeps_forever_is_a_statement_timeout_at_its_line(database: str) -> None:
    settings = Settings(statement_timeout_ms=1000)
    report = run(database, [_migration("SELECT 1;\n\nSELECT pg_sleep(1e6);\n")], settings=settings)
    (outcome,) = report.migrations
    assert (outcome.status, outcome.error_line, outcome.error_sqlstate) == ("failed", 3, "57014")
    hint = failure_hint(outcome.error_sqlstate, outcome.error, report.limits)
    assert hint is not None and "dry_run.statement_timeout_s: 1 s" in hint
    assert report.to_evidence()["limits"] == {"lock_timeout_s": 30, "run_timeout_s": 1800, "statement_timeout_s": 1}


def test_the_run_bound_ends_a_migration_that_catches_the_cancel(database: str) -> None:
    """A cancel is an error PL/pgSQL can catch, in a loop: the statement's server process is ended then
    (no block catches that), and the run stops with the bound's finding instead of running for good."""
    settings = Settings(run_timeout_ms=1500, lock_timeout_ms=2500)
    stubborn = (
        "SET statement_timeout = 0;\n"
        "DO $$ BEGIN LOOP BEGIN PERFORM pg_sleep(3600);\n"
        "  EXCEPTION WHEN query_canceled THEN RAISE NOTICE 'swallowed'; END; END LOOP; END $$;\n"
    )
    report = run(database, [_migration("SELECT 1;"), _migration(stubborn, "2")], settings=settings)
    first, stubborn_outcome = report.migrations
    assert first.status == "applied" and stubborn_outcome.status == "failed"
    evidence = report.to_evidence()
    assert evidence["passed"] is False and is_run_bound(evidence["stopped"])


def test_the_run_bound_stops_a_migration_that_turns_the_statement_timeout_off(database: str) -> None:
    settings = Settings(run_timeout_ms=1500, lock_timeout_ms=2500)
    sleeper = "SET statement_timeout = 0;\nSELECT pg_sleep(1e6);\n"
    report = run(
        database, [_migration("SELECT 1;"), _migration(sleeper, "2"), _migration("SELECT 1;", "3")], settings=settings
    )
    first, sleeping, last = report.migrations
    assert first.status == "applied" and last.status == "not-run"
    assert (sleeping.status, sleeping.error_line) == ("failed", 2) and is_run_bound(sleeping.error)
    hint = failure_hint(sleeping.error_sqlstate, sleeping.error, report.limits)
    assert hint is not None and "dry_run.run_timeout_s: 1.5 s" in hint
    evidence = report.to_evidence()
    assert evidence["passed"] is False and is_run_bound(evidence["stopped"])
    assert evidence["limits"] == {"lock_timeout_s": 2.5, "run_timeout_s": 1.5, "statement_timeout_s": 300}


def test_a_transaction_left_prepared_does_not_keep_the_scratch_database(
    server_binaries: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a server that allows prepared transactions (a --dsn server may), one a migration leaves prepared
    outlives its session and holds its locks: DROP DATABASE failed, and the database and its role outlived
    the run. The clean-up rolls it back first. (The throwaway cluster allows none; this one is made to.)"""
    from fes_docs.dryrun import cluster as cluster_module
    from fes_docs.dryrun.cluster import throwaway_cluster

    monkeypatch.setattr(
        cluster_module, "_FAST_SETTINGS", {**cluster_module._FAST_SETTINGS, "max_prepared_transactions": 2}
    )
    with throwaway_cluster() as server:
        with sandbox(server, "a --dsn server") as box:
            with psycopg.connect(box.dsn) as conn:
                conn.execute("CREATE TABLE held (id int)")
                conn.execute("PREPARE TRANSACTION 'fes_leftover'")
            name, role = box.database, box.role
        with psycopg.connect(server, autocommit=True) as admin:
            assert admin.execute("SELECT count(*) FROM pg_prepared_xacts").fetchone() == (0,)
            assert admin.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name]).fetchone() == (0,)
            assert admin.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", [role]).fetchone() == (0,)
