"""Rules the one-case-file harness cannot express: several releases, a changed spec or schema, waivers.

Each test builds a small real project in ``tmp_path`` from the same fixture project the case harness
uses (``tests/fixtures/rules/project``) and the clean baseline ``ok-approved.yaml``, changes the one
thing under test, and runs the real checker. Tests are named ``test_fesNNN_…`` for the rule they make
fire: the coverage test (``test_fixture_coverage.py``) counts them as that rule's failing case.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flywayfeatures import MIGRATIONS, with_feature

from fes_docs.check import Result, check
from fes_docs.cli import main as cli_main
from fes_docs.findings import Finding
from fes_docs.loader import load_bytes
from fes_docs.rules import CATALOGUE
from fes_docs.signoffs import digest_of

FIXTURES = Path(__file__).parents[2] / "fixtures" / "rules"
BASELINE = (FIXTURES / "cases" / "ok-approved.yaml").read_text(encoding="utf-8")
V7 = "  - {file: V7__create_gizmo.sql, change: additive, idempotent: true}\n"
V8 = "  - {file: V8__seed_gizmo.sql, change: additive, idempotent: true}\n"
WINDOW = "window: {start: 2026-03-10T18:00:00Z, end: 2026-03-10T21:00:00Z}"
TODAY = "2026-06-01"
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def release(rid: str, *edits: tuple[str, str], extra: str = "") -> str:
    """The baseline with its id set and exact-text edits applied (each old text must occur once).

    The sign-offs are re-bound to the edited content, as `fes-docs sign` would, so the only findings
    are the ones the edit is about.
    """
    text = BASELINE.replace("id: ok-approved", f"id: {rid}")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    text += extra
    doc, problems = load_bytes(text.encode("utf-8"), f"{rid}.yaml")
    assert doc is not None, problems
    return DIGEST.sub(digest_of(doc.data), text)


def entry(file: str) -> str:
    return f"  - {{file: {file}, change: additive, idempotent: true}}\n"


def window(day: str) -> str:
    return f"window: {{start: {day}T18:00:00Z, end: {day}T21:00:00Z}}"


def project(tmp_path: Path, releases: dict[str, str]) -> Path:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "project", root)
    for name, text in releases.items():
        (root / "releases" / name).write_text(text, encoding="utf-8")
    return root


def run(root: Path) -> Result:
    return check(root, today=TODAY)


def without_unclaimed_sql(root: Path) -> Path:
    """Remove the migrations no record names: the fixture folder holds one file per SQL shape, and Flyway
    would apply them all (FES322), so a test about a passing run keeps only what its records ship."""
    records = "".join(p.read_text(encoding="utf-8") for p in (root / "releases").glob("*.yaml"))
    for sql in (root / "service" / "db" / "migration").glob("*.sql"):
        if sql.name not in records:
            sql.unlink()
    return root


def of(result: Result, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]


def where(findings: list[Finding]) -> list[tuple[str, int, str]]:
    return sorted((f.loc.file, f.loc.line, f.severity) for f in findings)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# --- FES013 ------------------------------------------------------------------------------------


def test_fes013_two_files_with_the_same_id(tmp_path: Path) -> None:
    text = release("phase-2")
    root = project(tmp_path, {"phase-2.yaml": text, "phase-2-copy.yaml": text})
    result = run(root)
    # A shared id is an error in every file that holds it: neither speaks for the release.
    line = line_of(text, "id: phase-2")
    dup = sorted(of(result, "FES013"), key=lambda f: f.loc.file)
    assert where(dup) == [("releases/phase-2-copy.yaml", line, "error"), ("releases/phase-2.yaml", line, "error")]
    assert "releases/phase-2.yaml" in dup[0].message and "releases/phase-2-copy.yaml" in dup[1].message
    assert [r.file for r in dup[0].related] == ["releases/phase-2.yaml"]
    assert [r.file for r in dup[1].related] == ["releases/phase-2-copy.yaml"]
    assert result.exit_code() == 1
    assert where(of(result, "FES012")) == [("releases/phase-2-copy.yaml", 2, "error")]


def test_fes013_distinct_ids_are_fine(tmp_path: Path) -> None:
    root = project(tmp_path, {"a.yaml": release("a"), "b.yaml": release("b", (V7, ""), (V8, ""))})
    assert of(run(root), "FES013") == []


# --- FES305 ------------------------------------------------------------------------------------


def test_fes305_migration_claimed_by_two_releases(tmp_path: Path) -> None:
    later = release("b-phase-3", (WINDOW, window("2026-04-10")), (V8, ""))
    root = project(tmp_path, {"a-phase-2.yaml": release("a-phase-2"), "b-phase-3.yaml": later})
    hits = of(run(root), "FES305")
    assert where(hits) == [("releases/b-phase-3.yaml", line_of(later, "V7__create_gizmo.sql"), "error")]
    assert "a-phase-2" in hits[0].message
    assert [r.file for r in hits[0].related] == ["releases/a-phase-2.yaml"]


# --- FES312 ------------------------------------------------------------------------------------


def test_fes312_duplicate_version_unclaimed_is_reported_on_the_file(tmp_path: Path) -> None:
    root = project(tmp_path, {"phase-2.yaml": release("phase-2")})
    folder = root / "service" / "db" / "migration"
    (folder / "V7__duplicate_gizmo.sql").write_text("CREATE TABLE IF NOT EXISTS gizmo2 (id int);\n")
    hits = of(run(root), "FES312")
    assert where(hits) == [("service/db/migration/V7__duplicate_gizmo.sql", 1, "error")]
    assert "V7__create_gizmo.sql" in hits[0].message


def test_fes312_versions_compare_numerically(tmp_path: Path) -> None:
    """7.0 is version 7 (Flyway drops trailing zero parts); the later-sorted name is the duplicate."""
    text = release("phase-2", (V8, V8 + entry("V8.0__reseed_gizmo.sql")))
    root = project(tmp_path, {"phase-2.yaml": text})
    (root / "service" / "db" / "migration" / "V8.0__reseed_gizmo.sql").write_text(
        "INSERT INTO gizmo (id, label) VALUES (3, 'c') ON CONFLICT DO NOTHING;\n"
    )
    hits = of(run(root), "FES312")
    assert len(hits) == 1
    assert "V8__seed_gizmo.sql" in hits[0].message and "V8.0__reseed_gizmo.sql" in hits[0].message
    assert hits[0].loc.file == "releases/phase-2.yaml"


def test_fes312_distinct_versions_are_fine(tmp_path: Path) -> None:
    root = project(tmp_path, {"phase-2.yaml": release("phase-2")})
    assert of(run(root), "FES312") == []


# --- FES313 ------------------------------------------------------------------------------------


def test_fes313_later_release_ships_a_lower_version(tmp_path: Path) -> None:
    early = release("phase-2", (V7, ""))  # ships V8 in March
    late = release("phase-3", (WINDOW, window("2026-04-10")), (V8, ""))  # ships V7 in April
    root = project(tmp_path, {"phase-2.yaml": early, "phase-3.yaml": late})
    hits = of(run(root), "FES313")
    assert where(hits) == [("releases/phase-3.yaml", line_of(late, "V7__create_gizmo.sql"), "error")]
    assert "V8__seed_gizmo.sql" in hits[0].message and "phase-2" in hits[0].message


def test_fes313_order_is_by_window_not_by_file_name(tmp_path: Path) -> None:
    """phase-3.yaml sorts after phase-2.yaml but goes out first: then phase-2's V8 rises above V7."""
    first = release("phase-3", (V8, ""), (WINDOW, window("2026-02-10")))
    second = release("phase-2", (V7, ""))
    root = project(tmp_path, {"phase-2.yaml": second, "phase-3.yaml": first})
    assert of(run(root), "FES313") == []


