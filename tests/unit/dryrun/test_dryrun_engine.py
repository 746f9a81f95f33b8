"""The dry-run engine on a real PostgreSQL: apply, prove idempotency, report locks, leave Flyway's history."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from fes_docs.dryrun import proof
from fes_docs.dryrun.cluster import DryRunUnavailable, TemporaryCluster, throwaway_cluster
from fes_docs.dryrun.engine import Settings, run
from fes_docs.dryrun.report import (
    BackfillInput,
    CallbackInput,
    MigrationInput,
    evidence_checksums,
    evidence_json,
)
from fes_docs.dryrun.statements import statements_to_send

# PostgreSQL's server programs come through the `server_binaries` fixture (conftest.py): a skip here, a
# failure in CI. `database` and `cluster_dsn` ask for it themselves.
pytestmark = pytest.mark.usefixtures("server_binaries")

Load = Callable[[str], list[MigrationInput]]
Text = Callable[[str], str]


def _line_of(text: str, needle: str) -> int:
    """1-based line where `needle` starts in a fixture: expectations come from the file, not from memory."""
    return text[: text.index(needle)].count("\n") + 1


def _history(dsn: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT installed_rank, version, description, type, script, checksum, installed_by,"
            " execution_time, success, installed_on FROM flyway_schema_history ORDER BY installed_rank"
        ).fetchall()


def test_example_project_applies_and_every_migration_is_idempotent(database: str, load_case: Load) -> None:
    migrations = load_case("valid/example")
    report = run(database, migrations)
    assert [m.status for m in report.migrations] == ["applied"] * len(migrations)
    assert [(m.script, m.idempotent, m.idempotency_error) for m in report.migrations] == [
        (m.script, True, None) for m in migrations
    ]
    assert report.passed
    assert report.server_version.split(".")[0].isdigit()


def test_example_dry_run_with_its_own_cluster_does_no_more_work_than_it_must(
    load_case: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Was "well under ten seconds" (now measured by benchmarks/wallclock.py): bounded by work instead. One
    cluster (two programs), every statement sent exactly twice (apply, then the idempotency re-run), two
    snapshots per migration, and a fixed number of bookkeeping queries per migration."""
    migrations = load_case("valid/example")
    sent: Counter[str] = Counter()
    execute = psycopg.Connection.execute

    def counting_execute(self: psycopg.Connection[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        sent[query if isinstance(query, str) else repr(query)] += 1
        return execute(self, query, *args, **kwargs)

    snapshots = 0
    take_snapshot = proof.take_snapshot

    def counting_snapshot(*args: Any, **kwargs: Any) -> Any:
        nonlocal snapshots
        snapshots += 1
        return take_snapshot(*args, **kwargs)

    programs: list[str] = []
    spawn = TemporaryCluster._spawn

    def recording_spawn(self: TemporaryCluster, args: list[str], **kwargs: Any) -> Any:
        programs.append(Path(args[0]).name)
        return spawn(self, args, **kwargs)

    monkeypatch.setattr(TemporaryCluster, "_spawn", recording_spawn)
    with throwaway_cluster() as dsn:
        monkeypatch.setattr(psycopg.Connection, "execute", counting_execute)
        monkeypatch.setattr(proof, "take_snapshot", counting_snapshot)
        report = run(dsn, migrations)
    assert report.passed
    assert programs == ["initdb", "postgres"]
    texts = [s.text for m in migrations for s in statements_to_send(m.sql, 150000)]
    assert [sent[text] for text in texts] == [2] * len(texts)
    assert snapshots == 2 * len(migrations)
    assert sum(sent.values()) <= 2 * len(texts) + 50 * len(migrations)


def test_history_rows_are_the_ones_flyway_writes(database: str, load_case: Load) -> None:
    migrations = load_case("valid/example")
    run(database, migrations)
    rows = _history(database)
    with psycopg.connect(database) as conn:
        current_user = conn.execute("SELECT current_user").fetchone()
    assert [row[:7] for row in rows] == [
        (
            rank,
            m.version,
            m.description,
            "SQL",
            m.script,
            m.checksum,
            current_user[0] if current_user else None,
        )
        for rank, m in enumerate(migrations, start=1)
    ]
    assert all(isinstance(row[7], int) and row[7] >= 0 for row in rows)  # execution_time in ms
    assert all(row[8] is True for row in rows)
    assert rows[-1][1] is None  # the repeatable migration has no version
    installed_on: list[datetime] = [row[9] for row in rows]
    assert all(isinstance(when, datetime) for when in installed_on)
    assert installed_on == sorted(installed_on)


def test_history_table_has_flyways_columns_types_and_keys(database: str, load_case: Load) -> None:
    run(database, load_case("valid/example"))
    with psycopg.connect(database) as conn:
        columns = conn.execute(
            "SELECT column_name, data_type, character_maximum_length, is_nullable, column_default"
            " FROM information_schema.columns WHERE table_name = 'flyway_schema_history'"
            " ORDER BY ordinal_position"
        ).fetchall()
        keys = conn.execute(
            "SELECT indexrelid::regclass::text, indisprimary FROM pg_index"
            " WHERE indrelid = 'flyway_schema_history'::regclass ORDER BY 1"
        ).fetchall()
    assert columns == [
        ("installed_rank", "integer", None, "NO", None),
        ("version", "character varying", 50, "YES", None),
        ("description", "character varying", 200, "NO", None),
        ("type", "character varying", 20, "NO", None),
        ("script", "character varying", 1000, "NO", None),
        ("checksum", "integer", None, "YES", None),
        ("installed_by", "character varying", 100, "NO", None),
        ("installed_on", "timestamp without time zone", None, "NO", "now()"),
        ("execution_time", "integer", None, "NO", None),
        ("success", "boolean", None, "NO", None),
    ]
    assert keys == [("flyway_schema_history_pk", True), ("flyway_schema_history_s_idx", False)]


def test_non_idempotent_statement_inside_a_do_block_fails_on_the_second_run(
    database: str, load_case: Load, fixture_text: Text
) -> None:
    report = run(database, load_case("invalid/non_idempotent_do_block"))
    first, second = report.migrations
    assert first.idempotent is True
    assert second.applied, "the first run must succeed: the defect only shows on a re-run"
    assert second.idempotent is False
    text = fixture_text("invalid/non_idempotent_do_block/V2__add_column_inside_do_block.sql")
    assert second.idempotency_line == _line_of(text, "DO $$")
    assert second.idempotency_error is not None
    assert 'column "window_end" of relation "steps" already exists' in second.idempotency_error
    assert "ALTER TABLE steps ADD COLUMN window_end" in second.idempotency_error  # the inner statement
    assert second.idempotency_statement is not None and second.idempotency_statement.startswith("DO $$")
    assert not report.passed


def test_the_second_run_is_rolled_back(database: str, load_case: Load) -> None:
    report = run(database, load_case("invalid/insert_without_on_conflict"))
    (outcome,) = report.migrations
    assert outcome.idempotent is False
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM audit_events").fetchone() == (1,)


def test_data_changed_by_a_second_run_names_the_statement(database: str, load_case: Load, fixture_text: Text) -> None:
    (outcome,) = run(database, load_case("invalid/insert_without_on_conflict")).migrations
    text = fixture_text("invalid/insert_without_on_conflict/V1__seed_without_on_conflict.sql")
    assert outcome.idempotency_line == _line_of(text, "INSERT INTO audit_events")
    assert outcome.idempotency_error is not None
    assert "data of public.audit_events changed (1 rows -> 2 rows)" in outcome.idempotency_error


def test_schema_changed_by_a_second_run_is_described(database: str) -> None:
    migration = MigrationInput(
        "1",
        "widen",
        "V1__widen.sql",
        "CREATE TABLE IF NOT EXISTS t (a int);\n"
        "DO $$ BEGIN EXECUTE format('CREATE INDEX t_a_%s ON t (a)', txid_current()); END $$;",
        7,
        None,
    )
    (outcome,) = run(database, [migration]).migrations
    assert outcome.idempotent is False
    assert outcome.idempotency_line == 2
    assert outcome.idempotency_error is not None
    assert "index public.t_a_" in outcome.idempotency_error and " added (CREATE INDEX" in outcome.idempotency_error


def test_a_migration_that_switches_role_is_unproven_not_a_crash(database: str, cluster_dsn: str) -> None:
    # The sandbox role may not create roles; production's would be there already, granted to Flyway's user.
    sandbox_role = conninfo_to_dict(database)["user"]
    with psycopg.connect(cluster_dsn, autocommit=True) as conn:
        conn.execute("CREATE ROLE fes_docs_weak")
        conn.execute(f"GRANT fes_docs_weak TO {sandbox_role}")
    sql = "SELECT 1;\nCREATE TABLE IF NOT EXISTS secret (a int);\nSET ROLE fes_docs_weak;\n"
    try:
        report = run(database, [MigrationInput("1", "role", "V1__role.sql", sql, 1, None)])
        (outcome,) = report.migrations
        assert outcome.applied and [row[4] for row in _history(database)] == ["V1__role.sql"]
        assert outcome.idempotent is False
        assert outcome.idempotency_error is not None
        assert outcome.idempotency_error.startswith("could not compare the database")
        assert "permission denied" in outcome.idempotency_error
    finally:
        with psycopg.connect(cluster_dsn, autocommit=True) as conn:
            conn.execute("DROP ROLE IF EXISTS fes_docs_weak")


def test_data_comparison_can_be_switched_off(database: str, load_case: Load) -> None:
    report = run(database, load_case("invalid/insert_without_on_conflict"), settings=Settings(compare_data=False))
    assert report.migrations[0].idempotent is True


def test_drop_and_recreate_is_idempotent(database: str) -> None:
    sql = (
        "CREATE TABLE IF NOT EXISTS t (a int);\n"
        "DROP INDEX IF EXISTS t_a;\nCREATE INDEX t_a ON t (a);\n"
        "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT a FROM t;\n"
    )
    (outcome,) = run(database, [MigrationInput("1", "x", "V1__x.sql", sql, 1, None)]).migrations
    assert (outcome.idempotent, outcome.idempotency_error) == (True, None)


def test_migration_referencing_a_missing_table_fails_with_the_servers_message(
    database: str, load_case: Load, fixture_text: Text
) -> None:
    migrations = load_case("invalid/missing_table")
    report = run(database, migrations)
    first, failed, later = report.migrations
    assert first.status == "applied"
    assert failed.status == "failed"
    assert failed.error == 'relation "document_archive" does not exist'
    assert failed.error_sqlstate == "42P01"
    text = fixture_text("invalid/missing_table/V2__insert_into_missing_table.sql")
    assert failed.error_line == _line_of(text, "INSERT INTO document_archive")
    assert failed.error_position == (_line_of(text, "INSERT INTO document_archive"), len("INSERT INTO ") + 1)
    assert failed.failing_statement is not None and failed.failing_statement.startswith("INSERT INTO")
    # Flyway stops at the first failure, and rolls the failed migration back entirely.
    assert later.status == "not-run" and later.error is None
    assert [row[4] for row in _history(database)] == [migrations[0].script]
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT to_regclass('documents_id_idx')").fetchone() == (None,)
        assert conn.execute("SELECT to_regclass('never_created')").fetchone() == (None,)


def test_syntax_the_server_rejects_is_reported_at_its_line(database: str, load_case: Load, fixture_text: Text) -> None:
    (outcome,) = run(database, load_case("invalid/syntax_error")).migrations
    text = fixture_text("invalid/syntax_error/V1__rejected_by_server.sql")
    assert outcome.status == "failed"
    assert outcome.error is not None and outcome.error.startswith("syntax error at or near")
    assert outcome.error_line == _line_of(text, "ALTER TABLE notes")


def test_lock_modes_on_tables_that_existed_before_the_migration(database: str, load_case: Load) -> None:
    report = run(database, load_case("invalid/locks_on_existing_tables"))
    by_script = {m.script: m for m in report.migrations}
    assert by_script["V1__create_orders_and_customers.sql"].locks == []  # its tables are new
    check = by_script["V2__add_check_constraint.sql"]
    assert check.strongest_locks == {"public.orders": "AccessExclusiveLock"}
    # A foreign key takes SHARE ROW EXCLUSIVE on both tables (PostgreSQL's ALTER TABLE docs), not ACCESS
    # EXCLUSIVE.
    fk = by_script["V3__add_foreign_key.sql"]
    assert fk.strongest_locks == {
        "public.customers": "ShareRowExclusiveLock",
        "public.orders": "ShareRowExclusiveLock",
    }
    index = by_script["V4__create_index.sql"]
    assert index.strongest_locks == {"public.orders": "ShareLock"}
    new_table = by_script["V5__new_table_referencing_existing.sql"]
    assert set(new_table.strongest_locks) == {"public.orders"}  # invoices is new, so it is not reported
    assert all(table != "public.flyway_schema_history" for m in report.migrations for table, _ in m.locks)


def test_non_transactional_migrations_run_outside_a_transaction(database: str, load_case: Load) -> None:
    report = run(database, load_case("invalid/non_transactional"))
    create, concurrently, concurrently_again = report.migrations
    assert create.transactional and concurrently.applied and not concurrently.transactional
    assert concurrently.idempotent is True  # IF NOT EXISTS
    assert concurrently_again.applied and concurrently_again.idempotent is False
    assert concurrently_again.idempotency_error is not None
    assert 'relation "events_kind_id_idx" already exists' in concurrently_again.idempotency_error


def test_mixed_migration_fails_like_flyway_unless_mixed_is_allowed(database: str, load_case: Load) -> None:
    (refused,) = run(database, load_case("invalid/mixed_transactional_and_not")).migrations
    assert refused.status == "failed"
    assert refused.error is not None and "both transactional and non-transactional" in refused.error
    assert refused.error_line == 3
    (allowed,) = run(
        database, load_case("invalid/mixed_transactional_and_not"), settings=Settings(mixed=True)
    ).migrations
    assert allowed.applied and not allowed.transactional and allowed.idempotent is True


def test_statement_timeout_turns_a_hang_into_a_failure(database: str, load_case: Load, fixture_text: Text) -> None:
    """The server cuts the sleep: its session runs with the 200 ms limit (recorded by a first migration), the
    migration sleeps 25 times longer, and the failure is the server's timeout, not the sleep ending."""
    assert "pg_sleep(5)" in fixture_text("invalid/statement_timeout/V1__slow.sql")
    record = MigrationInput(
        "0",
        "record limit",
        "V0__record_limit.sql",
        "CREATE TABLE seen_limits AS SELECT current_setting('statement_timeout') AS statement_timeout",
        0,
        None,
    )
    migrations = [record, *load_case("invalid/statement_timeout")]
    recorded, outcome = run(database, migrations, settings=Settings(statement_timeout_ms=200)).migrations
    assert recorded.applied
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT statement_timeout FROM seen_limits").fetchall() == [("200ms",)]
    assert outcome.status == "failed"
    assert outcome.error == "canceling statement due to statement timeout"
    assert outcome.error_sqlstate == "57014"  # query_canceled: the server stopped it


def test_backfill_dry_run_reports_rows_and_changes_nothing(database: str, load_case: Load) -> None:
    seed = MigrationInput(
        "9",
        "seed",
        "V9__seed.sql",
        "INSERT INTO documents (id, title) SELECT g, 'doc ' || g FROM generate_series(1, 25) g ON CONFLICT DO NOTHING;",
        9,
        None,
    )
    backfills = [
        BackfillInput("r", "pdf_status_backfill", "UPDATE documents SET pdf_status = 'ready' WHERE id <= 10", 10),
        BackfillInput("r", "count_form", "SELECT count(*) FROM documents WHERE pdf_status = 'pending'", None),
        BackfillInput("r", "rows_form", "SELECT id FROM documents WHERE id > 20", None),
        BackfillInput("r", "broken", "UPDATE documents SET no_such_column = 1", None),
    ]
    migrations = [*load_case("valid/example")[:-1], seed]
    report = run(database, migrations, backfills)
    assert [(b.name, b.rows, b.estimated_rows) for b in report.backfills[:3]] == [
        ("pdf_status_backfill", 10, 10),
        ("count_form", 0, None),
        ("rows_form", 5, None),
    ]
    assert report.backfills[3].rows is None
    assert report.backfills[3].error is not None and "no_such_column" in report.backfills[3].error
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM documents WHERE pdf_status = 'ready'").fetchone() == (0,)


def test_backfills_do_not_run_after_a_failed_migration(database: str, load_case: Load) -> None:
    report = run(database, load_case("invalid/missing_table"), [BackfillInput("r", "b", "SELECT 1", 1)])
    assert report.backfills[0].error == "not run: a migration failed to apply"


def test_evidence_is_small_sorted_json_with_checksums(database: str, load_case: Load) -> None:
    migrations = load_case("invalid/locks_on_existing_tables")
    report = run(database, migrations)
    evidence = report.to_evidence()
    text = evidence_json(report)
    assert json.loads(text) == evidence
    assert text == json.dumps(evidence, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert evidence["format"] == "fes-docs-dry-run" and evidence["format_version"] == 1
    assert evidence["postgresql"] == report.server_version
    assert evidence_checksums(evidence) == {m.script: m.checksum for m in migrations}
    entry = evidence["migrations"][1]
    assert entry["status"] == "applied" and entry["idempotent"] is False
    assert {"mode": "AccessExclusiveLock", "table": "public.orders"} in entry["locks"]
    assert entry["idempotency_error"]["line"] == 1


def test_real_kestra_postgres_history(database: str, load_case: Load) -> None:
    """Kestra's 26 PostgreSQL migrations (tests/fixtures/sql/flyway/kestra/postgres, Apache-2.0): all apply; the ones
    that add or drop without IF [NOT] EXISTS are caught on the second run."""
    # the real kestra migrations are shared with the SQL tests (attribution beside them)
    migrations = load_case("../sql/flyway/kestra/postgres")
    report = run(database, migrations)
    assert len(report.migrations) == 26
    assert all(m.applied for m in report.migrations)
    failing = {m.script: m.idempotency_error for m in report.migrations if m.idempotent is False}
    assert set(failing) == {
        "V1_3__worker_heartbeat.sql",  # DROP COLUMN taskrun_id
        "V1_5__multitenant.sql",  # ALTER TABLE ... ADD "tenant_id"
        "V1_6__multitenant_on_multipleconditions.sql",  # ADD "tenant_id"
        "V1_15__trigger_store_next_date.sql",  # ADD COLUMN "next_execution_date"
        "V1_21__trigger_worker_id.sql",  # ADD "worker_id"
        "V1_23__execution_queued_index.sql",  # DROP INDEX execution_queued__flow
    }
    assert 'column "taskrun_id" of relation "worker_job_running" does not exist' in str(
        failing["V1_3__worker_heartbeat.sql"]
    )
    assert len(_history(database)) == 26


def test_unreachable_database_is_a_one_line_reason(tmp_path: Path) -> None:
    with pytest.raises(DryRunUnavailable, match="cannot connect") as caught:
        run(f"host={tmp_path} port=1 dbname=none", [])
    assert "\n" not in str(caught.value)


def test_a_temp_view_over_a_catalog_hides_nothing_from_the_proof(database: str) -> None:
    """PostgreSQL looks up a table name in the session's temp schema before pg_catalog: a migration (or a
    callback) that creates ``TEMP VIEW pg_locks`` or ``pg_class`` over the real one, filtering, hid an
    ACCESS EXCLUSIVE lock from the lock check and a changed table from the second-run snapshot. Every
    catalog the engine reads is named with its schema now."""
    base = MigrationInput("1", "t", "V1__t.sql", "CREATE TABLE ledger (id int, amount int);\n", 1, None)
    hide_locks = (
        "CREATE TEMP VIEW pg_locks AS SELECT * FROM pg_catalog.pg_locks WHERE mode <> 'AccessExclusiveLock';\n"
        "ALTER TABLE ledger ADD COLUMN IF NOT EXISTS big text NOT NULL DEFAULT md5(random()::text);\n"
    )
    rewrite = MigrationInput("2", "r", "V2__r.sql", hide_locks, 2, None)
    report = run(database, [base, rewrite])
    assert report.migrations[1].strongest_locks == {"public.ledger": "AccessExclusiveLock"}, report.migrations[1]


def test_a_callback_shadowing_pg_class_does_not_make_a_rerun_look_idempotent(database: str) -> None:
    twice = MigrationInput(
        "1",
        "l",
        "V1__l.sql",
        "CREATE TABLE IF NOT EXISTS ledger (id int, amount int);\n"
        "INSERT INTO ledger VALUES (1, 100);\nUPDATE ledger SET amount = amount * 2;\n",
        1,
        None,
    )
    shadow = "CREATE TEMP VIEW pg_class AS SELECT * FROM pg_catalog.pg_class WHERE relname <> 'ledger';\n"
    report = run(database, [twice], callbacks=[CallbackInput("beforeEachMigrate", "beforeEachMigrate.sql", shadow, 0)])
    assert report.migrations[0].idempotent is False, report.migrations[0]


@pytest.mark.parametrize(
    "toggle",
    [
        "DO $$ BEGIN IF (SELECT relrowsecurity FROM pg_catalog.pg_class WHERE oid = 'account'::regclass) THEN "
        "ALTER TABLE account DISABLE ROW LEVEL SECURITY; ELSE ALTER TABLE account ENABLE ROW LEVEL SECURITY; "
        "END IF; END $$;",
        "DO $$ BEGIN IF has_table_privilege('public', 'account', 'SELECT') THEN REVOKE SELECT ON account FROM PUBLIC; "
        "ELSE GRANT SELECT ON account TO PUBLIC; END IF; END $$;",
        "SELECT lo_create(0);",
        "DO $$ BEGIN IF EXISTS (SELECT FROM pg_catalog.pg_policy WHERE polname = 'p1') THEN "
        "CREATE POLICY p2 ON account USING (true); ELSE CREATE POLICY p1 ON account USING (true); END IF; END $$;",
    ],
    ids=["row-level-security", "grant", "large-object", "policy"],
)
def test_a_second_run_that_changes_who_may_see_the_rows_is_not_idempotent(database: str, toggle: str) -> None:
    """Row-level security, privileges, policies and large objects are state a re-run must leave as it was;
    the snapshot left them out, so a migration toggling them each run was "proven" idempotent."""
    sql = f"CREATE TABLE IF NOT EXISTS account (id int);\n{toggle}\n"
    report = run(database, [MigrationInput("1", "t", "V1__t.sql", sql, 1, None)])
    assert report.migrations[0].status == "applied" and report.migrations[0].idempotent is False, report.migrations[0]
