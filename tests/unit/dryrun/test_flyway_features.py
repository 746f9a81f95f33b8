"""Flyway as it really runs (issue 12), each feature on its fixture project and a real PostgreSQL.

The projects under tests/fixtures/dryrun/flyway are planned by fes_docs.proving (the CLI's own plan) and run
in a sandbox of the module's throwaway cluster: COPY ... FROM stdin rows, SQL callbacks at their events,
the declared environment (roles, an extension, setup_sql, flyway.conf's schema), --release scope, a
baseline, and a Java migration.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from fes_docs import proving
from fes_docs.dryrun.engine import run
from fes_docs.dryrun.environment import Environment
from fes_docs.dryrun.report import DryRunReport, MigrationInput
from fes_docs.dryrun.scratch import Sandbox, sandbox
from fes_docs.project import load_project

FLYWAY = Path(__file__).resolve().parents[2] / "fixtures" / "dryrun" / "flyway"


@pytest.fixture
def box(cluster_dsn: str) -> Iterator[Sandbox]:
    with sandbox(cluster_dsn, "the test cluster") as made:
        yield made


def dry_run(root: Path, box: Sandbox, release: str | None = None) -> tuple[DryRunReport, list[str]]:
    project = load_project(root)
    plan = proving.plan(project, release)
    report = run(
        box.dsn,
        plan.migrations,
        plan.backfills,
        admin_dsn=box.admin_dsn,
        callbacks=plan.callbacks,
        environment=plan.environment,
    )
    found = [f"{f.rule} {f.severity} {f.message} | {f.hint}" for f in proving.findings(project, plan, report)]
    return report, found


def status(report: DryRunReport) -> dict[str, str]:
    return {m.script: m.status for m in report.migrations}


def test_copy_from_stdin_rows_are_streamed_as_data(box: Sandbox) -> None:
    report, found = dry_run(FLYWAY / "copy_stdin", box)
    assert status(report) == {"V1__baseline.sql": "applied", "V2__add_note.sql": "applied"}
    assert not [f for f in found if f.startswith("FES330")]
    import psycopg

    with psycopg.connect(box.dsn) as conn:  # the rows (tabs, \N, a ';', UTF-8) arrived as written
        rows = conn.execute("SELECT id, name, live_from::text, note FROM jurisdiction ORDER BY id").fetchall()
    assert rows == [
        (1, "Auto Test 1; with a semicolon", "2017-01-01", "Auto Test 1; with a semicolon"),
        (2, None, None, None),
        (3, "Probate été", "2018-03-04", None),
    ]


def test_copy_from_stdin_is_not_a_syntax_error_for_the_static_analysis() -> None:
    project = load_project(FLYWAY / "copy_stdin")
    analysis = project.migrations.analysis("V1__baseline.sql")
    assert analysis is not None and analysis.error is None


def test_callbacks_run_where_flyway_runs_them(box: Sandbox) -> None:
    report, found = dry_run(FLYWAY / "callbacks", box)
    assert status(report) == {"V1__create_case.sql": "applied", "V2__add_state.sql": "applied"}, found
    fired = [(c.event, c.migration) for c in report.callbacks]
    assert fired == [
        ("beforeMigrate", None),
        ("beforeEachMigrate", "V1__create_case.sql"),
        ("afterEachMigrate", "V1__create_case.sql"),
        ("beforeEachMigrate", "V2__add_state.sql"),
        ("afterEachMigrate", "V2__add_state.sql"),
        ("afterMigrate", None),
    ]
    assert all(c.error is None for c in report.callbacks)
    assert "callbacks" in report.to_evidence()
    # callbacks are never migrations: neither run as one nor recorded in the history
    assert not [m for m in report.migrations if "Migrate" in m.script]


def test_a_statement_level_callback_is_reported_not_run_never_passed_over(box: Sandbox, tmp_path: Path) -> None:
    """Flyway Teams runs beforeEachMigrateStatement.sql around every statement; the dry run does not, and says
    so: the script is in the report and the evidence as "not run", and FES335 warns at the script."""
    root = tmp_path / "callbacks"
    shutil.copytree(FLYWAY / "callbacks", root)
    (root / "db" / "migration" / "beforeEachMigrateStatement.sql").write_text("SELECT 1/0;\n")
    report, found = dry_run(root, box)
    assert status(report) == {"V1__create_case.sql": "applied", "V2__add_state.sql": "applied"}, found
    skipped = [c for c in report.callbacks if c.status == "not run"]
    assert [(c.event, c.script) for c in skipped] == [("beforeEachMigrateStatement", "beforeEachMigrateStatement.sql")]
    entry = next(e for e in report.to_evidence()["callbacks"] if e["script"] == "beforeEachMigrateStatement.sql")
    assert entry["status"] == "not run" and "Flyway Teams" in entry["skipped"]
    assert [f for f in found if f.startswith("FES335 warning beforeEachMigrateStatement.sql")], found
    assert report.passed  # proven without it, and warned: not a failure of the migrations
    assert [(c.event, c.migration) for c in report.callbacks if c.status == "applied"][0] == ("beforeMigrate", None)


def test_the_declared_environment_is_there_before_the_first_migration(box: Sandbox) -> None:
    report, found = dry_run(FLYWAY / "environment", box)
    assert status(report) == {"V1__base.sql": "applied"}, found
    assert report.migrations[0].idempotent is True
    evidence = report.to_evidence()["environment"]
    assert evidence["roles"] == ["app_rw", "app_ro"] and evidence["extensions"] == ["citext"]
    assert evidence["schemas"] == ["ccd"] and evidence["setup_sql"] == "db/setup.sql"
    import psycopg

    with psycopg.connect(box.admin_dsn, autocommit=True) as admin:  # flyway.conf's schema was Flyway's default
        assert admin.execute("SELECT to_regclass('ccd.party') IS NOT NULL").fetchone() == (True,)
        assert admin.execute("SELECT to_regclass('ccd.flyway_schema_history') IS NOT NULL").fetchone() == (True,)
        # the roles this run created are gone again: nothing outside the scratch database outlives it
        left = admin.execute("SELECT count(*) FROM pg_roles WHERE rolname IN ('app_rw', 'app_ro')").fetchone()
    assert left == (0,)


def test_without_the_declarations_the_failure_says_what_to_declare(box: Sandbox, tmp_path: Path) -> None:
    root = tmp_path / "environment"
    shutil.copytree(FLYWAY / "environment", root)
    (root / "flyway.conf").unlink()
    policy = root / "releases" / "policy.yaml"
    policy.write_text(policy.read_text().split("dry_run:")[0] + "dry_run:\n  extensions: [citext]\n")
    v1 = root / "db" / "migration" / "V1__base.sql"
    v1.write_text(v1.read_text().replace(" REFERENCES ref.country (code)", ""))
    report, found = dry_run(root, box)
    assert status(report) == {"V1__base.sql": "failed"}
    assert any('role "app_rw" does not exist' in f and "declare it under dry_run: roles:" in f for f in found), found


def test_release_scope_applies_unclaimed_earlier_migrations(box: Sandbox) -> None:
    report, found = dry_run(FLYWAY / "release_scope", box, "2027-02-second")
    assert status(report) == {
        "V1__create_a.sql": "applied",
        "V2__create_b.sql": "applied",
        "V3__create_c.sql": "applied",
    }
    notes = {m.script: m.note for m in report.migrations}
    assert notes["V2__create_b.sql"] == "earlier, not claimed" and notes["V3__create_c.sql"] is None
    assert report.to_evidence()["migrations"][1]["note"] == "earlier, not claimed"
    assert not found


def test_baseline_skips_what_flyway_skips(box: Sandbox) -> None:
    report, found = dry_run(FLYWAY / "baseline", box)
    assert status(report) == {
        "V1__legacy.sql": "below-baseline",
        "V2__name.sql": "below-baseline",
        "V3__add_flag.sql": "applied",
    }
    assert [m.note for m in report.migrations][:2] == ["below baseline", "below baseline"]
    assert report.passed and not [f for f in found if " error " in f]


def test_java_migration_is_not_runnable_here_and_what_follows_is_unproven(box: Sandbox) -> None:
    report, found = dry_run(FLYWAY / "java", box)
    assert status(report) == {
        "V1__create_account.sql": "applied",
        "V2__AddBalance.java": "not-runnable-here",
        "V3__use_balance.sql": "unproven",
    }
    assert report.passed  # unproven, not failed
    assert [f.split(" ", 2)[:2] for f in found] == [["FES335", "warning"], ["FES335", "warning"]]
    assert any("V2__AddBalance.java is a Java migration" in f for f in found)


def test_declared_roles_are_gone_even_when_a_migration_makes_the_database_read_only(box: Sandbox) -> None:
    """The sandbox owns its database and may set its defaults: ``default_transaction_read_only = on`` made
    the clean-up's DROP OWNED fail, and the declared roles outlived the run (on a --dsn server, for good)."""
    sql = (
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = on', "
        "current_database()); END $$;\n"
    )
    env = Environment(roles=("fes_test_ro_role",))
    report = run(
        box.dsn, [MigrationInput("1", "ro", "V1__ro.sql", sql, 1, None)], admin_dsn=box.admin_dsn, environment=env
    )
    assert report.migrations[0].applied, report.migrations[0]
    with psycopg.connect(box.admin_dsn, autocommit=True) as admin:
        left = admin.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'fes_test_ro_role'").fetchone()
    assert left == (0,)