def test_fes313_cancelled_releases_take_no_place_in_the_order(tmp_path: Path) -> None:
    cancelled = release("phase-1", (V7, ""), ("status: approved", "status: cancelled"), (WINDOW, window("2026-01-10")))
    later = release("phase-2", (V8, ""))
    root = project(tmp_path, {"phase-1.yaml": cancelled, "phase-2.yaml": later})
    # phase-1 (cancelled, January) claims V8, phase-2 (March) claims V7: the cancelled one never ships.
    assert of(run(root), "FES313") == []
    active = release("phase-1", (V7, ""), (WINDOW, window("2026-01-10")))
    root2 = project(tmp_path / "active", {"phase-1.yaml": active, "phase-2.yaml": later})
    assert len(of(run(root2), "FES313")) == 1


# --- FES314 ------------------------------------------------------------------------------------


def test_fes314_unclaimed_migration_is_a_warning_on_the_file(tmp_path: Path) -> None:
    root = project(tmp_path, {"phase-2.yaml": release("phase-2")})
    hits = {f.loc.file: f for f in of(run(root), "FES314")}
    assert hits["service/db/migration/V1__create_widget.sql"].severity == "warning"
    assert "service/db/migration/V7__create_gizmo.sql" not in hits  # claimed
    assert "service/db/migration/V8__seed_gizmo.sql" not in hits


def test_fes314_undo_counts_as_claimed_with_its_version(tmp_path: Path) -> None:
    text = release("phase-2", (V8, V8 + entry("V13__add_gizmo_colour.sql")))
    root = project(tmp_path, {"phase-2.yaml": text})
    files = {f.loc.file for f in of(run(root), "FES314")}
    assert "service/db/migration/U13__undo_gizmo_colour.sql" not in files
    assert "service/db/migration/U18__undo_sprocket.sql" in files


def test_fes314_badly_named_file_in_the_folder_is_an_error(tmp_path: Path) -> None:
    root = project(tmp_path, {"phase-2.yaml": release("phase-2")})
    (root / "service" / "db" / "migration" / "v21__lowercase.sql").write_text("SELECT 1;\n")
    hits = [f for f in of(run(root), "FES314") if f.loc.file.endswith("v21__lowercase.sql")]
    assert [f.severity for f in hits] == ["error"]


# --- FES502 ------------------------------------------------------------------------------------

REATTEMPT = "incidents:\n  - id: INC-1\n    actions: [{title: fix, status: done}]\nreattempt_of: TARGET\n"


def test_fes502_unknown_target(tmp_path: Path) -> None:
    text = release("phase-2b", extra=REATTEMPT.replace("TARGET", "phase-2"))
    hits = of(run(project(tmp_path, {"phase-2b.yaml": text})), "FES502")
    assert where(hits) == [("releases/phase-2b.yaml", line_of(text, "reattempt_of"), "error")]


def test_fes502_self_reference(tmp_path: Path) -> None:
    text = release("phase-2b", extra=REATTEMPT.replace("TARGET", "phase-2b"))
    hits = of(run(project(tmp_path, {"phase-2b.yaml": text})), "FES502")
    assert where(hits) == [("releases/phase-2b.yaml", line_of(text, "reattempt_of"), "error")]


