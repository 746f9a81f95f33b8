"""The MySQL-dialect dry run on a real throwaway MariaDB (one server for this module, a scratch database and
user per test): Flyway's history table, idempotency by a second run, partial failures, MySQL 8 syntax,
the lock report (ALTER probes, DML's metadata locks), callbacks at their events and backfills after their
release's migrations (the run order shared with PostgreSQL). No mocks; without MariaDB's server programs the
module skips locally and fails in CI."""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from prerequisites import require

from fes_docs.dryrun.causes import is_run_bound
from fes_docs.dryrun.errors import DryRunUnavailable
from fes_docs.dryrun.report import (
    MARIADB_DDL_MDL,
    NOT_ON_MARIADB,
    SKIP_JAVA,
    BackfillInput,
    CallbackInput,
    DryRunReport,
    MigrationInput,
)

try:
    from fes_docs.dryrun import mariadb_server
    from fes_docs.dryrun.mariadb_engine import run
    from fes_docs.dryrun.session import Settings

    mariadb_server._binary("mariadbd", "mysqld")
    mariadb_server._binary("mariadb-install-db", "mysql_install_db")
except (DryRunUnavailable, ModuleNotFoundError) as exc:
    require(f"needs MariaDB's server programs and PyMySQL (apt-get install mariadb-server): {exc}")


@pytest.fixture(scope="module")
def server() -> Iterator[mariadb_server.MariaDB]:
    box = mariadb_server.TemporaryMariaDB()
    try:
        yield box.start()
    finally:
        box.stop()


@pytest.fixture
def sandbox(server: mariadb_server.MariaDB) -> Iterator[mariadb_server.MariaDBSandbox]:
    with mariadb_server.mariadb_sandbox(server, "the test server") as box:
        yield box


def _migration(version: str, sql: str, release: str = "r") -> MigrationInput:
    return MigrationInput(version, "m", f"V{version}__m.sql", sql, zlib.crc32(sql.encode()) & 0x7FFFFFFF, release)


def _callback(event: str, sql: str) -> CallbackInput:
    return CallbackInput(event, f"{event}.sql", sql, zlib.crc32(sql.encode()) & 0x7FFFFFFF)


def _run(box: Any, *sqls: str, dialect: str = "mysql", callbacks: tuple[CallbackInput, ...] = ()) -> DryRunReport:
    migrations = [_migration(str(n), sql) for n, sql in enumerate(sqls, start=1)]
    return run(box, migrations, dialect=dialect, callbacks=callbacks)


def _rows(box: mariadb_server.MariaDBSandbox, query: str) -> list[tuple[Any, ...]]:
    conn = box.admin.connect(database=box.database)
    try:
        with conn.cursor() as cur:
            cur.execute(query)
            return [tuple(r) for r in cur.fetchall()]
    finally:
        conn.close()


def test_a_clean_project_applies_and_is_idempotent(sandbox: mariadb_server.MariaDBSandbox) -> None:
    report = _run(
        sandbox,
        "CREATE TABLE IF NOT EXISTS a (id INT PRIMARY KEY, b INT);\nINSERT IGNORE INTO a VALUES (1, 2);",
        "ALTER TABLE a ADD COLUMN IF NOT EXISTS c INT;\n"
        "INSERT INTO a (id, b) VALUES (2, 3) ON DUPLICATE KEY UPDATE b = VALUES(b);",
    )
    assert report.passed and report.server == "MariaDB"
    assert [(m.status, m.idempotent) for m in report.migrations] == [("applied", True), ("applied", True)]
    assert report.to_evidence()["mariadb"] == report.server_version
    history = _rows(sandbox, "SELECT installed_rank, version, script, type, success FROM flyway_schema_history")
    assert history == [(1, "1", "V1__m.sql", "SQL", 1), (2, "2", "V2__m.sql", "SQL", 1)]
    types = dict(
        _rows(
            sandbox,
            "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'flyway_schema_history'",
        )
    )
    assert types["checksum"] == "int(11)" and types["script"] == "varchar(1000)" and types["success"] == "tinyint(1)"


