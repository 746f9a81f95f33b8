"""The dry run sends what Flyway sends (issue 12): placeholders replaced, ``.sql.conf`` honoured, Flyway's
mixed rule applied only where Flyway applies it, names Flyway accepts run and names it ignores do not.

Real PostgreSQL (the module's throwaway cluster, a scratch database per test), the fixture folders of
``tests/fixtures/flyway-features``, planned through the project exactly as ``fes-docs dry-run`` plans them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
from flywayfeatures import MIGRATIONS, PROJECT, with_feature

from fes_docs.dryrun.engine import run
from fes_docs.dryrun.report import MigrationOutcome
from fes_docs.project import load_project
from fes_docs.proving import plan


def feature_project(tmp_path: Path, feature: str) -> Path:
    """The rules fixture project (no release records) with the feature's migrations and ``flyway:`` block."""
    root = tmp_path / "p"
    shutil.copytree(PROJECT, root)
    return with_feature(root, feature)


def dry_run(database: str, root: Path) -> dict[str, MigrationOutcome]:
    the_plan = plan(load_project(root))
    report = run(database, the_plan.migrations)
    return {m.script: m for m in report.migrations}


def test_placeholders_are_replaced_and_an_undefined_one_fails_as_in_flyway(database: str, tmp_path: Path) -> None:
    outcomes = dry_run(database, feature_project(tmp_path, "placeholders"))
    v1, v2 = outcomes["V1__create_schema.sql"], outcomes["V2__undefined_placeholder.sql"]
    assert v1.status == "applied" and v1.idempotent is True
    assert v2.status == "failed"
    assert v2.error == "No value provided for placeholder: ${missing}.  Check your configuration!"
    assert v2.error_position == (1, 26)  # the first one, in the comment
    assert outcomes["R__widget_view.sql"].status == "not-run"  # Flyway stopped
    with psycopg.connect(database) as conn:
        default = conn.execute(
            "SELECT column_default FROM information_schema.columns WHERE table_schema = 'app' AND column_name = 'note'"
        ).fetchone()
        comment = conn.execute("SELECT obj_description('app.widget'::regclass)").fetchone()
    # a value is inserted as it is (never replaced again); an empty value vanishes
    assert default is not None and default[0] == "'made by ${flyway:filename}'::text"
    assert comment == ("in public, recorded in flyway_schema_history",)


def test_placeholder_replacement_off_in_a_sql_conf_sends_the_text_as_written(database: str, tmp_path: Path) -> None:
    root = feature_project(tmp_path, "placeholders")
    (root / MIGRATIONS / "V2__undefined_placeholder.sql").unlink()
    outcomes = dry_run(database, root)
    assert {s: o.status for s, o in outcomes.items()} == {
        "V1__create_schema.sql": "applied",
        "V3__literal_dollar_braces.sql": "applied",
        "R__widget_view.sql": "applied",
    }
    with psycopg.connect(database) as conn:
        row = conn.execute(
            "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'app.template'::regclass"
        ).fetchone()
    assert row == ("'Hello ${user_name}'::text",)


def test_sql_conf_runs_a_script_outside_a_transaction_and_the_mixed_rule_is_flyways(
    database: str, tmp_path: Path
) -> None:
    root = feature_project(tmp_path, "script-config")
    (root / MIGRATIONS / "V4__bad_settings.sql.conf").unlink()
    outcomes = dry_run(database, root)
    v2, v3 = outcomes["V2__index_events.sql"], outcomes["V3__inline_setting.sql"]
    # executeInTransaction=false: CREATE INDEX CONCURRENTLY beside a COMMENT, statement by statement
    assert v2.status == "applied" and v2.transactional is False
    # the '-- flyway:' line is a comment to Flyway: the mixed rule refuses the script, naming its own rule
    assert v3.status == "failed" and v3.error_line == 3
    assert v3.error is not None and "its own rule, not PostgreSQL's" in v3.error
    assert outcomes["V4__bad_settings.sql"].status == "not-run"


def test_names_flyway_accepts_run_and_names_it_ignores_do_not(database: str, tmp_path: Path) -> None:
    outcomes = dry_run(database, feature_project(tmp_path, "names"))
    assert sorted(outcomes) == [
        "V1.sql",
        "V2__add__thing.sql",
        "V3__add thing.sql",
        "V4__trailing .sql",
        "V5__create_widget - Copy.sql",
    ]
    assert all(o.status == "applied" for o in outcomes.values())


def test_locks_are_read_outside_a_transaction_and_in_the_scripts_own(database: str, tmp_path: Path) -> None:
    """Issue 12: evidence used to say "no locks" for a script run outside a transaction, or one that commits
    itself, while it took SHARE UPDATE EXCLUSIVE / ACCESS EXCLUSIVE on an existing table."""
    root = feature_project(tmp_path, "script-config")
    for name in ("V3__inline_setting.sql", "V4__bad_settings.sql", "V4__bad_settings.sql.conf", "V9__removed.sql.conf"):
        (root / MIGRATIONS / name).unlink(missing_ok=True)
    (root / MIGRATIONS / "V5__own_transaction.sql").write_text(
        "BEGIN;\nALTER TABLE events ADD COLUMN IF NOT EXISTS source text;\nCOMMIT;\n", encoding="utf-8"
    )
    (root / MIGRATIONS / "V6__outside_with_ddl.sql").write_text(
        "ALTER TABLE events ADD COLUMN IF NOT EXISTS seen boolean;\n"
        "DROP INDEX CONCURRENTLY IF EXISTS events_kind_idx;\n",
        encoding="utf-8",
    )
    (root / MIGRATIONS / "V6__outside_with_ddl.sql.conf").write_text("executeInTransaction=false\n", encoding="utf-8")
    outcomes = dry_run(database, root)
    assert all(o.status == "applied" for o in outcomes.values()), {k: o.error for k, o in outcomes.items()}
    # CREATE INDEX CONCURRENTLY cannot hold a transaction open: the documented lock on its existing table
    assert outcomes["V2__index_events.sql"].strongest_locks == {"public.events": "ShareUpdateExclusiveLock"}
    # the script's own COMMIT ends the transaction: its locks are read just before it
    assert outcomes["V5__own_transaction.sql"].strongest_locks == {"public.events": "AccessExclusiveLock"}
    # outside a transaction, a transactional statement's locks are read in its one-statement transaction
    assert outcomes["V6__outside_with_ddl.sql"].strongest_locks == {"public.events": "AccessExclusiveLock"}