def test_fes502_target_not_rolled_back_is_a_warning(tmp_path: Path) -> None:
    again = release("phase-2b", (V7, ""), (V8, ""), extra=REATTEMPT.replace("TARGET", "phase-2"))
    root = project(tmp_path, {"phase-2.yaml": release("phase-2"), "phase-2b.yaml": again})
    hits = of(run(root), "FES502")
    assert where(hits) == [("releases/phase-2b.yaml", line_of(again, "reattempt_of"), "warning")]


def test_fes502_rolled_back_target_is_fine(tmp_path: Path) -> None:
    first = release(
        "phase-2",
        ("status: approved", "status: rolled-back"),
        extra="incidents:\n  - id: INC-1\n    actions: [{title: fix, status: done}]\n",
    )
    again = release("phase-2b", (V7, ""), (V8, ""), extra=REATTEMPT.replace("TARGET", "phase-2"))
    root = project(tmp_path, {"phase-2.yaml": first, "phase-2b.yaml": again})
    result = run(root)
    assert of(result, "FES502") == [] and of(result, "FES501") == []


# --- FES801 / FES802 / FES803 with a broken spec ----------------------------------------------


def test_fes801_missing_spec_is_a_finding_on_the_policy(tmp_path: Path) -> None:
    text = release("phase-2")
    root = project(tmp_path, {"phase-2.yaml": text})
    (root / "service" / "openapi.yaml").unlink()
    result = run(root)
    policy = (root / "releases" / "policy.yaml").read_text()
    file = "releases/phase-2.yaml"
    assert where(of(result, "FES801")) == [("releases/policy.yaml", line_of(policy, "openapi:"), "error")]
    assert where(of(result, "FES802")) == [(file, line_of(text, "endpoints:") + 1, "error")]
    assert "missing" in of(result, "FES802")[0].message
    assert where(of(result, "FES803")) == [(file, line_of(text, "openapi-docs-updated"), "error")]
    assert result.exit_code() == 1


def test_fes801_invalid_spec_is_located_in_the_spec(tmp_path: Path) -> None:
    text = release("phase-2")
    root = project(tmp_path, {"phase-2.yaml": text})
    spec = root / "service" / "openapi.yaml"
    # The path parameter is no longer declared: openapi-spec-validator rejects the document.
    declared = "        - {name: documentId, in: path, required: true, schema: {type: string}}\n"
    spec.write_text(spec.read_text().replace("      parameters:\n" + declared, ""))
    result = run(root)
    hits = of(result, "FES801")
    assert hits and all(f.loc.file == "service/openapi.yaml" and f.severity == "error" for f in hits)
    assert "invalid" in of(result, "FES802")[0].message


def test_fes801_spec_not_yaml(tmp_path: Path) -> None:
    root = project(tmp_path, {"phase-2.yaml": release("phase-2")})
    (root / "service" / "openapi.yaml").write_text("openapi: 3.1.0\npaths: [unclosed\n")
    hits = of(run(root), "FES801")
    assert hits and hits[0].loc.file == "service/openapi.yaml"


# --- FES015 ------------------------------------------------------------------------------------


def test_fes015_published_schema_out_of_date(tmp_path: Path) -> None:
    root = without_unclaimed_sql(project(tmp_path, {"phase-2.yaml": release("phase-2")}))
    assert cli_main(["schema", "--write", "--root", str(root)]) == 0
    assert of(run(root), "FES015") == []  # freshly written: current
    policy = root / "releases" / "policy.yaml"
    flag = "  - features.enable-pdf-lifecycle\n"
    policy.write_text(policy.read_text().replace(flag, flag + "  - features.enable-question-bank\n"))
    hits = of(run(root), "FES015")
    assert where(hits) == [("releases/schema/release.schema.json", 1, "warning")]
    stale = run(root)
    assert stale.errors == [] and stale.exit_code() == 0  # a warning never fails the run
    assert hits[0] in stale.warnings


# --- waivers -----------------------------------------------------------------------------------


def _case(tmp_path: Path, name: str, drop_waivers: bool = False) -> tuple[Result, str]:
    text = (FIXTURES / "cases" / f"{name}.yaml").read_text(encoding="utf-8")
    if drop_waivers:
        text = text[: text.index("waivers:")]
    rid = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("id: "))
    root = without_unclaimed_sql(project(tmp_path, {f"{rid}.yaml": text}))
    return run(root), f"releases/{rid}.yaml"


def test_waiver_marks_the_error_waived_and_the_run_passes(tmp_path: Path) -> None:
    result, file = _case(tmp_path / "w", "ok-waiver-silences-error")
    hits = [f for f in of(result, "FES301") if f.loc.file == file]
    assert len(hits) == 1 and hits[0].severity == "error"
    assert hits[0].waived is not None and hits[0].waived.approved_by == "bob"
    assert not hits[0].blocking and result.errors == [] and result.exit_code() == 0
    # The same record without the waiver fails the run: the waiver, not a silent rule, made the difference.
    bare, _ = _case(tmp_path / "bare", "ok-waiver-silences-error", drop_waivers=True)
    assert [f.waived for f in of(bare, "FES301")] == [None]
    assert bare.exit_code() == 1


def test_waiver_is_valid_through_its_until_date(tmp_path: Path) -> None:
    result, file = _case(tmp_path, "ok-waiver-until-today")
    assert [f.waived is not None for f in of(result, "FES404")] == [True]
    assert [f for f in result.warnings if f.loc.file == file] == []  # a waived warning no longer counts


def test_expired_waiver_waives_nothing(tmp_path: Path) -> None:
    result, _ = _case(tmp_path, "fes901-waiver-expired")
    assert [f.waived for f in of(result, "FES404")] == [None]
    assert result.exit_code() == 1  # the FES901 error itself