def test_a_migration_that_is_not_idempotent_fails_on_its_second_run(
    sandbox: mariadb_server.MariaDBSandbox,
) -> None:
    report = _run(
        sandbox,
        "CREATE TABLE IF NOT EXISTS a (id INT AUTO_INCREMENT PRIMARY KEY, b INT);",
        "INSERT INTO a (b) VALUES (1);",
        "ALTER TABLE a ADD COLUMN c INT;",
    )
    first, insert, alter = report.migrations
    assert first.idempotent is True
    assert insert.applied and insert.idempotent is False
    assert insert.idempotency_error is not None and "table a: 1 -> 2 rows" in insert.idempotency_error
    assert alter.applied and alter.idempotent is False
    assert alter.idempotency_error is not None and "Duplicate column name 'c'" in alter.idempotency_error
    assert alter.idempotency_line == 1
    assert not report.passed
    # the INSERT's second run was read, then rolled back: later migrations see the rows production would
    assert _rows(sandbox, "SELECT COUNT(*) FROM a") == [(1,)]


def test_a_syntax_error_is_the_servers_message_at_its_line(sandbox: mariadb_server.MariaDBSandbox) -> None:
    report = _run(sandbox, "CREATE TABLE IF NOT EXISTS a (id INT);\n\nCREATE TABLE b (\n  id INT,\n  x INTT\n);")
    (m,) = report.migrations
    assert m.status == "failed" and m.error is not None
    assert "Unknown data type: 'INTT'" in m.error or "syntax" in m.error
    assert m.error_line == 3


def test_a_partial_failure_lists_what_had_run_and_what_production_keeps(
    sandbox: mariadb_server.MariaDBSandbox,
) -> None:
    # a failing ALTER: MySQL commits before a DDL statement runs, so the INSERT before it stays
    ddl = _run(
        sandbox,
        "CREATE TABLE IF NOT EXISTS a (id INT);\nINSERT INTO a VALUES (1);\nALTER TABLE a ADD COLUMN id INT;",
    ).migrations[0]
    assert ddl.status == "failed" and ddl.error is not None and "Duplicate column name 'id'" in ddl.error
    assert ddl.ran == [
        "line 1: CREATE TABLE IF NOT EXISTS a (id INT) (committed)",
        "line 2: INSERT INTO a VALUES (1) (committed)",
    ]
    assert _rows(sandbox, "SELECT COUNT(*) FROM a") == [(1,)]  # as the report says
    assert _rows(sandbox, "SELECT success FROM flyway_schema_history") == [(0,)]  # Flyway's failed row
    assert ddl.to_evidence()["ran_before_failure"] == ddl.ran


def test_a_failing_insert_rolls_back_the_rows_after_the_last_ddl(sandbox: mariadb_server.MariaDBSandbox) -> None:
    dml = _run(
        sandbox,
        "CREATE TABLE IF NOT EXISTS b (id INT PRIMARY KEY);\nINSERT INTO b VALUES (1);\nINSERT INTO b VALUES (1);",
    ).migrations[0]
    assert dml.status == "failed" and dml.error is not None and "Duplicate entry '1'" in dml.error
    assert dml.ran == [
        "line 1: CREATE TABLE IF NOT EXISTS b (id INT PRIMARY KEY) (committed)",
        "line 2: INSERT INTO b VALUES (1) (rolled back)",
    ]
    assert _rows(sandbox, "SELECT COUNT(*) FROM b") == [(0,)]


def test_mysql_8_syntax_mariadb_rejects_is_not_provable_not_failed(
    sandbox: mariadb_server.MariaDBSandbox, server: mariadb_server.MariaDB
) -> None:
    # MySQL 8's functional index key part ((expression)) is a syntax error to MariaDB 10.11
    report = _run(
        sandbox,
        "CREATE TABLE IF NOT EXISTS a (id INT, b VARCHAR(10));\nCREATE INDEX ix ON a ((LOWER(b)));",
    )
    (m,) = report.migrations
    assert m.unproven_after == NOT_ON_MARIADB and m.status == "unproven"
    assert m.note == "not provable on MariaDB: MySQL syntax MariaDB rejects"
    assert m.passed
    # the same file as a MariaDB project is simply wrong
    with mariadb_server.mariadb_sandbox(server, "the test server") as other:
        sql = "CREATE TABLE a (id INT, b VARCHAR(10));\nCREATE INDEX ix ON a ((LOWER(b)));"
        mariadb = _run(other, sql, dialect="mariadb").migrations[0]
    assert mariadb.status == "failed" and mariadb.error is not None and "syntax" in mariadb.error
    assert mariadb.error_line == 2


