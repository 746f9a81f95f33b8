"""`fes-docs dry-run` end to end on a real throwaway PostgreSQL, and its evidence checked by `validate`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from prerequisites import require

from fes_docs.dryrun.cluster import find_server_binaries

try:
    find_server_binaries()
except Exception as exc:  # noqa: BLE001 - any reason means no server here
    require(f"no PostgreSQL server binaries: {exc}")

DRAFT = "releases/2027-02-phase-4-notification-rule-engine.yaml"


def fes(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fes_docs", *args, "--root", str(root)], capture_output=True, text=True, timeout=300
    )


def test_example_dry_run_writes_evidence_that_validate_trusts_until_sql_changes(example: Path) -> None:
    proc = fes(example, "dry-run", "--evidence", str(example / "releases" / "evidence" / "dry-run.json"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "V9__drop_legacy_certificate_print_cache.sql  idempotent" in proc.stdout
    evidence = json.loads((example / "releases" / "evidence" / "dry-run.json").read_text())
    assert evidence["format"] == "fes-docs-dry-run" and evidence["passed"] is True
    assert [m["script"] for m in evidence["migrations"]][:2] == [
        "V1__legacy_baseline.sql",
        "V2__create_step_window.sql",
    ]
    draft = example / DRAFT
    text = draft.read_text()
    old = next(line for line in text.splitlines() if "id: flyway-dry-run" in line)
    cited = '  - {id: flyway-dry-run, done: true, evidence: "releases/evidence/dry-run.json"}'
    draft.write_text(text.replace(old, cited))
    ok = fes(example, "validate", "--format", "json")
    assert not [f for f in json.loads(ok.stdout)["findings"] if f["rule"] == "FES334"], ok.stdout
    # editing a migration of the release after the dry run makes the evidence stale
    v8 = example / "service/db/migration/V8__create_notification_rule_engine.sql"
    v8.write_text(v8.read_text() + "\n-- edited after the dry run\n")
    stale = fes(example, "validate", "--format", "json")
    found = [f for f in json.loads(stale.stdout)["findings"] if f["rule"] == "FES334"]
    assert len(found) == 1 and found[0]["severity"] == "warning" and "stale" in found[0]["message"]
    assert (
        found[0]["file"] == DRAFT
        and found[0]["line"]
        == draft.read_text()
        .splitlines()
        .index('  - {id: flyway-dry-run, done: true, evidence: "releases/evidence/dry-run.json"}')
        + 1
    )


def test_hidden_non_idempotent_do_block_fails_on_second_run(example: Path) -> None:
    v8 = example / "service/db/migration/V8__create_notification_rule_engine.sql"
    v8.write_text(
        v8.read_text() + "\nDO $$ BEGIN EXECUTE 'ALTER TABLE notification_template ADD COLUMN x int'; END $$;\n"
    )
    proc = fes(example, "dry-run", "--format", "json")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    bad = [f for f in findings if f["rule"] == "FES331"]
    assert bad and bad[0]["file"] == DRAFT and "V8__create_notification_rule_engine.sql" in bad[0]["message"]


def test_missing_table_is_reported_with_the_server_message(example: Path) -> None:
    v9 = example / "service/db/migration/V9__drop_legacy_certificate_print_cache.sql"
    v9.write_text(
        "ALTER TABLE IF EXISTS certificate DROP COLUMN IF EXISTS print_cache;\n"
        "INSERT INTO no_such_table (id) VALUES (1) ON CONFLICT DO NOTHING;\n"
    )
    proc = fes(example, "dry-run", "--format", "json")
    assert proc.returncode == 1
    failed = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "FES330"]
    assert failed and "no_such_table" in failed[0]["message"] and "V9__" in failed[0]["message"]
    assert failed[0]["related"][0]["line"] == 2


def test_unknown_release_is_a_usage_error(example: Path) -> None:
    proc = fes(example, "dry-run", "--release", "nope")
    assert proc.returncode == 2 and "nope" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_no_server_binaries_is_a_one_line_error(example: Path, tmp_path: Path) -> None:
    proc = fes(example, "dry-run", "--bindir", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_no_driver_is_a_one_line_error_naming_the_extra(example: Path, tmp_path: Path) -> None:
    """psycopg is the `dryrun` extra: without it `dry-run` says what to install, and `validate` still works."""
    shadow = tmp_path / "shadow" / "psycopg"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'psycopg'\", name='psycopg')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "shadow")}
    run = [sys.executable, "-m", "fes_docs"]
    proc = subprocess.run([*run, "dry-run", "--root", str(example)], capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "fes-docs[dryrun]" in proc.stderr
    valid = subprocess.run([*run, "validate", "--root", str(example)], capture_output=True, text=True, env=env)
    assert valid.returncode == 0, valid.stdout + valid.stderr


def test_up_to_release_applies_only_earlier_migrations(example: Path) -> None:
    proc = fes(example, "dry-run", "--release", "2026-09-phase-2-pdf-lifecycle", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    scripts = [m["script"] for m in json.loads(proc.stdout)["dry_run"]["migrations"]]
    assert scripts == [
        "V1__legacy_baseline.sql",
        "V2__create_step_window.sql",
        "V3__create_pdf_document.sql",
        "V4__create_pdf_render_job.sql",
    ]


def test_copy_is_untouched(example: Path) -> None:
    before = {p: p.read_bytes() for p in sorted((example / "releases").rglob("*")) if p.is_file()}
    fes(example, "dry-run")
    after = {p: p.read_bytes() for p in sorted((example / "releases").rglob("*")) if p.is_file()}
    assert before == after


def test_the_lock_hint_fits_what_the_migration_already_does(example: Path) -> None:
    """A NOT VALID constraint still takes ACCESS EXCLUSIVE briefly: the hint must not say "use NOT VALID"."""
    v8 = example / "service/db/migration/V8__create_notification_rule_engine.sql"
    v8.write_text(
        v8.read_text() + "\nALTER TABLE question ADD CONSTRAINT question_id_positive CHECK (id > 0) NOT VALID;\n"
    )
    proc = fes(example, "dry-run", "--format", "json")
    found = json.loads(proc.stdout)["findings"]
    locks = [f for f in found if f["rule"] == "FES332" and f["message"].endswith("existing table public.question")]
    assert locks, proc.stdout
    hint = locks[0]["hint"]
    assert "already NOT VALID" in hint and "ADD CONSTRAINT ... NOT VALID" not in hint, hint


def test_a_dry_run_proof_resolves_the_static_unproven_warning(example: Path) -> None:
    """A guarded DO block is "unproven" statically (FES319); cited evidence that proved it idempotent at its
    current checksum resolves that, and the runbook says "proven by dry run" — until the file changes."""
    v8 = example / "service/db/migration/V8__create_notification_rule_engine.sql"
    v8.write_text(
        v8.read_text() + "\nDO $$ BEGIN IF to_regclass('rule_audit') IS NULL THEN "
        "CREATE TABLE rule_audit (id bigint); END IF; END $$;\n"
    )
    before = json.loads(fes(example, "validate", "--format", "json").stdout)["findings"]
    assert [f for f in before if f["rule"] == "FES319" and "V8__" in f["message"]]
    evidence = example / "releases" / "evidence" / "dry-run.json"
    assert fes(example, "dry-run", "--evidence", str(evidence)).returncode == 0
    draft = example / DRAFT
    text = draft.read_text()
    old = next(line for line in text.splitlines() if "id: flyway-dry-run" in line)
    draft.write_text(
        text.replace(old, '  - {id: flyway-dry-run, done: true, evidence: "releases/evidence/dry-run.json"}')
    )
    after = json.loads(fes(example, "validate", "--format", "json").stdout)["findings"]
    assert not [f for f in after if f["rule"] == "FES319" and "V8__" in f["message"]], after
    site = example / "rendered"
    assert fes(example, "render", "--out", str(site)).returncode in (0, 1)
    runbook = site / DRAFT.removeprefix("releases/").removesuffix(".yaml") / "index.md"
    rows = [line for line in runbook.read_text().splitlines() if line.startswith("| 8 | V8\\_\\_create")]
    assert len(rows) == 1, runbook.read_text()
    row = rows[0]
    assert "proven by dry run" in row, row
    # edited after the proof: the proof no longer covers it, the warning is back
    v8.write_text(v8.read_text() + "\n-- edited after the dry run\n")
    again = json.loads(fes(example, "validate", "--format", "json").stdout)["findings"]
    assert [f for f in again if f["rule"] == "FES319" and "V8__" in f["message"]]


def test_the_scratch_database_has_the_name_migrations_expect(tmp_path: Path) -> None:
    """`dry_run: database: casedb`: in the throwaway cluster the scratch database is called casedb, so a
    migration naming its database (ALTER DATABASE casedb …, a check of current_database()) runs as in production."""
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "dryrun" / "flyway" / "environment"
    root = tmp_path / "p"
    shutil.copytree(fixture, root)
    (root / "db" / "migration" / "V2__database_setting.sql").write_text(
        "ALTER DATABASE casedb SET lock_timeout = '10s';\n"
        "DO $$ BEGIN IF current_database() <> 'casedb' THEN\n"
        "  RAISE EXCEPTION 'in %', current_database(); END IF; END $$;\n",
        encoding="utf-8",
    )
    proc = fes(root, "dry-run", "--format", "json")
    report = json.loads(proc.stdout)["dry_run"]
    v2 = next(m for m in report["migrations"] if m["script"] == "V2__database_setting.sql")
    assert v2["status"] == "applied", proc.stdout + proc.stderr