def test_waiver_without_reason_waives_nothing(tmp_path: Path) -> None:
    result, _ = _case(tmp_path, "fes901-waiver-blank-reason")
    assert [f.waived for f in of(result, "FES404")] == [None]


# --- FES316 ------------------------------------------------------------------------------------


def test_fes316_migrations_dir_outside_the_project(tmp_path: Path) -> None:
    root = project(tmp_path, {"phase-2.yaml": release("phase-2")})
    outside = tmp_path / "elsewhere"
    shutil.copytree(root / "service" / "db" / "migration", outside)
    policy = root / "releases" / "policy.yaml"
    policy.write_text(
        policy.read_text().replace("migrations_dir: service/db/migration", "migrations_dir: ../elsewhere")
    )
    result = run(root)
    text = policy.read_text()
    assert where(of(result, "FES316")) == [("releases/policy.yaml", line_of(text, "migrations_dir:"), "error")]
    # Nothing outside the root is read: no SQL file of `elsewhere` shows up in any finding.
    assert not any("elsewhere" in f.loc.file for f in result.findings)


def test_waiver_speaks_only_for_its_own_file(tmp_path: Path) -> None:
    """Attack: a second file reusing an approved record's id carries a waiver for that record's error."""
    waiving = (FIXTURES / "cases" / "ok-waiver-silences-error.yaml").read_text(encoding="utf-8")
    bare = waiving[: waiving.index("waivers:")]
    rid = next(line.split(": ", 1)[1] for line in bare.splitlines() if line.startswith("id: "))
    result = run(project(tmp_path, {f"{rid}.yaml": bare, "zz-impostor.yaml": waiving}))
    victim = [f for f in of(result, "FES301") if f.loc.file == f"releases/{rid}.yaml"]
    assert victim and all(f.waived is None and f.blocking for f in victim)
    assert result.exit_code() == 1


def test_waiver_with_an_unreadable_until_waives_nothing(tmp_path: Path) -> None:
    """The waiver's judgement is made once: a date FES901 cannot read cannot extend the waiver either."""
    text = (FIXTURES / "cases" / "ok-waiver-silences-error.yaml").read_text(encoding="utf-8")
    text = text.replace("until: 2026-12-31", 'until: "2026-13-45"')
    rid = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("id: "))
    result = run(project(tmp_path, {f"{rid}.yaml": text}))
    assert [f.waived for f in of(result, "FES301")] == [None]
    assert any("until" in f.message for f in of(result, "FES901"))


def test_a_waiver_rule_cannot_be_waived(tmp_path: Path) -> None:
    text = (FIXTURES / "cases" / "fes901-waiver-expired.yaml").read_text(encoding="utf-8")
    text += '  - rule: FES901\n    reason: "please"\n'
    rid = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("id: "))
    result = run(project(tmp_path, {f"{rid}.yaml": text}))
    assert of(result, "FES901") and all(f.waived is None for f in of(result, "FES901"))
    assert any("cannot be waived" in f.message for f in of(result, "FES901"))


@pytest.mark.parametrize(
    ("case", "rule"),
    [("fes705-stale-signoff", "FES705"), ("fes702-no-signoffs", "FES702"), ("fes704-unbound-signoff", "FES704")],
)
def test_waiving_an_integrity_rule_is_an_error_and_credits_nothing(tmp_path: Path, case: str, rule: str) -> None:
    """Attack: a record waives the sign-off rule that would stop it (stale, missing, unbound sign-offs)."""
    text = (FIXTURES / "cases" / f"{case}.yaml").read_text(encoding="utf-8")
    assert "waivers:" not in text
    text += f'waivers:\n  - {{rule: {rule}, reason: "signed on paper, trust us"}}\n'
    rid = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("id: "))
    result = run(project(tmp_path, {f"{rid}.yaml": text}))
    assert of(result, rule) and all(f.waived is None for f in of(result, rule))
    assert any(f"rule {rule} cannot be waived" in f.message for f in of(result, "FES901"))
    assert not CATALOGUE[rule].can_be_waived
    assert result.exit_code() == 1


# --- FES322 ------------------------------------------------------------------------------------


def test_fes322_unclaimed_unsafe_migrations_are_errors(tmp_path: Path) -> None:
    """Attack: ship a destructive file in the folder without listing it, or list it only in a cancelled
    record (cancelled records are exempt from completeness rules, but Flyway still applies the file)."""
    cancelled = release("phase-9", ("status: approved", "status: cancelled"), (V7, entry("V9__rename_widget_name.sql")))
    root = project(tmp_path, {"phase-2.yaml": release("phase-2"), "phase-9.yaml": cancelled})
    result = run(root)
    hits = {f.loc.file.rsplit("/", 1)[-1]: f for f in of(result, "FES322")}
    for name in (
        "V3__drop_widget_name.sql",
        "V9__rename_widget_name.sql",
        "V6__broken_syntax.sql",
        "V21__export_via_program.sql",  # COPY ... TO PROGRAM: unsafe
        "V22__count_gizmos.sql",  # a DELETE hidden in a CTE: destructive
    ):
        assert name in hits and hits[name].severity == "error", sorted(hits)
    assert "is unsafe" in hits["V21__export_via_program.sql"].message
    assert hits["V21__export_via_program.sql"].loc.line == 3
    assert "nested DELETE" in hits["V22__count_gizmos.sql"].message
    assert "cancelled" in hits["V9__rename_widget_name.sql"].message
    assert hits["V9__rename_widget_name.sql"].loc.line == 2  # the RENAME statement, not the file's top
    # what the live release ships, and undo files Flyway does not run, are not judged here
    assert not {"V7__create_gizmo.sql", "V8__seed_gizmo.sql", "U1__undo_widget.sql"} & set(hits)
    assert result.exit_code() == 1
    # claimed by a live release, the same file is that release's business (FES304/FES317...), not FES322
    claimed = project(
        tmp_path / "b", {"phase-2.yaml": release("phase-2", (V7, V7 + entry("V3__drop_widget_name.sql")))}
    )
    assert "V3__drop_widget_name.sql" not in {f.loc.file.rsplit("/", 1)[-1] for f in of(run(claimed), "FES322")}