def test_the_lock_report_says_which_algorithm_the_server_accepted(sandbox: mariadb_server.MariaDBSandbox) -> None:
    report = _run(
        sandbox,
        "CREATE TABLE IF NOT EXISTS a (id INT PRIMARY KEY, b INT);",
        "ALTER TABLE a ADD COLUMN c INT;\nALTER TABLE a ADD INDEX ib (b);\nALTER TABLE a MODIFY COLUMN b BIGINT;",
        "CREATE TABLE IF NOT EXISTS n (id INT);\nALTER TABLE n ADD COLUMN c INT;",
    )
    created, altered, new = report.migrations
    assert created.locks == [] and new.locks == []  # a table the migration made blocks nobody
    assert altered.locks == [  # strongest first, as on PostgreSQL
        ("a", "ALGORITHM=COPY or LOCK=SHARED (writes blocked)"),
        ("a", "ALGORITHM=INPLACE, LOCK=NONE"),
        ("a", "ALGORITHM=INSTANT"),
        ("a", "MDL_EXCLUSIVE at start and end"),  # every DDL's, whatever the algorithm
    ]
    assert altered.strongest_locks == {"a": "ALGORITHM=COPY or LOCK=SHARED (writes blocked)"}
    columns = _rows(
        sandbox,
        "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
        "AND TABLE_NAME = 'a' ORDER BY ORDINAL_POSITION",
    )
    assert columns == [("id", "int(11)"), ("b", "bigint(20)"), ("c", "int(11)")]  # each applied once


def test_index_statements_are_probed_like_alter(sandbox: mariadb_server.MariaDBSandbox) -> None:
    """CREATE INDEX takes ALGORITHM and LOCK too (space-separated): a secondary index builds in place without
    blocking writes, a FULLTEXT one cannot (LOCK=NONE refused), and each is applied once. DROP INDEX takes
    no such clause on MariaDB: it is sent as written, with its exclusive metadata lock reported."""
    report = _run(
        sandbox,
        "CREATE TABLE IF NOT EXISTS a (id INT PRIMARY KEY, b INT, t TEXT) ENGINE=InnoDB;",
        "CREATE INDEX ib ON a (b);",
        "CREATE FULLTEXT INDEX ft ON a (t);",
        "DROP INDEX ib ON a;",
    )
    _, secondary, fulltext, dropped = report.migrations
    assert secondary.strongest_locks == {"a": "ALGORITHM=INPLACE, LOCK=NONE"}, secondary.locks
    assert fulltext.strongest_locks == {"a": "ALGORITHM=COPY or LOCK=SHARED (writes blocked)"}, fulltext.locks
    assert dropped.locks == [("a", "MDL_EXCLUSIVE at start and end")]
    indexes = _rows(
        sandbox,
        "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
        "AND TABLE_NAME = 'a' ORDER BY INDEX_NAME",
    )
    assert sorted(indexes) == [("PRIMARY",), ("ft",)]


def test_the_sandbox_user_has_no_global_privilege(sandbox: mariadb_server.MariaDBSandbox) -> None:
    conn = sandbox.dsn.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW GRANTS")
            grants = " ".join(str(r[0]) for r in cur.fetchall())
    finally:
        conn.close()
    assert "GRANT USAGE ON *.*" in grants and f"ALL PRIVILEGES ON `{sandbox.database}`.*" in grants
    assert "FILE" not in grants and "SUPER" not in grants and "WITH GRANT OPTION" not in grants


#: V1's second run empties p (TRUNCATE commits) and then fails: MySQL cannot roll that back, so V2 would see an
#: empty p that production never has (as Apache Fineract's V149/V150 do).
_EMPTIED_ON_RERUN = (
    "CREATE TABLE IF NOT EXISTS p (name VARCHAR(10));\nTRUNCATE TABLE p;\nCREATE TABLE q (id INT);\n"
    "INSERT INTO p VALUES ('x');",
    "CREATE TABLE IF NOT EXISTS r (name VARCHAR(10) NOT NULL);\n"
    "INSERT INTO r VALUES ((SELECT name FROM p WHERE name = 'x'));",
)