def test_a_flood_of_findings_is_capped_per_rule_and_file(tmp_path: Path) -> None:
    """Attack: a record with hundreds of unknown keys buries the report; the gate still fails, and says how many."""
    text = release("phase-2") + "".join(f"junk{i}: x\n" for i in range(130))
    result = run(project(tmp_path, {"phase-2.yaml": text}))
    hits = [f for f in of(result, "FES011") if f.loc.file == "releases/phase-2.yaml"]
    assert len(hits) == 51
    assert [f for f in hits if f.message.startswith("and 80 more FES011 findings")] and all(f.blocking for f in hits)
    assert result.exit_code() == 1


def test_fes323_an_unsafe_statement_is_waivable_only_with_its_reason(tmp_path: Path) -> None:
    """Attack: a release ships a migration that runs a shell command on the server; it is an error, and a
    waiver (which must carry a reason) is the only way past — shown, never dropped."""
    files = (V7, V7 + "  - {file: V21__export_via_program.sql, change: destructive, idempotent: true}\n")
    root = project(tmp_path, {"phase-2.yaml": release("phase-2", files)})
    hits = of(run(root), "FES323")
    assert len(hits) == 1 and hits[0].severity == "error" and hits[0].waived is None
    assert "PROGRAM" in hits[0].message and "superuser" in (hits[0].hint or "")
    assert [r.line for r in hits[0].related] == [3]
    waived = release(
        "phase-2", files, extra='waivers:\n  - {rule: FES323, reason: "DBA runs it by hand; ticket OPS-1"}\n'
    )
    result = run(project(tmp_path / "w", {"phase-2.yaml": waived}))
    assert [f.waived.reason for f in of(result, "FES323") if f.waived] == ["DBA runs it by hand; ticket OPS-1"]
    assert CATALOGUE["FES323"].can_be_waived


# --- Flyway as it really runs (issue 12): tests/fixtures/flyway-features -------------------------


def feature_project(tmp_path: Path, feature: str, *claimed: str) -> Path:
    """The rules fixture project with its migrations folder replaced by a feature folder's, the feature's
    ``flyway:`` block in the policy, and one release listing ``claimed``."""
    root = with_feature(project(tmp_path, {}), feature)
    if claimed:
        text = release("phase-2", (V7 + V8, "".join(entry(f'"{c}"') for c in claimed)))
        (root / "releases" / "phase-2.yaml").write_text(text, encoding="utf-8")
    return root


def at(findings: list[Finding]) -> list[tuple[str, int | None, int | None, str]]:
    return sorted((f.loc.file.rsplit("/", 1)[-1], f.loc.line, f.loc.column, f.severity) for f in findings)


def test_fes324_undefined_placeholder_is_an_error_at_its_line_and_the_rest_parses(tmp_path: Path) -> None:
    root = feature_project(tmp_path, "placeholders", "V1__create_schema.sql", "V2__undefined_placeholder.sql")
    result = run(root)
    hits = of(result, "FES324")
    # ${missing} in the comment of line 1 and in line 3: Flyway replaces placeholders in comments too
    assert at(hits) == [
        ("V2__undefined_placeholder.sql", 1, 26, "error"),
        ("V2__undefined_placeholder.sql", 3, 60, "error"),
    ]
    assert "No value provided for placeholder: ${missing}" in hits[0].message
    # no false syntax errors, and no duplicate of FES324 as a parse error
    assert of(result, "FES320") == []
    assert not [f for f in of(result, "FES322") if "placeholder" in f.message or "syntax" in f.message]
    # placeholderReplacement=false in V3's .sql.conf: ${user_name} stays text, no finding
    assert not [f for f in hits if "V3__" in f.loc.file]


def test_fes324_positions_after_a_replacement_point_at_the_original_line(tmp_path: Path) -> None:
    root = feature_project(tmp_path, "placeholders", "V1__create_schema.sql")
    (root / MIGRATIONS / "V5__typo.sql").write_text(
        "CREATE TABLE ${schema_name}.a (id int);\nSELECT ${schema_name}.x FRM ${schema_name}.a;\n", encoding="utf-8"
    )
    (hit,) = [f for f in of(run(root), "FES322") if "V5__" in f.loc.file]
    # FRM reads as a column alias; the error is at the second ${schema_name} as written (column 29), not in
    # the replaced text (where "app.a" starts at column 18)
    assert (hit.loc.line, hit.loc.column) == (2, 29)


def test_fes324_repeatable_checksum_is_over_the_replaced_text(tmp_path: Path) -> None:
    """Flyway's SqlMigrationResolver: a repeatable's checksum is over its placeholder-replaced text, a
    versioned migration's over the file."""
    from fes_docs.project import load_project
    from fes_docs.sql.flyway import flyway_checksum, text_checksum

    root = feature_project(tmp_path, "placeholders")
    index = load_project(root).migrations
    raw = (root / MIGRATIONS / "R__widget_view.sql").read_bytes()
    assert index.checksum("R__widget_view.sql") == text_checksum(raw.decode().replace("${schema_name}", "app"))
    assert index.checksum("R__widget_view.sql") != flyway_checksum(raw)
    v1 = (root / MIGRATIONS / "V1__create_schema.sql").read_bytes()
    assert index.checksum("V1__create_schema.sql") == flyway_checksum(v1)


def test_fes325_script_configuration_problems(tmp_path: Path) -> None:
    hits = of(run(feature_project(tmp_path, "script-config")), "FES325")
    assert at(hits) == [
        ("V3__inline_setting.sql", 1, 1, "warning"),
        ("V4__bad_settings.sql.conf", 1, 1, "error"),
        ("V4__bad_settings.sql.conf", 2, 1, "error"),
        ("V9__removed.sql.conf", 1, 1, "warning"),
    ]
    messages = " | ".join(f.message for f in hits)
    assert "Flyway ignores '-- flyway:executeInTransaction=false'" in messages
    assert "V3__inline_setting.sql.conf" in messages
    assert "Unknown configuration property: executeInTransation" in messages
    assert "Invalid value for placeholderReplacement (should be either true or false): maybe" in messages


def test_fes327_mixed_statements_only_where_flyway_applies_its_rule(tmp_path: Path) -> None:
    root = feature_project(tmp_path, "script-config")
    hits = of(run(root), "FES327")
    # V2 mixes too, but its .sql.conf sets executeInTransaction: Flyway runs it as told
    assert at(hits) == [("V3__inline_setting.sql", 3, 1, "error")]
    assert "its own rule, not PostgreSQL's" in hits[0].message and "[non-transactional]" in hits[0].message
    policy = root / "releases" / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8") + "flyway: {mixed: true}\n", encoding="utf-8")
    assert of(run(root), "FES327") == []


def test_fes314_callbacks_are_recognised_and_look_alikes_are_ignored_by_flyway(tmp_path: Path) -> None:
    hits = of(run(feature_project(tmp_path, "callbacks")), "FES314")
    assert at(hits) == [
        ("V1__create_target.sql", 1, 1, "warning"),
        ("aftermigrate.sql", 1, 1, "error"),
        ("beforeMigrate_set_role.sql", 1, 1, "error"),
    ]
    lowercase = next(f for f in hits if "aftermigrate" in f.message)
    assert "not a Flyway migration name; Flyway ignores it" in lowercase.message
    assert "migrations:" not in (lowercase.hint or "")


def test_fes326_names_flyway_accepts_but_people_get_wrong(tmp_path: Path) -> None:
    result = run(feature_project(tmp_path, "names", "V2__add__thing.sql"))
    odd = of(result, "FES326")
    assert sorted((f.related[0] if f.related else f.loc).file.rsplit("/", 1)[-1] for f in odd) == [
        "V1.sql",
        "V2__add__thing.sql",
        "V3__add thing.sql",
        "V4__trailing .sql",
        "V5__create_widget - Copy.sql",
    ]
    assert all(f.severity == "warning" for f in odd)
    words = {f.message.split("'")[1]: f.message for f in odd}
    assert "no description" in words["V1.sql"] and "copy" in words["V5__create_widget - Copy.sql"]
    assert "space before the suffix" in words["V4__trailing .sql"]
    ignored = {f.loc.file.rsplit("/", 1)[-1]: f for f in of(result, "FES314") if f.message.endswith(")")}
    assert ignored["notes.sql"].severity == "warning" and ignored["v6__lowercase.sql"].severity == "error"
    assert "Flyway ignores it" in ignored["notes.sql"].message


def test_fes324_a_placeholder_flyway_conf_defines_has_its_value(tmp_path: Path) -> None:
    """Flyway's own flyway.conf is read for the static analysis too (the policy's flyway: block wins)."""
    root = feature_project(tmp_path, "placeholders", "V1__create_schema.sql")
    (root / MIGRATIONS / "V6__grant.sql").write_text("GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${reader};\n")

    def grant_findings() -> list[Finding]:
        return [f for f in of(run(root), "FES324") if f.loc.file.endswith("V6__grant.sql")]

    assert grant_findings() and "${reader}" in grant_findings()[0].message
    (root / "flyway.conf").write_text("flyway.placeholders.reader=app_ro\n", encoding="utf-8")
    assert grant_findings() == []


# --- FES405 ------------------------------------------------------------------------------------


def test_fes405_last_known_good_never_released(tmp_path: Path) -> None:
    earlier = release(
        "a-phase-1",
        ("status: approved", "status: released"),
        (WINDOW, window("2026-02-10")),
        ("artifact: {version: 4.2.0, last_known_good: 4.1.3}", "artifact: {version: 4.1.0, last_known_good: 4.0.7}"),
        (V7, ""),
        (V8, ""),
    )
    later = release("b-phase-2", ("last_known_good: 4.1.3", "last_known_good: 4.1.2"))
    root = project(tmp_path, {"a-phase-1.yaml": earlier, "b-phase-2.yaml": later})
    hits = of(run(root), "FES405")
    assert where(hits) == [("releases/b-phase-2.yaml", line_of(later, "last_known_good"), "warning")]
    assert "released before this one: 4.1.0" in hits[0].message
    # the version of the release that went out before it is fine, and the first release has nothing to match
    fixed = release("b-phase-2", ("last_known_good: 4.1.3", "last_known_good: 4.1.0"))
    root = project(tmp_path / "fixed", {"a-phase-1.yaml": earlier, "b-phase-2.yaml": fixed})
    assert of(run(root), "FES405") == []