def test_a_failure_after_a_second_run_that_left_changes_is_judged_on_a_fresh_database(
    sandbox: mariadb_server.MariaDBSandbox,
) -> None:
    report = _run(
        sandbox,
        *_EMPTIED_ON_RERUN,
    )
    first, second = report.migrations
    assert first.applied and first.idempotent is False
    assert second.status == "applied", second.error
    assert report.environment["rebuilt_before"] == ["V2__m.sql (after V1__m.sql's second run)"]


def test_per_migration_callbacks_run_in_the_migrations_transaction(sandbox: mariadb_server.MariaDBSandbox) -> None:
    """As Flyway does, beforeEachMigrate runs in the migration's transaction: when a DML-only migration fails,
    the callback's row goes with it. V1's rows stay (its CREATE commits them), once for each of its two runs."""
    report = _run(
        sandbox,
        "CREATE TABLE IF NOT EXISTS t (id INT PRIMARY KEY);",
        "INSERT INTO t VALUES (1);\nINSERT INTO nowhere VALUES (1);",
        callbacks=(
            _callback("beforeMigrate", "CREATE TABLE IF NOT EXISTS audit (id INT AUTO_INCREMENT PRIMARY KEY);"),
            _callback("beforeEachMigrate", "INSERT INTO audit VALUES ();"),
        ),
    )
    assert [m.status for m in report.migrations] == ["applied", "failed"]
    assert _rows(sandbox, "SELECT COUNT(*) FROM audit") == [(2,)]  # V1's run and re-run; V2's rolled back
    assert _rows(sandbox, "SELECT COUNT(*) FROM t") == [(0,)]


def test_a_migration_judged_again_on_a_fresh_database_has_its_callbacks_recorded_once(
    sandbox: mariadb_server.MariaDBSandbox,
) -> None:
    """V2 fails after V1's second run and is run again on a fresh database: its beforeEachMigrate ran on both,
    but the evidence shows the run production would have, one callback per migration."""
    report = _run(
        sandbox,
        *_EMPTIED_ON_RERUN,
        callbacks=(_callback("beforeEachMigrate", "SELECT 1;"),),
    )
    assert report.environment["rebuilt_before"] == ["V2__m.sql (after V1__m.sql's second run)"]
    each = [(c.event, c.migration) for c in report.callbacks if c.event == "beforeEachMigrate"]
    assert each == [("beforeEachMigrate", "V1__m.sql"), ("beforeEachMigrate", "V2__m.sql")]


def test_a_real_failure_stays_a_failure_on_the_fresh_database(sandbox: mariadb_server.MariaDBSandbox) -> None:
    report = _run(
        sandbox,
        "CREATE TABLE IF NOT EXISTS p (name VARCHAR(10));\nTRUNCATE TABLE p;\nCREATE TABLE q (id INT);",
        "INSERT INTO nowhere VALUES (1);",
    )
    assert report.migrations[1].status == "failed"
    assert report.migrations[1].error is not None and "nowhere" in report.migrations[1].error


def test_dml_reports_the_metadata_locks_it_held_until_its_commit(sandbox: mariadb_server.MariaDBSandbox) -> None:
    report = _run(
        sandbox,
        "CREATE TABLE IF NOT EXISTS a (id INT PRIMARY KEY, b INT);\nCREATE TABLE IF NOT EXISTS r (id INT);",
        # DML before a DDL is read before the DDL's implicit commit; DML after it before the migration's commit
        "INSERT IGNORE INTO a (id, b) VALUES (1, 1);\nALTER TABLE a ADD COLUMN IF NOT EXISTS c INT;\n"
        "INSERT IGNORE INTO a (id, b) SELECT id, id FROM r;\n"
        "CREATE TABLE IF NOT EXISTS n (id INT PRIMARY KEY);\nINSERT IGNORE INTO n VALUES (1);",
        "UPDATE r SET id = id;\nALTER TABLE a ADD COLUMN IF NOT EXISTS d INT;",  # r's lock: before the ALTER only
        "UPDATE a SET b = b;\nCOMMIT;",  # the script's own COMMIT ends the transaction: read before it
    )
    assert report.passed, [(m.status, m.idempotency_error) for m in report.migrations]
    locks = report.migrations[1].locks
    assert ("a", "MDL_SHARED_WRITE") in locks and ("r", "MDL_SHARED_READ") in locks
    assert ("a", "ALGORITHM=INSTANT") in locks and ("a", MARIADB_DDL_MDL) in locks
    assert not [lock for lock in locks if lock[0] in ("n", "flyway_schema_history")]  # made here, or ours
    assert report.migrations[1].strongest_locks == {"a": "ALGORITHM=INSTANT", "r": "MDL_SHARED_READ"}
    assert ("r", "MDL_SHARED_WRITE") in report.migrations[2].locks
    assert report.migrations[3].locks == [("a", "MDL_SHARED_WRITE")]
    assert "locks_unread" not in report.environment


def test_a_before_migrate_callback_runs_first_and_is_recorded(sandbox: mariadb_server.MariaDBSandbox) -> None:
    report = _run(
        sandbox,
        "INSERT IGNORE INTO made_by_callback VALUES (1);",
        "CREATE TABLE IF NOT EXISTS b (id INT);",
        callbacks=(
            _callback("beforeMigrate", "CREATE TABLE IF NOT EXISTS made_by_callback (id INT PRIMARY KEY);"),
            _callback("beforeEachMigrate", "SET @each = 1;"),
            _callback("afterMigrate", "INSERT INTO made_by_callback VALUES (99);"),
        ),
    )
    assert [m.status for m in report.migrations] == ["applied", "applied"]
    assert report.passed
    ran = [(c.event, c.migration, c.status) for c in report.callbacks]
    assert ran == [
        ("beforeMigrate", None, "applied"),
        ("beforeEachMigrate", "V1__m.sql", "applied"),
        ("beforeEachMigrate", "V2__m.sql", "applied"),
        ("afterMigrate", None, "applied"),
    ]
    assert _rows(sandbox, "SELECT id FROM made_by_callback ORDER BY id") == [(1,), (99,)]
    assert report.to_evidence()["callbacks"][0]["script"] == "beforeMigrate.sql"


def test_a_failing_callback_stops_the_run(sandbox: mariadb_server.MariaDBSandbox) -> None:
    report = _run(
        sandbox,
        "CREATE TABLE IF NOT EXISTS a (id INT);",
        callbacks=(
            _callback("beforeMigrate", "SET @x = 1;\nINSERT INTO nowhere VALUES (1);"),
            _callback("afterMigrateError", "SET @y = 1;"),
        ),
    )
    assert [m.status for m in report.migrations] == ["not-run"]
    failed, after = report.callbacks
    assert (failed.event, failed.status, failed.error_line) == ("beforeMigrate", "failed", 2)
    assert failed.error is not None and "nowhere" in failed.error
    assert (after.event, after.status) == ("afterMigrateError", "applied")
    assert not report.passed
    assert _rows(sandbox, "SELECT COUNT(*) FROM flyway_schema_history") == [(0,)]


def test_a_failing_after_each_migrate_callback_fails_its_migration(sandbox: mariadb_server.MariaDBSandbox) -> None:
    report = _run(
        sandbox,
        "CREATE TABLE IF NOT EXISTS a (id INT);",
        "CREATE TABLE IF NOT EXISTS b (id INT);",
        callbacks=(_callback("afterEachMigrate", "INSERT INTO a VALUES ('not a number');"),),
    )
    first, second = report.migrations
    assert first.status == "failed" and first.failed_callback is not None
    assert "afterEachMigrate.sql (afterEachMigrate) failed" in first.failed_callback
    assert second.status == "not-run"
    assert _rows(sandbox, "SELECT script, success FROM flyway_schema_history") == [("V1__m.sql", 0)]  # as Flyway