def test_fes702_the_missing_sign_off_hint_gives_the_exact_sign_commands(tmp_path: Path) -> None:
    """Issue 13, "No contradictions": the hint names each missing role's command, as the stale one does."""
    text = release("phase-2")
    kept = "\n".join(line for line in text.splitlines() if "role: product" not in line and "role: on_call" not in line)
    result = run(project(tmp_path, {"phase-2.yaml": kept + "\n"}))
    hits = of(result, "FES702")
    assert len(hits) == 1 and hits[0].hint is not None
    assert "`fes-docs sign phase-2 --role on_call --by carol`" in hits[0].hint
    assert "`fes-docs sign phase-2 --role product --by dave`" in hits[0].hint


def test_fes303_a_backfill_without_a_dry_run_mode_is_not_told_to_dry_run_first(tmp_path: Path) -> None:
    """Issue 13, "No contradictions": the runbook never says "Dry run first" for a backfill that has none."""
    from fes_docs.render import render_pages

    edited = release(
        "phase-2",
        ("estimated_rows: 2500000, dry_run: true}", "estimated_rows: 2500000, dry_run: false, dry_run_sql: SELECT 1}"),
    )
    result = run(project(tmp_path, {"phase-2.yaml": edited}))
    assert of(result, "FES303")
    runbook = next(text for name, text in render_pages(result).items() if name.endswith("phase-2/index.md"))
    assert "Dry run first" not in runbook and "has no dry-run mode" in runbook


# --- the change calendar: FES021, FES022 (issue 15) --------------------------------------------

FREEZE = (
    "freezes:\n"
    "  - start: 2026-03-10T19:00:00+01:00\n"  # 18:00Z: the baseline's window starts exactly then
    "    end: 2026-03-12T00:00:00Z\n"
    '    reason: "exam week"\n'
)


def with_freeze(root: Path, freeze: str = FREEZE) -> Path:
    policy = root / "releases" / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8") + freeze, encoding="utf-8")
    return root


def test_fes021_a_window_in_a_freeze_is_an_error_at_the_window(tmp_path: Path) -> None:
    text = release("phase-2")
    result = run(with_freeze(project(tmp_path, {"phase-2.yaml": text})))
    hits = of(result, "FES021")
    assert where(hits) == [("releases/phase-2.yaml", line_of(text, "window:"), "error")]
    assert "overlaps freeze 1 (exam week)" in hits[0].message and "local, test, staging, production" in hits[0].message
    assert [(r.file, r.line) for r in hits[0].related] == [("releases/policy.yaml", 22)]  # the freeze's entry
    assert result.exit_code() == 1


def test_fes021_offsets_are_compared_as_moments_and_spans_are_half_open(tmp_path: Path) -> None:
    """The freeze ends at 19:00+01:00 = 18:00Z, when the window starts: they touch, they do not overlap."""
    before = FREEZE.replace("2026-03-10T19:00:00+01:00", "2026-03-09T00:00:00Z").replace(
        "2026-03-12T00:00:00Z", "2026-03-10T19:00:00+01:00"
    )
    root = with_freeze(project(tmp_path, {"phase-2.yaml": release("phase-2")}), before)
    assert of(run(root), "FES021") == []


def test_fes021_a_freeze_of_other_environments_only_still_stops_a_release_that_deploys_there(tmp_path: Path) -> None:
    staging_only = FREEZE + "    environments: [staging]\n"
    result = run(with_freeze(project(tmp_path, {"phase-2.yaml": release("phase-2")}), staging_only))
    (hit,) = of(result, "FES021")
    assert hit.message.endswith("of staging")


def test_fes021_a_window_without_a_zone_is_fes020s_alone(tmp_path: Path) -> None:
    naive = release("phase-2", (WINDOW, "window: {start: 2026-03-10T18:00:00, end: 2026-03-10T21:00:00}"))
    result = run(with_freeze(project(tmp_path, {"phase-2.yaml": naive})))
    assert of(result, "FES021") == [] and len(of(result, "FES020")) == 1


def test_fes021_released_records_are_history(tmp_path: Path) -> None:
    shipped = release("phase-2", ("status: approved", "status: released"))
    assert of(run(with_freeze(project(tmp_path, {"phase-2.yaml": shipped}))), "FES021") == []


def test_fes021_a_freeze_nobody_can_read_is_an_error_in_the_policy(tmp_path: Path) -> None:
    broken = (
        "freezes:\n"
        "  - {start: 2026-02-30T00:00:00Z, end: 2026-03-02T00:00:00Z, reason: x}\n"
        "  - {start: 2026-03-05T00:00:00Z, end: 2026-03-01T00:00:00Z, reason: y}\n"
        "  - {start: 2026-03-05T00:00:00Z, end: 2026-03-06T00:00:00Z, reason: z, environments: [prodution]}\n"
        "  - {start: 2026-03-05T00:00:00, end: 2026-03-06T00:00:00Z, reason: no zone}\n"
    )
    result = run(with_freeze(project(tmp_path, {"phase-2.yaml": release("phase-2")}), broken))
    got = sorted((f.rule, f.loc.line, f.message) for f in result.findings if f.loc.file == "releases/policy.yaml")
    assert [(rule, line) for rule, line, _ in got] == [("FES010", 25), ("FES021", 22), ("FES021", 23), ("FES021", 24)]
    assert "'2026-02-30T00:00:00Z' is not a date-time with a zone" in got[1][2]
    assert "ends (2026-03-01T00:00:00Z) before or when it starts" in got[2][2]
    assert "names environment 'prodution', which the policy does not have; did you mean 'production'?" in got[3][2]