def test_a_backfill_runs_after_its_release_not_after_every_migration(sandbox: mariadb_server.MariaDBSandbox) -> None:
    # release A adds a column and backfills it; release B, later, drops it: A's backfill must see A's schema
    migrations = [
        _migration(
            "1",
            "CREATE TABLE IF NOT EXISTS t (id INT PRIMARY KEY, legacy INT);\n"
            "INSERT IGNORE INTO t VALUES (1, NULL), (2, NULL), (3, 5);",
            "A",
        ),
        _migration("2", "ALTER TABLE t DROP COLUMN IF EXISTS legacy;", "B"),
    ]
    backfills = [
        BackfillInput("A", "fill_legacy", "UPDATE t SET legacy = 0 WHERE legacy IS NULL", 2, after="V1__m.sql"),
        BackfillInput("B", "after_all", "UPDATE t SET legacy = 0 WHERE legacy IS NULL", None),
    ]
    report = run(sandbox, migrations, backfills)
    a, b = report.backfills
    assert (a.name, a.rows, a.error) == ("fill_legacy", 2, None)
    assert b.error is not None and "legacy" in b.error  # the same SQL after B's migration: the column is gone
    assert _rows(sandbox, "SELECT COUNT(*) FROM t") == [(3,)]  # rolled back, rows untouched


def test_backfills_do_not_run_after_a_failed_migration(sandbox: mariadb_server.MariaDBSandbox) -> None:
    migrations = [
        _migration("1", "CREATE TABLE IF NOT EXISTS t (id INT);"),
        _migration("2", "INSERT INTO x VALUES (1);"),
    ]
    backfills = [
        BackfillInput("r", "early", "SELECT COUNT(*) FROM t", 0, after="V1__m.sql"),
        BackfillInput("r", "late", "SELECT COUNT(*) FROM t", 0, after="V2__m.sql"),
    ]
    early, late = run(sandbox, migrations, backfills).backfills
    assert (early.rows, early.error) == (0, None)
    assert late.error == "not run: a migration failed to apply"


def test_a_server_without_metadata_lock_info_says_the_dml_locks_were_not_read(
    sandbox: mariadb_server.MariaDBSandbox,
) -> None:
    # a --dsn server may not load the plugin the throwaway one does: the run goes on, and says so once
    admin = sandbox.admin.connect()
    try:
        with admin.cursor() as cur:
            cur.execute("UNINSTALL SONAME 'metadata_lock_info'")
        report = _run(
            sandbox,
            "CREATE TABLE IF NOT EXISTS a (id INT PRIMARY KEY);",
            "INSERT IGNORE INTO a (id) VALUES (1);\nALTER TABLE a ADD COLUMN IF NOT EXISTS c INT;",
        )
    finally:
        with admin.cursor() as cur:
            cur.execute("INSTALL SONAME 'metadata_lock_info'")
        admin.close()
    assert report.passed
    assert report.migrations[1].locks == [("a", "ALGORITHM=INSTANT"), ("a", MARIADB_DDL_MDL)]
    assert "metadata_lock_info" in report.environment["locks_unread"]


def test_the_shared_run_order_skips_java_and_keeps_the_run_bound(sandbox: mariadb_server.MariaDBSandbox) -> None:
    java = MigrationInput("2", "j", "V2__j.java", "", 0, "r", skip=SKIP_JAVA)
    migrations = [_migration("1", "CREATE TABLE IF NOT EXISTS a (id INT);"), java, _migration("3", "SELECT * FROM j;")]
    first, skipped, after = run(sandbox, migrations).migrations
    assert (first.status, skipped.status, after.status) == ("applied", SKIP_JAVA, "unproven")
    assert after.unproven_after == "V2__j.java"
    # a bound that ran out before the first statement (it started long ago): the run stops, in the bound's words
    over = Settings(run_timeout_ms=1000, run_began=time.monotonic() - 60)
    with mariadb_server.mariadb_sandbox(sandbox.admin, "the test server") as other:
        report = run(other, [_migration("1", "CREATE TABLE IF NOT EXISTS a (id INT);")], settings=over)
    (stopped,) = report.migrations
    assert stopped.status == "failed" and is_run_bound(stopped.error) and stopped.error_line == 1
    assert report.stopped is not None and is_run_bound(report.stopped)