def _waived(tmp_path: Path, waiver: str) -> Result:
    text = release("phase-2", extra=f"waivers:\n  - {waiver}\n")
    return run(with_freeze(without_unclaimed_sql(project(tmp_path, {"phase-2.yaml": text}))))


def test_fes021_a_waiver_needs_an_approver(tmp_path: Path) -> None:
    result = _waived(tmp_path / "bare", '{rule: FES021, reason: "the exam board agreed"}')
    (freeze,) = of(result, "FES021")
    assert freeze.waived is None and result.exit_code() == 1
    (problem,) = of(result, "FES901")
    assert "waiver for FES021 needs `approved_by`" in problem.message
    # an approver the policy does not know is nobody
    stranger = _waived(tmp_path / "stranger", '{rule: FES021, reason: "agreed", approved_by: mallory}')
    assert of(stranger, "FES021")[0].waived is None
    assert "approved_by 'mallory' is not listed under people:" in of(stranger, "FES901")[0].message
    # with one, it waives: shown, not blocking
    signed = _waived(tmp_path / "ok", '{rule: FES021, reason: "the exam board agreed", approved_by: dave}')
    (waived,) = of(signed, "FES021")
    assert waived.waived is not None and waived.waived.approved_by == "dave"
    assert of(signed, "FES901") == [] and signed.exit_code() == 0


def test_fes021_other_rules_still_waive_without_an_approver(tmp_path: Path) -> None:
    result = _waived(tmp_path, '{rule: FES404, reason: "not needed"}')
    assert of(result, "FES901") == []


def test_fes022_overlapping_windows_warn_in_the_later_release_naming_both(tmp_path: Path) -> None:
    later = release("b-phase-3", (WINDOW, "window: {start: 2026-03-10T20:00:00Z, end: 2026-03-10T23:00:00Z}"), (V7, ""))
    root = project(tmp_path, {"a-phase-2.yaml": release("a-phase-2", (V8, "")), "b-phase-3.yaml": later})
    result = run(without_unclaimed_sql(root))
    (hit,) = of(result, "FES022")
    assert where([hit]) == [("releases/b-phase-3.yaml", line_of(later, "window:"), "warning")]
    assert "window of b-phase-3" in hit.message and "overlaps the window of a-phase-2" in hit.message
    assert [r.file for r in hit.related] == ["releases/a-phase-2.yaml"]
    assert result.exit_code() == 0  # a warning
    # back to back is fine
    apart = release("b-phase-3", (WINDOW, "window: {start: 2026-03-10T21:00:00Z, end: 2026-03-10T23:00:00Z}"), (V7, ""))
    root = project(tmp_path / "apart", {"a-phase-2.yaml": release("a-phase-2", (V8, "")), "b-phase-3.yaml": apart})
    assert of(run(root), "FES022") == []


def test_fes022_a_thousand_windows_at_once_give_a_bounded_report(tmp_path: Path) -> None:
    from fes_docs.rules.calendar import MAX_OVERLAPS

    texts = {f"r{i:04d}.yaml": release(f"r{i:04d}", (V7, ""), (V8, "")) for i in range(120)}
    hits = of(run(project(tmp_path, texts)), "FES022")
    per_file: dict[str, int] = {}
    for f in hits:
        per_file[f.loc.file] = per_file.get(f.loc.file, 0) + 1
    assert hits and max(per_file.values()) <= MAX_OVERLAPS


# --- FES328 ------------------------------------------------------------------------------------


def test_fes328_an_adoption_point_above_every_migration(tmp_path: Path) -> None:
    """Attack: set adopted_at_version ahead of the folder, so that the next migrations are history the day they
    are written and skip the guide's rules. It is an error at the value, and no baseline or waiver takes it."""
    root = project(tmp_path, {"phase-2.yaml": release("phase-2")})
    policy = root / "releases" / "policy.yaml"
    text = policy.read_text(encoding="utf-8") + 'adopted_at_version: "23"\n'
    policy.write_text(text, encoding="utf-8")
    (hit,) = of(run(root), "FES328")
    assert where([hit]) == [("releases/policy.yaml", line_of(text, "adopted_at_version"), "error")]
    assert "'23' is above every versioned migration" in hit.message and "V22__count_gizmos.sql" in hit.message
    assert not CATALOGUE["FES328"].can_be_waived
    policy.write_text(text.replace('"23"', '"22"'), encoding="utf-8")
    assert of(run(root), "FES328") == []


def test_fes021_a_policy_of_thousands_of_freezes_is_read_to_its_bound(tmp_path: Path) -> None:
    """Hostile policy: 5,000 freezes over the window. The schema says too many; the rule compares the first
    500 only (bounded work), and still reports the window in them."""
    from fes_docs.policy_settings import MAX_FREEZES

    many = "freezes:\n" + "".join(
        f"  - {{start: 2026-03-10T18:{i % 60:02d}:00Z, end: 2026-03-11T00:00:00Z, reason: f{i}}}\n" for i in range(5000)
    )
    result = run(with_freeze(project(tmp_path, {"phase-2.yaml": release("phase-2")}), many))
    assert len(result.project.policy.freezes) == MAX_FREEZES
    assert any(f.rule == "FES010" and f.loc.file == "releases/policy.yaml" for f in result.findings)
    hits = [f for f in of(result, "FES021") if f.loc.file == "releases/phase-2.yaml"]
    assert hits and len(hits) <= MAX_FREEZES
